// Package catalogue serves the public catalogue (CAT-1..7): it keeps the whole
// catalogue in memory, searches it, and reloads it when the database says it
// changed. A city's catalogue is a few thousand courses; searching them in memory
// answers every visitor of a registration peak without touching the database.
package catalogue

import (
	"cmp"
	"context"
	"fmt"
	mbits "math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cma/internal/calendar"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
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

	// keywords are the numbers (wordTable) of the folded words the course
	// is found by: its formation's, level's and establishment's, shared with
	// other courses, then its own code's and trainer's.
	keywords [][]int32
	sortKey  string
}

// Describe words the course for a person's emails and documents: course is
// its code, weekday and time and establishment ("ANG-B1-12, lundi
// 18:30–20:30, Voltaire"), address the establishment's postal address, first
// its first class meeting ("lundi 14/09/2026 à 18:30"), "" when unknown.
// weekday names a day in the reader's language.
func (e *Entry) Describe(weekday func(time.Weekday) string) (course, address, first string) {
	course = e.Code + ", " + weekday(e.Weekday) + " " + domain.FormatClock(e.StartMinute) + "–" + domain.FormatClock(e.EndMinute)
	if e.Establishment != nil {
		course += ", " + e.Establishment.Name
		address = strings.TrimSpace(e.Establishment.Name + ", " + e.Establishment.Address + " " +
			e.Establishment.PostalCode + " " + e.Establishment.City)
	}
	if !e.FirstClass.IsZero() {
		first = strings.TrimSpace(weekday(e.FirstClass.Weekday()) + " " + e.FirstClass.Format("02/01/2006") + " à " +
			domain.FormatClock(e.StartMinute))
	}
	return course, address, first
}

