// Package e2e walks the public journeys of the real cma program in headless
// Debian Chromium, driven by chromedp, and checks every page it visits with
// axe-core (WCAG 2.1 A and AA rules).
//
// The program runs in-process, as WTF Dial's cmd/wtfd/main_test.go does: app.Run
// with `serve --addr 127.0.0.1:0 --demo` on a fresh SQLite file, stopped by
// cancelling its context, which must end in a graceful shutdown.
//
// Needs: Debian `chromium` and axe-core in e2e/node_modules (`npm ci --prefix e2e`);
// `.ci/run` installs both. Without them the tests skip, unless CMA_E2E_REQUIRED=1,
// which makes a missing tool a failure (CI sets it).
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"cma/internal/app"
)

// artifactsDir holds screenshots for people to look at (gitignored).
const artifactsDir = "artifacts"

// axePath is where `npm ci --prefix e2e` puts axe-core.
const axePath = "node_modules/axe-core/axe.min.js"

// required reports whether missing tools are a failure rather than a skip.
func required() bool { return os.Getenv("CMA_E2E_REQUIRED") == "1" }

// missing skips the test, or fails it when CMA_E2E_REQUIRED=1.
func missing(t *testing.T, skipMsg, fatalMsg string) {
	t.Helper()
	if required() {
		t.Fatal(fatalMsg)
	}
	t.Skip(skipMsg)
}

// browserTools are what a browser journey needs from outside the module.
type browserTools struct{ chromium, axe string }

// needBrowser finds Chromium and axe-core, or skips the test (fails it under
// CMA_E2E_REQUIRED=1). Call it before starting anything.
func needBrowser(t *testing.T) browserTools {
	t.Helper()
	return browserTools{chromium: findChromium(t), axe: loadAxe(t)}
}

// findChromium returns the path of the Debian chromium binary, skipping the
// test (or failing it under CMA_E2E_REQUIRED=1) when there is none.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "e2e: Debian chromium not installed; `.ci/run` installs it — skipping browser journeys",
		"e2e: CMA_E2E_REQUIRED=1 but no `chromium` or `chromium-browser` on PATH; install Debian chromium "+
			"(`apt-get install --no-install-recommends chromium`, as .ci/run does)")
	return ""
}

// loadAxe reads axe-core's source from e2e/node_modules.
func loadAxe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		missing(t, "e2e: axe-core not installed in e2e/node_modules; run `npm ci --prefix e2e` (.ci/run does) — skipping browser journeys",
			fmt.Sprintf("e2e: CMA_E2E_REQUIRED=1 but axe-core is missing (%v); run `npm ci --prefix e2e`", err))
	}
	return string(src)
}

// syncBuffer collects the server's log lines; it is written from other goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the real program — `cma serve --demo` on a fresh SQLite
// database in a temporary folder — and returns its base URL. At cleanup it
// cancels the program's context and checks that Run returned nil (graceful stop).
func startServer(t *testing.T, now func() time.Time) string {
	t.Helper()
	base, _ := startServerDB(t, now)
	return base
}

// startServerDB is startServer that also returns the database's URL, for
// journeys that set up what the browser cannot (an email the relay refused).
func startServerDB(t *testing.T, now func() time.Time) (base, dbURL string) {
	t.Helper()
	dbURL = "sqlite:" + filepath.Join(t.TempDir(), "e2e.db")
	base, _ = startServerWith(t, now, []string{"--db", dbURL}, nil)
	return base, dbURL
}

// startServerWith is startServer with more command-line arguments (a later
// flag overrides an earlier one) and the given CMA_* environment (secrets
// such as CMA_OIDC_CLIENT_SECRET only come from there). It also returns the
// server's log, for tests that read it.
func startServerWith(t *testing.T, now func() time.Time, extraArgs []string, environ map[string]string) (string, *syncBuffer) {
	t.Helper()
	base, logs, _ := startStoppableServer(t, now, extraArgs, environ)
	return base, logs
}

// startStoppableServer is startServerWith that also returns stop, which ends
// the program at once and checks it stopped gracefully (a journey restarting
// the platform on the same database, with another demo clock); cleanup stops
// it when the journey did not.
func startStoppableServer(t *testing.T, now func() time.Time, extraArgs []string, environ map[string]string) (string, *syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	ready := make(chan string, 1)
	env := app.Env{
		Getenv: func(k string) string { return environ[k] }, // no CMA_* from the caller's shell
		Stdout: logs,
		Stderr: logs,
		Now:    now,
		Ready:  func(addr string) { ready <- addr },
	}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "off", "--db", "sqlite:" + filepath.Join(t.TempDir(), "e2e.db"), "--demo",
		"--demo-candidatures=false"} // the journeys count what they file; one may pass --demo-candidatures
	args = append(args, extraArgs...)
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, args, env) }()

	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("cma serve stopped before it was ready: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("cma serve not ready after 30s\n%s", logs)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("cma serve did not stop gracefully: Run returned %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("cma serve still running 20s after its context was cancelled")
			}
			if t.Failed() {
				t.Logf("server log:\n%s", logs)
			}
		})
	}
	t.Cleanup(stop)
	return "http://" + addr, logs, stop
}

