// Command documents measures the documents' speed target of issue 17: the
// end of the year's paperwork, --n attestations d'assiduité (ATT-2) and --n
// certificates of competences (CER-2), each a page with its own learner,
// number and QR code, rendered by --workers goroutines in this process, as
// print runs of --run documents per PDF (a course's, as the central service
// issues them; documents.AttendanceAttestationsPDF, CertificatesPDF). The
// baseline, in the same run with the same workers, is the learner cards'
// print run of PAY-6 (documents.CardsPDF, 25 to a PDF), whose target is the
// same 500 a second.
//
// Then --single documents of each kind are rendered one PDF each, as a
// learner downloads theirs (documents.AttendanceAttestationPDF,
// CertificatePDF), against one learner card alone (CardPDF): there fpdf
// parses, subsets and compresses the two embedded fonts for every PDF,
// which bounds the rate whatever the document draws.
//
// Usage:
//
//	go run ./bench/documents [--n 25000] [--run 25] [--single 2000] [--workers GOMAXPROCS]
//
// Target (issue 17): 25,000 attestations or certificates as PDF at 500 a
// second or more each, checked on the print runs. PASS/FAIL is printed; the
// command exits 0 either way.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cma/bench/internal/benchkit"
	"cma/internal/documents"
	"cma/internal/signedtoken"
)

// Options are the bench's settings.
type Options struct {
	N       int // documents of each kind, in print runs
	Run     int // documents per print run
	Single  int // documents of each kind rendered one PDF each
	Workers int
}

// Result is one kind's figures.
type Result struct {
	Name    string
	Docs    int
	Elapsed time.Duration
	Bytes   int64
	Rate    float64 // documents a second
	Ratio   float64 // Rate over the baseline's
	Single  bool    // one PDF each
}

// Target is issue 17's: documents a second.
const Target = 500

func main() {
	var o Options
	flag.IntVar(&o.N, "n", 25_000, "documents of each kind, in print runs")
	flag.IntVar(&o.Run, "run", 25, "documents per print run (a course)")
	flag.IntVar(&o.Single, "single", 2000, "documents of each kind rendered one PDF each (0: none)")
	flag.IntVar(&o.Workers, "workers", runtime.GOMAXPROCS(0), "goroutines rendering")
	flag.Parse()
	results, err := Run(context.Background(), o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench documents:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stdout, Verdict(results))
}

// The end of the year: certificates issued on 1 July 2027, attestations
// over the year's meetings.
var (
	paris, _  = time.LoadLocation("Europe/Paris")
	generated = time.Date(2027, 7, 1, 10, 0, 0, 0, paris)
	key       = []byte("bench documents key, 32 bytes..")
)

var (
	firstNames = []string{"Hélène", "Aïcha", "Jean-Baptiste", "Zoé", "Mamadou", "Françoise", "Nguyễn", "Léa", "Karim", "Éloïse"}
	lastNames  = []string{"Lefèvre", "N'Diaye", "Martin", "Dubois-Sánchez", "Traoré", "Rousseau", "Bernard", "Moreau", "Haddad", "Le Goff"}
	formations = []string{"Anglais — niveau intermédiaire", "Espagnol", "Comptabilité et gestion", "Bureautique : tableur",
		"Baccalauréat professionnel Électrotechnique, énergie, équipements communicants", "Français langue étrangère"}
	places = []string{"Lycée Voltaire, 101 avenue de la République, 75011 Paris",
		"École élémentaire Parmentier, 5 rue Parmentier, 75011 Paris", "Collège Jean-Moulin, 20 rue de la Paix, 75014 Paris"}
)

func token(purpose string, i int) string { return signedtoken.Sign(key, purpose, int64(i+1)) }

