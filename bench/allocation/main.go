// Command allocation is the selection engine's scale benchmark: it generates a
// synthetic session (allocation.Synthetic, the generator of `cma select
// simulate`) of 1,000,000 candidatures over 20,000 courses, and reports the
// engine's time as a ratio to a plain sort of the same records measured in the
// same run, and its peak memory.
//
//	go run ./bench/allocation [--candidatures 1000000] [--courses 20000]
//	    [--seed 1] [--repeat 3]
//
// Targets (issue): engine time ≤ 10× the plain sort; peak memory < 1 GB.
// See bench/README.md.
package main

import (
	"bufio"
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cma/internal/allocation"
)

// Targets of the issue.
const (
	MaxRatio = 10.0
	MaxPeak  = 1 << 30 // bytes
)

// Options are the benchmark's settings.
type Options struct {
	Candidatures int
	Courses      int
	Seed         uint64
	Repeat       int // measurements of each side (the median is kept)
}

// Report is what a run measured.
type Report struct {
	Candidatures, Courses, Formations int
	Engine, Sort                      []time.Duration // each measurement
	EngineMedian, SortMedian          time.Duration
	Ratio                             float64
	// InputHeap is the live heap holding the generated input before the
	// engine runs; EngineHeapPeak the highest heap (objects) sampled while
	// the engine ran, input included; VmHWM the process's peak resident set
	// (Linux), everything included.
	InputHeap, EngineHeapPeak, VmHWM uint64
	Accepted, Clashes                int
}

func main() {
	var o Options
	flag.IntVar(&o.Candidatures, "candidatures", 1_000_000, "candidatures to generate")
	flag.IntVar(&o.Courses, "courses", 20_000, "courses to generate")
	flag.Uint64Var(&o.Seed, "seed", 1, "seed of the data and the lottery")
	flag.IntVar(&o.Repeat, "repeat", 3, "measurements of each side (median kept)")
	flag.Parse()
	if _, err := Run(o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/allocation:", err)
		os.Exit(1)
	}
}

// record is what the baseline sorts: one row per candidature, with the
// fields of the priority key.
type record struct {
	course     allocation.CourseID
	candidate  allocation.CandidateID
	evaluation int16
	social     bool
	rec, mot   int8
}

// Run measures and writes the report to out (progress lines go to progress).
func Run(o Options, out, progress io.Writer) (*Report, error) {
	if o.Repeat < 1 {
		o.Repeat = 1
	}
	fmt.Fprintf(progress, "machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s; %s; %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0),
		runtime.GOOS, runtime.GOARCH, cpuModel(), runtime.Version(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	t0 := time.Now()
	in := allocation.Synthetic(allocation.SyntheticConfig{Candidatures: o.Candidatures, Courses: o.Courses, Seed: o.Seed})
	fmt.Fprintf(progress, "generated %d candidatures, %d courses, %d formations in %s\n",
		len(in.Candidatures), len(in.Courses), len(in.Formations), time.Since(t0).Round(time.Millisecond))
	rep := &Report{Candidatures: len(in.Candidatures), Courses: len(in.Courses), Formations: len(in.Formations)}

	runtime.GC()
	rep.InputHeap = heapObjects()

	// The engine first, alone, for its memory peak.
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sample the heap while the engine runs (runtime/metrics: no stop-the-world)
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapObjects(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	res, err := allocation.Allocate(in)
	close(stop)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	rep.EngineHeapPeak = peak.Load()
	for _, d := range res.Decisions {
		if d.Outcome == allocation.Accepted {
			rep.Accepted++
		}
	}
	rep.Clashes = len(res.Clashes)
	res = nil
	runtime.GC()
	debug.FreeOSMemory()

	// Time: baseline and engine alternate, so a change in the machine's load
	// moves both; each side's median is kept.
	records := make([]record, len(in.Candidatures))
	for k := range o.Repeat {
		rep.Sort = append(rep.Sort, timeSort(in, records))
		runtime.GC()
		start := time.Now()
		if _, err := allocation.Allocate(in); err != nil {
			return nil, err
		}
		rep.Engine = append(rep.Engine, time.Since(start))
		runtime.GC()
		fmt.Fprintf(progress, "round %d/%d: sort %s, engine %s\n", k+1, o.Repeat, rep.Sort[k].Round(time.Millisecond), rep.Engine[k].Round(time.Millisecond))
	}
	rep.Sort = append(rep.Sort, timeSort(in, records))
	rep.SortMedian, rep.EngineMedian = median(rep.Sort), median(rep.Engine)
	rep.Ratio = float64(rep.EngineMedian) / float64(max(rep.SortMedian, 1))
	rep.VmHWM = vmHWM()

	verdict := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "FAIL"
	}
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "input: %d candidatures, %d courses, %d formations (seed %d); accepted %d; CAN-3 clash removals %d\n",
		rep.Candidatures, rep.Courses, rep.Formations, o.Seed, rep.Accepted, rep.Clashes)
	fmt.Fprintf(w, "baseline: slices.SortFunc of the %d records by (course, evaluation, social, record, motivation, candidate): median %s of %d\n",
		rep.Candidatures, rep.SortMedian.Round(time.Millisecond), len(rep.Sort))
	fmt.Fprintf(w, "engine:   allocation.Allocate (validation, lists, deferred acceptance, CAN-3, outcomes, explanations' data, fairness, digest): median %s of %d\n",
		rep.EngineMedian.Round(time.Millisecond), len(rep.Engine))
	fmt.Fprintf(w, "ratio engine / sort: %.2fx (target <= %.0fx) %s\n", rep.Ratio, MaxRatio, verdict(rep.Ratio <= MaxRatio))
	fmt.Fprintf(w, "memory: input heap %s; heap peak during the engine %s (engine's own: %s); process peak RSS (VmHWM) %s (target < 1 GiB) %s\n",
		mib(rep.InputHeap), mib(rep.EngineHeapPeak), mib(rep.EngineHeapPeak-min(rep.InputHeap, rep.EngineHeapPeak)), mib(rep.VmHWM),
		verdict(max(rep.VmHWM, rep.EngineHeapPeak) < MaxPeak))
	return rep, w.Flush()
}

// timeSort copies the records out of the input (not timed) and times the sort.
func timeSort(in allocation.Input, records []record) time.Duration {
	for k := range in.Candidatures {
		c := &in.Candidatures[k]
		records[k] = record{course: c.Course, candidate: c.Candidate, evaluation: c.Evaluation, social: c.Social != 0, rec: c.Record, mot: c.Motivation}
	}
	runtime.GC()
	start := time.Now()
	slices.SortFunc(records, func(a, b record) int {
		return cmp.Or(cmp.Compare(a.course, b.course), -cmp.Compare(a.evaluation, b.evaluation), -cmpBool(a.social, b.social),
			-cmp.Compare(a.rec, b.rec), -cmp.Compare(a.mot, b.mot), cmp.Compare(a.candidate, b.candidate))
	})
	return time.Since(start)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapObjects() uint64 {
	s := make([]metrics.Sample, 1)
	s[0].Name = heapSample[0].Name
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// vmHWM is the process's peak resident set size from /proc/self/status (0 off Linux).
func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb uint64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
