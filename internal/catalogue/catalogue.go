// Package catalogue serves the public catalogue (CAT-1..7): it keeps the whole
// catalogue in memory, searches it, and reloads it when the database says it
// changed. A city's catalogue is a few thousand courses; searching them in memory
// answers every visitor of a registration peak without touching the database.
package catalogue

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cma/internal/calendar"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
)

// Entry is one course with everything the catalogue shows about it.
type Entry struct {
	domain.Course
	Formation     *domain.Formation
	Establishment *domain.Establishment
	Room          *domain.Room
	Session       *domain.Session
	RemoteNow     bool // the course is remote, or every course is (CAT-6)
	// RemoteWhy is why it is remote when RemoteNow: the health protocol's
	// reason when every course is, else the course's own.
	RemoteWhy string
	// FirstClass is the civil date of the course's first class meeting held,
	// after any holiday that skips the first ones (CAT-5): the course's start
	// date of ACC-1. It is the session's first day when no meeting is held.
	FirstClass time.Time

	key     string // folded words searched by keyword
	sortKey string
}

// Index is one immutable snapshot of the catalogue.
type Index struct {
	Revision       int64
	AllRemote      bool
	Sessions       []domain.Session
	Establishments []domain.Establishment // sorted by name
	Formations     []domain.Formation
	Closures       calendar.Closures // school holidays of the city's zone

	entries        []*Entry // sorted for display
	byID           map[int64]*Entry
	establishments map[int64]*domain.Establishment
	formations     map[int64]*domain.Formation
	sessions       map[int64]*domain.Session
	formationKeys  map[int64]string

	// The keyword index: every distinct folded word of the courses, sorted, with
	// the display positions of the courses holding it. A keyword matches the
	// words it begins ("info" finds "informatique"), found by binary search.
	vocabulary []string
	postings   [][]int32
}

// Build makes an index from a loaded catalogue. Subject and level names of both
// languages go into the keyword key, so "langues" or "informatique" find courses.
func Build(c *store.Catalogue, words *i18n.Catalog, zone string) *Index {
	ix := &Index{Revision: c.Revision, AllRemote: c.AllRemote, Formations: c.Formations,
		byID: make(map[int64]*Entry, len(c.Courses))}
	// Sessions is what the public sees; a draft or archived session is still
	// found by ID (Session) for the back office and the candidatures of
	// earlier years.
	for _, se := range c.Sessions {
		if se.Public() {
			ix.Sessions = append(ix.Sessions, se)
		}
	}
	ix.Establishments = slices.Clone(c.Establishments)
	slices.SortFunc(ix.Establishments, func(a, b domain.Establishment) int {
		return strings.Compare(domain.SearchKey(a.Name), domain.SearchKey(b.Name))
	})
	for _, h := range c.SchoolHolidays {
		if zone == "" || h.Zone == zone {
			ix.Closures.School = append(ix.Closures.School, calendar.Period{Name: h.Name, First: h.First, Last: h.Last})
		}
	}
	formations := indexBy(ix.Formations, func(f *domain.Formation) int64 { return f.ID })
	ix.formationKeys = make(map[int64]string, len(c.Formations))
	for _, f := range c.Formations {
		ix.formationKeys[f.ID] = domain.SearchKey(f.Title + " " + f.DiplomaName + " " + f.Code + " " + f.Description)
	}
	sessions := indexBy(c.Sessions, func(s *domain.Session) int64 { return s.ID })
	establishments := indexBy(ix.Establishments, func(e *domain.Establishment) int64 { return e.ID })
	ix.establishments, ix.formations, ix.sessions = establishments, formations, sessions
	rooms := map[int64]*domain.Room{}
	for i := range ix.Establishments {
		for j := range ix.Establishments[i].Rooms {
			r := &ix.Establishments[i].Rooms[j]
			rooms[r.ID] = r
		}
	}
	fr, en := words.Printer(i18n.French), words.Printer(i18n.English)
	firstClasses := map[sessionDay]time.Time{}
	ix.entries = make([]*Entry, 0, len(c.Courses))
	for _, co := range c.Courses {
		e := &Entry{Course: co, Formation: formations[co.FormationID], Establishment: establishments[co.EstablishmentID],
			Room: rooms[co.RoomID], Session: sessions[co.SessionID], RemoteNow: co.Remote || c.AllRemote}
		switch {
		case c.AllRemote:
			e.RemoteWhy = c.AllRemoteReason
		case co.Remote:
			e.RemoteWhy = co.RemoteReason
		}
		if e.Formation == nil || e.Establishment == nil || e.Session == nil {
			continue // foreign keys make this impossible; never show a half course
		}
		e.FirstClass = ix.firstClass(e, firstClasses)
		f := e.Formation
		e.key = domain.SearchKey(strings.Join([]string{f.Title, f.DiplomaName, f.Code, co.Code,
			fr.T("subject." + string(f.Subject)), en.T("subject." + string(f.Subject)),
			fr.T("level." + string(co.Level)), en.T("level." + string(co.Level)),
			e.Establishment.Name, e.Establishment.PostalCode, strconv.Itoa(e.Establishment.District) + "e",
			co.Trainer}, " "))
		e.sortKey = domain.SearchKey(f.Title)
		ix.byID[co.ID] = e
		if co.Archived || !e.Session.Public() {
			continue // found by ID, never searched, listed or printed
		}
		ix.entries = append(ix.entries, e)
	}
	slices.SortFunc(ix.entries, func(a, b *Entry) int {
		return cmp.Or(strings.Compare(a.sortKey, b.sortKey), levelRank(a.Level)-levelRank(b.Level),
			weekdayRank(a.Weekday)-weekdayRank(b.Weekday), a.StartMinute-b.StartMinute,
			strings.Compare(a.Establishment.Name, b.Establishment.Name), cmp.Compare(a.ID, b.ID))
	})
	ix.buildKeywordIndex()
	return ix
}

