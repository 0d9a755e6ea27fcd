package domain

import "errors"

// ErrNotFound says that what was named by its ID does not exist. The store
// returns it (wrapped with what was looked for), so that services and workers
// tell a missing row from a failure without importing the store.
var ErrNotFound = errors.New("not found")