// browser is one headless Chromium tab plus the test it belongs to.
type browser struct {
	t   *testing.T
	ctx context.Context // the tab's context, without deadline
	axe string          // axe-core source
}

// newBrowser starts headless Chromium with a fresh profile. At cleanup, if the
// test failed, it saves a full-page screenshot under e2e/artifacts/ first.
// Call it after startServer, so that cleanup takes the screenshot and closes
// the browser before the server stops.
func newBrowser(t *testing.T, tools browserTools) *browser {
	t.Helper()
	exe, axe := tools.chromium, tools.axe
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium-profile")),
		chromedp.WindowSize(1280, 900),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() { cancel(); acancel() })

	// Start the browser with a context that has no deadline: it lives as long as ctx.
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium (%s): %v", exe, err)
	}
	t.Logf("chromium started in %v", time.Since(start).Round(time.Millisecond))
	b := &browser{t: t, ctx: ctx, axe: axe}
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot(strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "-failure")
		}
	})
	return b
}

// do runs actions with a deadline, failing the test with what it was doing.
func (b *browser) do(what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its result.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %q: %v", expr, err)
	}
	return v
}

// navigate loads a URL and waits for the page to be loaded.
func (b *browser) navigate(url string) {
	b.t.Helper()
	b.do("navigate to "+url, 15*time.Second, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
}

// press sends key presses (see package kb) to the focused element.
func (b *browser) press(keys string) {
	b.t.Helper()
	b.do(fmt.Sprintf("press %q", keys), 5*time.Second, chromedp.KeyEvent(keys))
}

// pressAndWaitLoad presses keys that should load a new page, and waits for it.
func (b *browser) pressAndWaitLoad(keys string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.KeyEvent(keys))); err != nil {
		b.t.Fatalf("press %q and wait for the next page: %v", keys, err)
	}
}

// tabUntil presses Tab until the JavaScript predicate (about document.activeElement)
// holds, and returns how many presses it took. It fails after max presses.
func (b *browser) tabUntil(what, predicate string, max int) int {
	b.t.Helper()
	for i := 1; i <= max; i++ {
		b.press(kb.Tab)
		if eval[bool](b, predicate) {
			return i
		}
	}
	b.t.Fatalf("keyboard: %s not reached after %d Tab presses (focus is on %s)", what, max, b.focused())
	return 0
}

// focused describes the focused element, for messages.
func (b *browser) focused() string {
	return eval[string](b, `(() => { const e = document.activeElement; if (!e) return "nothing";
		return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).split(" ").join(".") : "") +
			" " + JSON.stringify((e.textContent || e.value || "").trim().slice(0, 60)); })()`)
}

// screenshot saves a full-page PNG under e2e/artifacts/ and logs its path.
func (b *browser) screenshot(name string) string {
	return b.saveScreenshot(name, chromedp.FullScreenshot(100))
}

// screenshotScreen saves what the viewport shows, scrolled to the element with
// the id (or the top of the page when id is ""), as a PNG under e2e/artifacts/.
func (b *browser) screenshotScreen(name, id string) string {
	b.t.Helper()
	if id == "" {
		b.do("scroll to the top", 5*time.Second, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	} else {
		b.do("scroll to #"+id, 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').scrollIntoView()`))
	}
	return b.saveScreenshot(name, chromedp.CaptureScreenshot())
}

func (b *browser) saveScreenshot(name string, capture chromedp.Action[[]byte]) string {
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, capture)
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p, _ := filepath.Abs(filepath.Join(artifactsDir, name+".png"))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot: %s", p)
	return p
}

// axeViolation is one failed axe-core rule with its first offending node.
type axeViolation struct {
	ID, Impact, Help, HelpURL string
	Nodes                     int
	Target, HTML, Summary     string
}

// axeReport is what checkA11y reads back from the page.
type axeReport struct {
	Violations []axeViolation
	Passes     int
	Incomplete []string
	Version    string
}

// phoneWidth and phoneHeight are the phone the journeys emulate, in CSS pixels
// (an iPhone X-sized screen, the narrowest in common use).
const phoneWidth, phoneHeight = 375, 812

// emulatePhone makes the tab a 375×812 phone (mobile, portrait, 2× pixels)
// until emulateDesktop.
func (b *browser) emulatePhone() {
	b.t.Helper()
	b.do(fmt.Sprintf("emulate a %d×%d phone", phoneWidth, phoneHeight), 5*time.Second,
		chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
}

// emulateDesktop returns the tab to the window it started with (1280×900).
// chromedp.ResetViewport does not: headless Chromium keeps the phone's width
// under its zero-sized override; clearing the override does.
func (b *browser) emulateDesktop() {
	b.t.Helper()
	b.do("back to the desktop viewport", 5*time.Second, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{})
		return err
	}))
}