// Seat names the course in an email to a person of that first name, whose
// space is at spaceURL; weekday writes a day's name.
func (e *Entry) Seat(firstName, spaceURL string, weekday func(time.Weekday) string) mail.Seat {
	course, address, first := e.Describe(weekday)
	return mail.Seat{FirstName: firstName, Formation: e.Formation.Title, SpaceURL: spaceURL, Course: course, Address: address,
		First: first}
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

	// The filters' index (facets.go): for each value of each filter, the
	// display positions of the courses having it, as a bitset, so that a
	// search costs a few ANDs of bitsets rather than a look at every course.
	facets facetIndex
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
	names := make(map[int64]string, len(ix.Establishments))
	for _, e := range ix.Establishments {
		names[e.ID] = domain.SearchKey(e.Name)
	}
	slices.SortFunc(ix.Establishments, func(a, b domain.Establishment) int {
		return strings.Compare(names[a.ID], names[b.ID])
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
	// A course's keywords are its formation's, its level's and its
	// establishment's, which many courses share, and its own code and
	// trainer: each text is folded and split once per catalogue, not once
	// per course (at 20,000 courses, the folding was most of a reload).
	vocab := newWordTable()
	formationWords := map[int64][]int32{}
	sortKeys := map[int64]string{}
	levelWords := map[domain.Level][]int32{}
	establishmentWords := map[int64][]int32{}
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
		fw, ok := formationWords[f.ID]
		if !ok {
			fw = vocab.of(f.Title, f.DiplomaName, f.Code, fr.T("subject."+string(f.Subject)), en.T("subject."+string(f.Subject)))
			formationWords[f.ID] = fw
			sortKeys[f.ID] = domain.SearchKey(f.Title)
		}
		lw, ok := levelWords[co.Level]
		if !ok {
			lw = vocab.of(fr.T("level."+string(co.Level)), en.T("level."+string(co.Level)))
			levelWords[co.Level] = lw
		}
		ew, ok := establishmentWords[e.Establishment.ID]
		if !ok {
			ew = vocab.of(e.Establishment.Name, e.Establishment.PostalCode, strconv.Itoa(e.Establishment.District)+"e")
			establishmentWords[e.Establishment.ID] = ew
		}
		e.keywords = [][]int32{fw, lw, ew, vocab.once(co.Code), vocab.of(co.Trainer)}
		e.sortKey = sortKeys[f.ID]
		ix.byID[co.ID] = e
		if co.Archived || !e.Session.Public() {
			continue // found by ID, never searched, listed or printed
		}
		ix.entries = append(ix.entries, e)
	}
	// Display order: formation title (folded), level, weekday from Monday,
	// start, establishment name, ID. The texts are ranked once, so that the
	// sort compares numbers.
	titleRank, nameRank := rankOf(ix.entries, func(e *Entry) string { return e.sortKey }),
		rankOf(ix.entries, func(e *Entry) string { return e.Establishment.Name })
	order := make([]sortable, len(ix.entries))
	for i, e := range ix.entries {
		order[i] = sortable{e, titleRank[e.sortKey], levelRank(e.Level), weekdayRank(e.Weekday), nameRank[e.Establishment.Name]}
	}
	slices.SortFunc(order, func(a, b sortable) int {
		return cmp.Or(a.title-b.title, a.level-b.level, a.weekday-b.weekday, a.StartMinute-b.StartMinute,
			a.name-b.name, cmp.Compare(a.ID, b.ID))
	})
	for i := range order {
		ix.entries[i] = order[i].Entry
	}
	ix.buildKeywordIndex(vocab)
	ix.facets = buildFacets(ix.entries)
	return ix
}

// sortable is an entry with the ranks it is sorted by.
type sortable struct {
	*Entry
	title, level, weekday, name int
}

// rankOf numbers the distinct texts of the entries in their order
// (strings.Compare): equal texts, equal ranks.
func rankOf(entries []*Entry, text func(*Entry) string) map[string]int {
	rank := map[string]int{}
	for _, e := range entries {
		rank[text(e)] = 0
	}
	texts := make([]string, 0, len(rank))
	for t := range rank {
		texts = append(texts, t)
	}
	slices.Sort(texts)
	for i, t := range texts {
		rank[t] = i
	}
	return rank
}

// wordTable numbers the distinct folded words of the catalogue's texts.
type wordTable struct {
	ids   map[string]int32
	words []string
	texts map[string][]int32 // a text's words, folded once
}

func newWordTable() *wordTable {
	return &wordTable{ids: map[string]int32{}, texts: map[string][]int32{}}
}

// once is of for a text met once (a course's code): not kept.
func (t *wordTable) once(text string) []int32 {
	var out []int32
	for _, w := range strings.Fields(domain.SearchKey(text)) {
		out = append(out, t.id(w))
	}
	return out
}

func (t *wordTable) id(w string) int32 {
	id, ok := t.ids[w]
	if !ok {
		id = int32(len(t.words))
		t.ids[w] = id
		t.words = append(t.words, w)
	}
	return id
}

// of returns the numbers of the words of texts (domain.SearchKey folded),
// in order, repeats included.
func (t *wordTable) of(texts ...string) []int32 {
	var out []int32
	for _, text := range texts {
		ids, ok := t.texts[text]
		if !ok {
			for _, w := range strings.Fields(domain.SearchKey(text)) {
				ids = append(ids, t.id(w))
			}
			t.texts[text] = ids
		}
		out = append(out, ids...)
	}
	return out
}

// buildKeywordIndex sorts the vocabulary and lists, for each word, the
// display positions of the courses holding it.
func (ix *Index) buildKeywordIndex(vocab *wordTable) {
	byWord := make([][]int32, len(vocab.words))
	for i, e := range ix.entries {
		for _, ids := range e.keywords {
			for _, w := range ids {
				list := byWord[w]
				if len(list) == 0 || list[len(list)-1] != int32(i) { // a word twice in one course counts once
					byWord[w] = append(list, int32(i))
				}
			}
		}
	}
	order := make([]int32, 0, len(byWord))
	for w, list := range byWord {
		if len(list) > 0 { // words of unlisted courses only (archived, draft session) are not searched
			order = append(order, int32(w))
		}
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(vocab.words[a], vocab.words[b]) })
	ix.vocabulary = make([]string, len(order))
	ix.postings = make([][]int32, len(order))
	for i, w := range order {
		ix.vocabulary[i], ix.postings[i] = vocab.words[w], byWord[w]
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
// the candidature periods are read at for f.OpenOnly. It works on bitsets of
// the display positions (the keyword index and facets.go), so that its cost
// grows with the catalogue by a few machine words per thousand courses, not by
// a look at every course; Entry.matches is the same rule, course by course.
func (ix *Index) Search(f Filter, now time.Time) (Result, error) {
	keyword := ix.keywordMatches(strings.Fields(domain.SearchKey(f.Query)))
	perPage := f.PerPage
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	page := max(f.Page, 1)
	first := (page - 1) * perPage
	res := Result{Page: page, Items: make([]*Entry, 0, perPage)}
	var open []int64 // the sessions taking candidatures at now, read once per search
	if f.OpenOnly != nil && *f.OpenOnly {
		open = make([]int64, 0, len(ix.Sessions))
		for _, se := range ix.Sessions {
			if se.CandidatureOpen(now) {
				open = append(open, se.ID)
			}
		}
	}
	bits := ix.facets.narrow(keyword, f, open, len(ix.entries))
	for k, word := range bits {
		n := mbits.OnesCount64(word)
		if res.Total+n > first && len(res.Items) < perPage {
			for w := word; w != 0; w &= w - 1 {
				pos := k*64 + mbits.TrailingZeros64(w)
				if res.Total >= first && len(res.Items) < perPage {
					res.Items = append(res.Items, ix.entries[pos])
				}
				res.Total++
			}
			continue
		}
		res.Total += n
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

// matches applies every filter but the keywords and the candidature state to
// one course: the rule that facetIndex.narrow applies to all at once (a test
// holds the two together).
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

// DefaultMaxAge is how often serve's catalogue service checks the revision
// (one single-row query, only when requests come): a change committed by one
// instance is served by the others within it plus one reload, LoadCatalogue
// and Build, which take about half a second at 21,000 courses on a busy
// 2-core machine (bench/reload). A quarter of a second keeps the whole under
// the second.
const DefaultMaxAge = 250 * time.Millisecond

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
