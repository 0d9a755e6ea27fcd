package store

// WriteSlots is how many grouped transactions may run at once on PostgreSQL.
func WriteSlots(s *Store) int { return cap(s.writeSlots) }
