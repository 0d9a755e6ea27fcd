package payfip

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris without the system's zone database
)

const (
	testNumcli = "123456"
	testPrefix = "/dev/payfip"
)

// clock is the simulator's clock, moved by the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// platform stands for the application's side: urlnotif and urlredirect.
type platform struct {
	srv      *httptest.Server
	mu       sync.Mutex
	notified []string        // idOps, in arrival order
	requests []*http.Request // the notifications as received (method, headers)
	returned []url.Values    // the browsers' returns to urlredirect
	arrived  chan string
	// status, when set, answers urlnotif (for retry tests); nil: 200.
	status func(n int) int
	block  chan struct{} // when set, urlnotif waits for it to close
}

func newPlatform(t testing.TB) *platform {
	p := &platform{arrived: make(chan string, 100)}
	mux := http.NewServeMux()
	mux.HandleFunc("/notif", func(w http.ResponseWriter, r *http.Request) {
		id := NotificationIDOp(r)
		p.mu.Lock()
		n := len(p.requests)
		p.requests = append(p.requests, r)
		status, block := p.status, p.block
		p.mu.Unlock()
		if block != nil {
			<-block
		}
		if status != nil {
			if s := status(n); s != http.StatusOK {
				w.WriteHeader(s)
				return
			}
		}
		p.mu.Lock()
		p.notified = append(p.notified, id)
		p.mu.Unlock()
		p.arrived <- id
	})
	mux.HandleFunc("/retour", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		p.mu.Lock()
		p.returned = append(p.returned, r.Form)
		p.mu.Unlock()
		_, _ = io.WriteString(w, "retour")
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *platform) notifiedIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.notified...)
}

// waitNotified waits for one notification and returns its idOp.
func (p *platform) waitNotified(t *testing.T) string {
	t.Helper()
	select {
	case id := <-p.arrived:
		return id
	case <-time.After(5 * time.Second):
		t.Fatal("no notification arrived at urlnotif")
		return ""
	}
}

// fixture is a simulator served over HTTP, a client configured for it and the
// platform's endpoints.
type fixture struct {
	sim    *Simulator
	srv    *httptest.Server
	client *Client
	clock  *clock
	plat   *platform
}

func newFixture(t testing.TB, tweak func(*SimulatorOptions)) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 3, 17, 30, 0, 0, time.UTC)} // 18:30 in Paris
	opts := SimulatorOptions{Prefix: testPrefix, Numcli: testNumcli, Now: c.Now,
		NotifyBackoff: []time.Duration{time.Millisecond, time.Millisecond}}
	if tweak != nil {
		tweak(&opts)
	}
	sim := NewSimulator(opts)
	mux := http.NewServeMux()
	mux.Handle(testPrefix+"/", sim.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	client, err := NewClient(Config{
		Endpoint: srv.URL + testPrefix + "/services/securite", PaymentPage: srv.URL + testPrefix + "/paiement",
		Numcli: testNumcli, Saisie: "T", Timeout: 5 * time.Second,
	}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{sim: sim, srv: srv, client: client, clock: c, plat: newPlatform(t)}
}

func (f *fixture) request(refdet string, montant int64) CreateRequest {
	return CreateRequest{Exer: 2026, Mel: "leonie.martin@exemple.fr", Montant: montant,
		Objet: "Cours municipaux d adultes anglais A1", Refdet: refdet,
		URLNotif: f.plat.srv.URL + "/notif", URLRedirect: f.plat.srv.URL + "/retour"}
}

func (f *fixture) create(t *testing.T, refdet string, montant int64) string {
	t.Helper()
	id, err := f.client.CreatePayment(context.Background(), f.request(refdet, montant))
	if err != nil {
		t.Fatalf("CreatePayment: %v", err)
	}
	return id
}

// postSOAP sends body to the simulator's endpoint as is and decodes the answer.
func (f *fixture) postSOAP(t *testing.T, body string) (int, soapEnvelope) {
	t.Helper()
	resp, err := f.srv.Client().Post(f.srv.URL+testPrefix+"/services/securite", "text/xml; charset=utf-8", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env soapEnvelope
	if err := xml.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("the answer (HTTP %d) is not a SOAP envelope: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, env
}

// htmlDoc is what the tests read of a page.
type htmlDoc struct {
	Lang    string
	H1      string
	Text    string // all the text, spaces collapsed
	Forms   []htmlForm
	Labels  map[string]string // for → text
	IDs     map[string]bool
	Scripts []string
}

type htmlForm struct {
	Action, Method string
	Hidden         url.Values
	Inputs         []string // names of the visible inputs
	Buttons        []htmlButton
}

type htmlButton struct{ Name, Value, Text string }

// parseHTML reads a page with encoding/xml's HTML mode: enough for pages the
// simulator writes.
func parseHTML(t *testing.T, body string) htmlDoc {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	doc := htmlDoc{Labels: map[string]string{}, IDs: map[string]bool{}}
	var stack []string
	var text, h1, label, button strings.Builder
	var labelFor string
	var form *htmlForm
	var btn *htmlButton
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	in := func(name string) bool {
		for _, s := range stack {
			if s == name {
				return true
			}
		}
		return false
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("page not readable: %v\n%s", err, body)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(e.Name.Local)
			if id := attr(e, "id"); id != "" {
				doc.IDs[id] = true
			}
			switch name {
			case "html":
				doc.Lang = attr(e, "lang")
			case "form":
				doc.Forms = append(doc.Forms, htmlForm{Action: attr(e, "action"), Method: strings.ToLower(attr(e, "method")), Hidden: url.Values{}})
				form = &doc.Forms[len(doc.Forms)-1]
			case "input":
				if form != nil {
					if attr(e, "type") == "hidden" {
						form.Hidden.Set(attr(e, "name"), attr(e, "value"))
					} else {
						form.Inputs = append(form.Inputs, attr(e, "name"))
					}
				}
			case "button":
				btn = &htmlButton{Name: attr(e, "name"), Value: attr(e, "value")}
				button.Reset()
			case "label":
				labelFor = attr(e, "for")
				label.Reset()
			case "script":
				doc.Scripts = append(doc.Scripts, attr(e, "src"))
			}
			if name != "input" && name != "meta" && name != "link" {
				stack = append(stack, name)
			}
		case xml.EndElement:
			name := strings.ToLower(e.Name.Local)
			switch name {
			case "form":
				form = nil
			case "button":
				if btn != nil && form != nil {
					btn.Text = strings.TrimSpace(button.String())
					form.Buttons = append(form.Buttons, *btn)
				}
				btn = nil
			case "label":
				doc.Labels[labelFor] = strings.TrimSpace(label.String())
			}
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == name {
					stack = stack[:i]
					break
				}
			}
		case xml.CharData:
			s := string(e)
			if in("title") || in("script") || in("style") {
				continue
			}
			text.WriteString(s)
			if in("h1") {
				h1.WriteString(s)
			}
			if in("label") {
				label.WriteString(s)
			}
			if in("button") {
				button.WriteString(s)
			}
		}
	}
	doc.Text = strings.Join(strings.Fields(text.String()), " ")
	doc.H1 = strings.TrimSpace(h1.String())
	return doc
}

// get fetches a page of the simulator.
func (f *fixture) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := f.srv.Client().Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// noRedirect is a client that shows redirects instead of following them.
func noRedirect(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}
