package app

import (
	"fmt"
	"strconv"
	"time"

	"cma/internal/config"
	"cma/internal/i18n"
)

// demoClock is the platform's one clock in demo mode with --demo-now: it
// starts at start when the command starts and runs from there, at the pace of
// base (the environment's clock): now = start + (base() − base at the start).
// Every decision (candidature periods, cancellations, deadlines, jobs, the
// demo data's "today", web sessions' idle times) reads it through env.Now.
func demoClock(base func() time.Time, start time.Time) func() time.Time {
	origin := base()
	return func() time.Time { return start.Add(base().Sub(origin)) }
}

// platformClock returns the clock the command's services read: the
// environment's, or with --demo --demo-now the demo clock started now.
// shifted says whether it is the demo clock.
func platformClock(cfg *config.Config, env Env) (now func() time.Time, shifted bool) {
	if start, ok := cfg.DemoStart(); ok {
		return demoClock(env.Now, start), true
	}
	return env.Now, false
}

// frenchInstant words an instant for the serve banner, in Paris time:
// "mardi 22 décembre 2026, 23:59:30".
func frenchInstant(words *i18n.Catalog, t time.Time, loc *time.Location) string {
	p := words.Printer(i18n.French)
	t = t.In(loc)
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %s %d, %02d:%02d:%02d", p.T("weekday."+strconv.Itoa(int(t.Weekday()))), day,
		p.T("month."+strconv.Itoa(int(t.Month()))), t.Year(), t.Hour(), t.Minute(), t.Second())
}
