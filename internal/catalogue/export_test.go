package catalogue

// The internals the external tests (facets_test.go) compare the search with.

var (
	LevelRank   = levelRank
	WeekdayRank = weekdayRank
)

func (ix *Index) KeywordMatches(words []string) []uint64 { return ix.keywordMatches(words) }
func (ix *Index) Entries() []*Entry                      { return ix.entries }
func (ix *Index) Vocabulary() []string                   { return ix.vocabulary }
func (ix *Index) Postings() [][]int32                    { return ix.postings }
func (e *Entry) Matches(f Filter) bool                   { return e.matches(f) }