func attestation(i int) documents.AttendanceAttestation {
	held := 3000 + 30*(i%40)
	present := min(held, (3*held+3)/4+i%(held/4))
	return documents.AttendanceAttestation{Number: fmt.Sprintf("ASS-2027-%06d", i+1), FirstName: firstNames[i%len(firstNames)],
		LastName: lastNames[i/len(firstNames)%len(lastNames)], Formation: formations[i%len(formations)],
		CourseCode: "ANG-" + strconv.Itoa(10+i%80) + "-0" + strconv.Itoa(1+i%4), Establishment: places[i%len(places)],
		Session: "Année 2026-2027", FirstDay: time.Date(2026, 9, 14+i%7, 0, 0, 0, 0, time.UTC),
		LastDay: time.Date(2027, 6, 7+i%7, 0, 0, 0, 0, time.UTC), MinutesPresent: present, MinutesHeld: held,
		RateBP: present * 10000 / held, IssuedAt: generated,
		VerifyURL: "https://cours-adultes.paris.fr/attestation-assiduite/" + token("cma attendance attestation", i)}
}

func certificate(i int) documents.Certificate {
	return documents.Certificate{Number: fmt.Sprintf("CER-2027-%06d", i+1), FirstName: firstNames[i%len(firstNames)],
		LastName: lastNames[i/len(firstNames)%len(lastNames)], Formation: formations[i%len(formations)],
		Level: "Niveau " + strconv.Itoa(1+i%4), CourseCode: "ESP-" + strconv.Itoa(10+i%80) + "-0" + strconv.Itoa(1+i%4),
		Establishment: places[i%len(places)], Session: "Année 2026-2027",
		EvaluationDate: time.Date(2027, 6, 1+i%20, 0, 0, 0, 0, time.UTC), IssuedAt: generated,
		VerifyURL: "https://cours-adultes.paris.fr/certificat/" + token("cma certificate of competences", i)}
}

func card(i int) documents.LearnerCard {
	return documents.LearnerCard{FirstName: firstNames[i%len(firstNames)], LastName: lastNames[i/len(firstNames)%len(lastNames)],
		CourseCode: "ANG-" + strconv.Itoa(10+i%80) + "-01", Formation: formations[i%len(formations)], Establishment: places[i%len(places)],
		EstablishmentAddress: "101 avenue de la République, 75011 Paris", Session: "Année 2026-2027", Slot: "lundi 18 h 30 – 20 h 30",
		Number: fmt.Sprintf("C2026-%07d", i+1), IssuedOn: "5 octobre 2026",
		QRPayload: "https://cours-adultes.paris.fr/carte/" + token("cma learner card", i)}
}

// render makes n documents with workers goroutines, per documents at a time
// (one PDF each call of one, given the first index and how many).
func render(ctx context.Context, name string, n, per, workers int, one func(i, k int) ([]byte, error)) (Result, error) {
	var next, size atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(int64(per)) - int64(per))
				if i >= n {
					return
				}
				b, err := one(i, min(per, n-i))
				if err != nil {
					once.Do(func() { first = fmt.Errorf("%s %d: %w", name, i, err) })
					return
				}
				size.Add(int64(len(b)))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return Result{}, first
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return Result{Name: name, Docs: n, Elapsed: elapsed, Bytes: size.Load(), Rate: float64(n) / elapsed.Seconds()}, nil
}