func (ix *Index) buildKeywordIndex() {
	byWord := map[string][]int32{}
	for i, e := range ix.entries {
		for _, w := range strings.Fields(e.key) {
			list := byWord[w]
			if len(list) == 0 || list[len(list)-1] != int32(i) { // a word twice in one course counts once
				byWord[w] = append(list, int32(i))
			}
		}
	}
	ix.vocabulary = make([]string, 0, len(byWord))
	for w := range byWord {
		ix.vocabulary = append(ix.vocabulary, w)
	}
	slices.Sort(ix.vocabulary)
	ix.postings = make([][]int32, len(ix.vocabulary))
	for i, w := range ix.vocabulary {
		ix.postings[i] = byWord[w]
	}
}

// keywordMatches marks the display positions of the courses having, for every
// keyword, a word that begins with it. nil means no keyword: every course.
func (ix *Index) keywordMatches(words []string) []uint64 {
	var result []uint64
	for _, w := range words {
		bits := make([]uint64, (len(ix.entries)+63)/64)
		for j, _ := slices.BinarySearch(ix.vocabulary, w); j < len(ix.vocabulary) && strings.HasPrefix(ix.vocabulary[j], w); j++ {
			for _, pos := range ix.postings[j] {
				bits[pos/64] |= 1 << (pos % 64)
			}
		}
		if result == nil {
			result = bits
			continue
		}
		for k := range result {
			result[k] &= bits[k]
		}
	}
	return result
}

func indexBy[T any](items []T, id func(*T) int64) map[int64]*T {
	m := make(map[int64]*T, len(items))
	for i := range items {
		m[id(&items[i])] = &items[i]
	}
	return m
}

func levelRank(l domain.Level) int { return slices.Index(domain.Levels, l) }

// weekdayRank puts Monday first, the French way.
func weekdayRank(d time.Weekday) int { return (int(d) + 6) % 7 }

// Result is one page of search results.
type Result struct {
	Items       []*Entry
	Total       int
	Page, Pages int
}

// ErrPageOutOfRange is returned for a page after the last one.
type ErrPageOutOfRange struct{ Page, Pages int }

