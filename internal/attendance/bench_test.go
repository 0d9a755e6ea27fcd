package attendance_test

import (
	"context"
	"strconv"
	"testing"

	"cma/internal/attendance"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// BenchmarkSave is one register saved in process on PostgreSQL, a day's
// marks for the course's learners each time: the cost a trainer's phone
// waits for, without HTTP. bench/attendance measures the same over HTTP at
// the peak of the evening.
func BenchmarkSave(b *testing.B) {
	d := dbtest.Postgres(b)
	e := newEnv(b, d)
	b.ResetTimer()
	for i := range b.N {
		sub := attendance.Submission{Key: "p" + strconv.Itoa(i)}
		for j, c := range e.learners {
			m := domain.MarkPresent
			if (i+j)%3 == 0 {
				m = domain.MarkLate
			}
			sub.Marks = append(sub.Marks, attendance.Entry{CandidatureID: c, Mark: m})
		}
		if _, err := e.svc.Save(context.Background(), e.trainer, e.course.ID, e.days[i%len(e.days)], sub); err != nil {
			b.Fatal(err)
		}
	}
}