// Run renders the baseline, the attestations and the certificates, and
// prints their figures.
func Run(ctx context.Context, o Options, out io.Writer) ([]Result, error) {
	if o.N <= 0 {
		return nil, fmt.Errorf("--n %d", o.N)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	fmt.Fprintln(out, benchkit.MachineLine())
	if o.Run <= 0 {
		o.Run = 25
	}
	fmt.Fprintf(out, "print runs: %d documents of each kind, %d to a PDF; one PDF each: %d of each kind; %d workers\n",
		o.N, o.Run, o.Single, o.Workers)
	cpu := benchkit.ReadCPU()
	var buf sync.Pool
	run := func(write func(i, k int, w io.Writer) error) func(i, k int) ([]byte, error) {
		return func(i, k int) ([]byte, error) {
			b, _ := buf.Get().(*bytes.Buffer)
			if b == nil {
				b = new(bytes.Buffer)
			}
			defer buf.Put(b)
			b.Reset()
			err := write(i, k, b)
			return b.Bytes(), err
		}
	}
	type kind struct {
		name   string
		single bool
		n, per int
		one    func(i, k int) ([]byte, error)
	}
	kinds := []kind{
		{"baseline: learner cards (CardsPDF)", false, o.N, o.Run, run(func(i, k int, w io.Writer) error {
			return documents.CardsPDF(cards(i, k), generated, w)
		})},
		{"attestations d'assiduité (ATT-2)", false, o.N, o.Run, run(func(i, k int, w io.Writer) error {
			return documents.AttendanceAttestationsPDF(attestations(i, k), generated, w)
		})},
		{"certificates of competences (CER-2)", false, o.N, o.Run, run(func(i, k int, w io.Writer) error {
			return documents.CertificatesPDF(certificates(i, k), generated, w)
		})},
	}
	if o.Single > 0 {
		kinds = append(kinds,
			kind{"baseline: one learner card (CardPDF)", true, o.Single, 1, func(i, _ int) ([]byte, error) {
				return documents.CardPDF(card(i), generated)
			}},
			kind{"one attestation d'assiduité a PDF", true, o.Single, 1, func(i, _ int) ([]byte, error) {
				return documents.AttendanceAttestationPDF(attestation(i), generated)
			}},
			kind{"one certificate a PDF", true, o.Single, 1, func(i, _ int) ([]byte, error) {
				return documents.CertificatePDF(certificate(i), generated)
			}})
	}
	var results []Result
	for _, k := range kinds {
		r, err := render(ctx, k.name, k.n, k.per, o.Workers, k.one)
		if err != nil {
			return nil, err
		}
		r.Single = k.single
		results = append(results, r)
	}
	fmt.Fprintf(out, "%-38s %8s %10s %10s %9s %7s\n", "", "docs", "time", "docs/s", "KiB/doc", "ratio")
	var base float64
	for i := range results {
		r := &results[i]
		if strings.HasPrefix(r.Name, "baseline") {
			base = r.Rate
		}
		r.Ratio = r.Rate / base
		fmt.Fprintf(out, "%-38s %8d %10s %10.0f %9.1f %6.2f×\n", r.Name, r.Docs, r.Elapsed.Round(time.Millisecond), r.Rate,
			float64(r.Bytes)/float64(r.Docs)/1024, r.Ratio)
	}
	fmt.Fprintf(out, "other processes took %s of the machine's CPU\n", benchkit.Pct(benchkit.ReadCPU().OtherShare(cpu)))
	return results, nil
}

func attestations(i, k int) []documents.AttendanceAttestation {
	out := make([]documents.AttendanceAttestation, k)
	for j := range out {
		out[j] = attestation(i + j)
	}
	return out
}

func certificates(i, k int) []documents.Certificate {
	out := make([]documents.Certificate, k)
	for j := range out {
		out[j] = certificate(i + j)
	}
	return out
}

func cards(i, k int) []documents.LearnerCard {
	out := make([]documents.LearnerCard, k)
	for j := range out {
		out[j] = card(i + j)
	}
	return out
}

// Verdict says whether the attestations' and the certificates' print runs
// each reach the target.
func Verdict(results []Result) string {
	for _, r := range results[1:3] {
		if r.Rate < Target {
			return fmt.Sprintf("FAIL: %s at %.0f/s in print runs, want at least %d/s", r.Name, r.Rate, Target)
		}
	}
	return fmt.Sprintf("PASS: attestations %.0f/s, certificates %.0f/s in print runs (target %d/s each)", results[1].Rate,
		results[2].Rate, Target)
}