func (e ErrPageOutOfRange) Error() string {
	return fmt.Sprintf("page %d out of range: %d pages", e.Page, e.Pages)
}

// Search returns the page of courses matching f (CAT-1); now is the instant
// the candidature periods are read at for f.OpenOnly.
func (ix *Index) Search(f Filter, now time.Time) (Result, error) {
	keyword := ix.keywordMatches(strings.Fields(domain.SearchKey(f.Query)))
	perPage := f.PerPage
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	page := max(f.Page, 1)
	first := (page - 1) * perPage
	res := Result{Page: page, Items: make([]*Entry, 0, perPage)}
	openOnly := f.OpenOnly != nil && *f.OpenOnly
	var open map[int64]bool // each session's state, read once per search
	if openOnly {
		open = make(map[int64]bool, len(ix.Sessions))
		for _, se := range ix.Sessions {
			open[se.ID] = se.CandidatureOpen(now)
		}
	}
	for i, e := range ix.entries {
		if keyword != nil && keyword[i/64]&(1<<(i%64)) == 0 || !e.matches(f) || openOnly && !open[e.SessionID] {
			continue
		}
		if res.Total >= first && len(res.Items) < perPage {
			res.Items = append(res.Items, e)
		}
		res.Total++
	}
	res.Pages = max(1, (res.Total+perPage-1)/perPage)
	if page > res.Pages {
		return Result{Total: res.Total, Page: page, Pages: res.Pages}, ErrPageOutOfRange{Page: page, Pages: res.Pages}
	}
	return res, nil
}

// AnyOpen reports whether at least one session takes candidatures at instant
// now, by the basket's own rule (domain.Session.CandidatureOpen).
func (ix *Index) AnyOpen(now time.Time) bool {
	for _, se := range ix.Sessions {
		if se.CandidatureOpen(now) {
			return true
		}
	}
	return false
}

// OpenByDefault is the public search page's filter: when the visitor did not
// say whether they want only the courses open to candidatures (f.OpenOnly nil),
// it is on as soon as one session is open at instant now, off otherwise (so
// that between two periods the catalogue still shows every course).
func (ix *Index) OpenByDefault(f Filter, now time.Time) Filter {
	if f.OpenOnly == nil {
		on := ix.AnyOpen(now)
		f.OpenOnly = &on
	}
	return f
}

// matches applies every filter but the keywords and the candidature state.
func (e *Entry) matches(f Filter) bool {
	switch {
	case f.Subject != "" && e.Formation.Subject != f.Subject,
		f.Level != "" && e.Level != f.Level,
		f.EstablishmentID != 0 && e.EstablishmentID != f.EstablishmentID,
		f.District != 0 && e.Establishment.District != f.District,
		f.Weekday != nil && e.Weekday != *f.Weekday,
		f.TimeOfDay != "" && domain.SlotOf(e.StartMinute) != f.TimeOfDay,
		f.MaxPriceCents != 0 && e.PriceCents > f.MaxPriceCents,
		f.Diploma != nil && e.Formation.Diploma != *f.Diploma,
		f.Remote != nil && e.RemoteNow != *f.Remote,
		f.PlacesLeft && e.PlacesLeft() == 0,
		f.SessionID != 0 && e.SessionID != f.SessionID:
		return false
	}
	return true
}

func containsAll(key string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(key, w) {
			return false
		}
	}
	return true
}

// FormationMatches reports whether every keyword word is in the formation's
// title, diploma, code or description (words are SearchKey-folded).
func (ix *Index) FormationMatches(id int64, words []string) bool {
	return containsAll(ix.formationKeys[id], words)
}

// Establishment returns the establishment with that ID.
func (ix *Index) Establishment(id int64) (*domain.Establishment, bool) {
	e, ok := ix.establishments[id]
	return e, ok
}

// Formation returns the formation with that ID.
func (ix *Index) Formation(id int64) (*domain.Formation, bool) {
	f, ok := ix.formations[id]
	return f, ok
}

