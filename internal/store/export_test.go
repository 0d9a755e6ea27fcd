package store

// WriteSlots is how many grouped transactions may run at once on PostgreSQL.
func WriteSlots(s *Store) int { return cap(s.writeSlots) }

// Queued is how many requests wait in the batcher's queue.
func (b *Batcher[T]) Queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}
