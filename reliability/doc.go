// Package reliability holds black-box tests of the real cma binary under
// concurrency and crashes (issue 4, CAN-1..CAN-4): two `cma serve` instances
// on one PostgreSQL database validating the same baskets at once, and a server
// killed with SIGKILL in the middle of a burst of validations then restarted.
// The tests drive the platform over HTTP like browsers (signing in through the
// development identity provider of demo mode) and check the database with SQL.
// The selection drills (issue 14) run `cma select`; the waiting-list drills
// (issue 15, waitlist_test.go) burst randomized answers at two instances, one
// SIGKILLed, and compare the outcome with a single-threaded replay. The
// attendance drill (issue 17, attendance_test.go) saves registers in a burst
// through an instance SIGKILLed midway and checks no mark is lost or doubled.
//
// PostgreSQL tests need CMA_TEST_POSTGRES, for example
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable; without it they
// skip and say so. The SQLite crash test always runs.
package reliability