// Session returns the session with that ID.
func (ix *Index) Session(id int64) (*domain.Session, bool) {
	se, ok := ix.sessions[id]
	return se, ok
}

// Course returns the course with that ID.
func (ix *Index) Course(id int64) (*Entry, bool) {
	e, ok := ix.byID[id]
	return e, ok
}

// Len is the number of courses.
func (ix *Index) Len() int { return len(ix.entries) }

// All returns every course in display order (for the brochure).
func (ix *Index) All() []*Entry { return ix.entries }

// Meetings lists the course's dated class meetings (séances), with the days
// skipped for holidays (CAT-5).
func (ix *Index) Meetings(e *Entry, loc *time.Location) []calendar.Meeting {
	return calendar.Meetings(e.Session.FirstDay, e.Session.LastDay, e.Weekday, e.StartMinute, e.EndMinute,
		loc, ix.Closures, e.Session.HolidaySession)
}

// sessionDay is a session's weekday: its courses on that day share their
// first class.
type sessionDay struct {
	session int64
	weekday time.Weekday
}

// firstClass is the date of e's first meeting held, computed when the index is
// built, not at every basket request, and once per session and weekday (known
// keeps them).
func (ix *Index) firstClass(e *Entry, known map[sessionDay]time.Time) time.Time {
	key := sessionDay{e.SessionID, e.Weekday}
	if day, ok := known[key]; ok {
		return day
	}
	day, ok := calendar.FirstMeeting(e.Session.FirstDay, e.Session.LastDay, e.Weekday, ix.Closures, e.Session.HolidaySession)
	if !ok {
		day = calendar.ToDay(e.Session.FirstDay)
	}
	known[key] = day
	return day
}

// Service hands out the current index, reloading it from the store at most once
// per MaxAge when the catalogue revision changed. Several web instances on one
// database each see a change within MaxAge.
type Service struct {
	store  *store.Store
	words  *i18n.Catalog
	zone   string
	maxAge time.Duration
	now    func() time.Time
	// uidHost ends the UIDs of the calendar files' events (UIDHost).
	uidHost string

	current atomic.Pointer[Index]
	checked atomic.Int64 // unix nanoseconds of the last revision check
	reload  sync.Mutex
}

// NewService returns a catalogue service over s; zone is the school-holiday zone
// of the city ("C" for Paris).
func NewService(s *store.Store, words *i18n.Catalog, zone string, maxAge time.Duration, now func() time.Time, opts ...Option) *Service {
	svc := &Service{store: s, words: words, zone: zone, maxAge: maxAge, now: now, uidHost: "localhost"}
	for _, o := range opts {
		o(svc)
	}
	return svc
}

// Index returns a fresh enough index. When a reload is already running, callers
// get the previous index instead of waiting, so a peak never queues on reloads.
func (s *Service) Index(ctx context.Context) (*Index, error) {
	ix := s.current.Load()
	if ix != nil && s.now().UnixNano()-s.checked.Load() < int64(s.maxAge) {
		return ix, nil
	}
	if ix != nil && !s.reload.TryLock() {
		return ix, nil
	}
	if ix == nil {
		s.reload.Lock()
	}
	defer s.reload.Unlock()
	if cur := s.current.Load(); cur != nil && cur != ix {
		return cur, nil // another caller reloaded while we waited
	}
	if ix != nil {
		rev, err := s.store.CatalogueRevision(ctx)
		if err != nil {
			return ix, err
		}
		if rev == ix.Revision {
			s.checked.Store(s.now().UnixNano())
			return ix, nil
		}
	}
	c, err := s.store.LoadCatalogue(ctx)
	if err != nil {
		return ix, err
	}
	fresh := Build(c, s.words, s.zone)
	s.current.Store(fresh)
	s.checked.Store(s.now().UnixNano())
	return fresh, nil
}

// Invalidate makes the next Index call check the catalogue revision, so that
// the instance that made a change shows it at once; other instances see it
// within MaxAge.
func (s *Service) Invalidate() { s.checked.Store(0) }
