package calendar

import (
	"bytes"
	"os/exec"
	"testing"
	"time"
)

// icalendarReader is a small Python program reading an iCalendar file from
// standard input with the icalendar library (Debian's python3-icalendar), as
// calendar apps built on it do: one line per event, its times in Paris.
const icalendarReader = `
import sys, icalendar, zoneinfo
paris = zoneinfo.ZoneInfo("Europe/Paris")
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
print("name", cal.get("X-WR-CALNAME"))
for e in cal.walk("VEVENT"):
    print("|".join([str(e.get("UID")), e.decoded("DTSTART").astimezone(paris).strftime("%Y-%m-%d %H:%M %z"),
        e.decoded("DTEND").astimezone(paris).strftime("%H:%M"), str(e.decoded("SEQUENCE")),
        e.decoded("LAST-MODIFIED").strftime("%Y-%m-%dT%H:%M:%SZ"), e.decoded("DTSTAMP").strftime("%Y-%m-%dT%H:%M:%SZ"),
        str(e.get("STATUS", "")), str(e.get("SUMMARY"))]))
`

// python3WithICalendar finds a Python that imports icalendar: Debian's
// /usr/bin/python3 first (another python3 on the PATH may lack the package).
func python3WithICalendar() (string, bool) {
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if exec.Command(p, "-c", "import icalendar, zoneinfo").Run() == nil {
			return p, true
		}
	}
	return "", false
}

// TestWriteICS_CAT5_readByPythonICalendar has the calendar written for a
// 19:00–21:00 Monday course read back by an independent reader, across both
// daylight-saving changes of Europe/Paris (25 October 2026, 28 March 2027):
// the class stays at 19:00 in Paris, the meetings skipped for the Toussaint
// holidays and Easter Monday are cancelled, SEQUENCE, LAST-MODIFIED and DTSTAMP read as written.
func TestWriteICS_CAT5_readByPythonICalendar(t *testing.T) {
	python, ok := python3WithICalendar()
	if !ok {
		t.Skip("python3 with icalendar not found (Debian package python3-icalendar): independent iCalendar reading not checked")
	}
	paris := loadParis(t)
	closures := Closures{School: zoneC20262027(t)}
	modified := time.Date(2026, time.November, 30, 18, 45, 0, 0, paris)
	var events []Event
	for _, first := range []time.Time{Day(2026, time.October, 12), Day(2027, time.March, 22)} {
		for _, m := range Meetings(first, first.AddDate(0, 0, 14), time.Monday, 19*60, 21*60, paris, closures, false) {
			summary := "Anglais (Débutant), « atelier »; niveau 1"
			if m.Skipped {
				summary = "Pas de cours : " + m.Reason + " — " + summary
			}
			events = append(events, Event{UID: "ANG-01-" + m.Date.Format("20060102") + "@cours.paris.fr", Summary: summary,
				Location: "École Émile-Zola, 12 rue de l'Église", Start: m.Start, End: m.End, Cancelled: m.Skipped,
				Sequence: 2, Modified: modified})
		}
	}
	var buf bytes.Buffer
	if err := WriteICS(&buf, "Anglais — ANG-01", time.Date(2026, time.December, 2, 9, 0, 0, 0, paris), events); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", icalendarReader)
	cmd.Stdin = &buf
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3-icalendar: %v\n%s", err, out)
	}
	const tail = "|21:00|2|2026-11-30T17:45:00Z|2026-12-02T08:00:00Z|"
	want := "name Anglais — ANG-01\n" +
		"ANG-01-20261012@cours.paris.fr|2026-10-12 19:00 +0200" + tail + "|Anglais (Débutant), « atelier »; niveau 1\n" +
		"ANG-01-20261019@cours.paris.fr|2026-10-19 19:00 +0200" + tail + "CANCELLED|Pas de cours : Vacances de la Toussaint — Anglais (Débutant), « atelier »; niveau 1\n" +
		"ANG-01-20261026@cours.paris.fr|2026-10-26 19:00 +0100" + tail + "CANCELLED|Pas de cours : Vacances de la Toussaint — Anglais (Débutant), « atelier »; niveau 1\n" +
		"ANG-01-20270322@cours.paris.fr|2027-03-22 19:00 +0100" + tail + "|Anglais (Débutant), « atelier »; niveau 1\n" +
		"ANG-01-20270329@cours.paris.fr|2027-03-29 19:00 +0200" + tail + "CANCELLED|Pas de cours : Lundi de Pâques — Anglais (Débutant), « atelier »; niveau 1\n" +
		"ANG-01-20270405@cours.paris.fr|2027-04-05 19:00 +0200" + tail + "|Anglais (Débutant), « atelier »; niveau 1\n"
	if got := string(out); got != want {
		t.Errorf("python3-icalendar reads:\n%s\nwant:\n%s", got, want)
	}
}