// checkA11y checks the current page with axe-core at desktop and at phone
// width (what one width hides, such as a table that scrolls sideways, the
// other shows), each within timeout, and leaves the tab at the width it found
// it in: a journey may call it at either width.
func (b *browser) checkA11y(name string, timeout time.Duration) {
	b.t.Helper()
	if eval[int](b, `window.innerWidth`) <= phoneWidth {
		b.axeCheck(name+fmt.Sprintf(" (%d px)", phoneWidth), timeout)
		b.emulateDesktop()
		b.axeCheck(name+" (desktop)", timeout)
		b.emulatePhone()
		return
	}
	b.axeCheck(name+" (desktop)", timeout)
	b.emulatePhone()
	b.axeCheck(name+fmt.Sprintf(" (%d px)", phoneWidth), timeout)
	b.emulateDesktop()
}

// axeCheck injects axe-core into the current page, runs the WCAG 2.0/2.1 A and
// AA rules at the current viewport, and fails the test listing every violation.
func (b *browser) axeCheck(name string, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	// Runtime.evaluate comes from DevTools, so the page's CSP (script-src 'self',
	// no inline script) does not stop it; no Page.setBypassCSP needed.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
		b.t.Fatalf("axe on %s: inject axe-core: %v", name, err)
	}
	const run = `axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
		resultTypes: ['violations']
	}).then(r => ({
		Version: r.testEngine.version,
		Passes: r.passes.length,
		Incomplete: r.incomplete.map(i => i.id),
		Violations: r.violations.map(v => ({
			ID: v.id, Impact: v.impact || '', Help: v.help, HelpURL: v.helpUrl, Nodes: v.nodes.length,
			Target: v.nodes.length ? JSON.stringify(v.nodes[0].target) : '',
			HTML: v.nodes.length ? v.nodes[0].html.slice(0, 300) : '',
			Summary: v.nodes.length ? (v.nodes[0].failureSummary || '') : ''
		}))
	}))`
	start := time.Now()
	rep, err := chromedp.Run(ctx, chromedp.Evaluate[axeReport](run, chromedp.EvalAwaitPromise))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			b.t.Fatalf("axe on %s: no answer within %v", name, timeout)
		}
		b.t.Fatalf("axe on %s: %v", name, err)
	}
	b.t.Logf("axe-core %s on %s: %d violations, %d rules passed, %d to review by hand %v (%v)",
		rep.Version, name, len(rep.Violations), rep.Passes, len(rep.Incomplete), rep.Incomplete,
		time.Since(start).Round(time.Millisecond))
	if len(rep.Violations) == 0 {
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "axe-core found %d accessibility violation(s) on %s:\n", len(rep.Violations), name)
	for _, v := range rep.Violations {
		fmt.Fprintf(&sb, "  - %s [%s] %s (%d node(s); %s)\n      first: %s %s\n      %s\n",
			v.ID, v.Impact, v.Help, v.Nodes, v.HelpURL, v.Target, v.HTML,
			strings.ReplaceAll(v.Summary, "\n", "\n      "))
	}
	b.t.Error(sb.String())
}

// noHorizontalScroll fails when the page is wider than the viewport.
func (b *browser) noHorizontalScroll(name string) {
	b.t.Helper()
	type widths struct{ Scroll, Client int }
	w := eval[widths](b, `({Scroll: document.documentElement.scrollWidth, Client: document.documentElement.clientWidth})`)
	if w.Scroll > w.Client {
		wide := eval[string](b, `(() => { const cw = document.documentElement.clientWidth; const out = [];
			for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect();
				if (r.right > cw + 1) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' right=' + Math.round(r.right)); }
			return out.slice(0, 8).join(', '); })()`)
		b.t.Errorf("%s scrolls sideways at phone width: scrollWidth %d > clientWidth %d; too wide: %s", name, w.Scroll, w.Client, wide)
	}
}
