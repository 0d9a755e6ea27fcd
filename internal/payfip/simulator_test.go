package payfip

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

// A card payment, end to end: the operation is created, its page is the
// configured one, the payer pays, urlnotif receives the idOp alone, and the
// detail call gives the result with the operation's amount and references.
func TestSimulator_PAY1_card_paid_then_detail(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, "CMA2026D000123", 4500)
	if want := f.srv.URL + testPrefix + "/paiement?idop=" + url.QueryEscape(id); f.client.PaymentURL(id) != want {
		t.Errorf("PaymentURL = %q, want %q", f.client.PaymentURL(id), want)
	}
	if err := f.sim.Pay(ctx, id, ResultPaidCard); err != nil {
		t.Fatal(err)
	}
	if got := f.plat.waitNotified(t); got != id {
		t.Errorf("notified idOp %q, want %q", got, id)
	}
	f.plat.mu.Lock()
	req := f.plat.requests[0]
	f.plat.mu.Unlock()
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("notification %s %q, want a form POST", req.Method, req.Header.Get("Content-Type"))
	}
	if len(req.PostForm) != 1 || req.PostForm.Get("idop") != id {
		t.Errorf("notification form %v, want idop alone", req.PostForm)
	}
	d, err := f.client.Detail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Paid() || d.Refused() || d.Abandoned() || d.Resultrans != "P" {
		t.Errorf("detail %+v: want paid by card", d)
	}
	if d.Montant != 4500 || d.Refdet != "CMA2026D000123" || d.Numcli != testNumcli || d.IDOp != id ||
		d.Exer != "2026" || d.Mel != "leonie.martin@exemple.fr" || d.Saisie != "T" || d.Objet != "Cours municipaux d adultes anglais A1" {
		t.Errorf("detail %+v does not repeat the operation", d)
	}
	if !regexp.MustCompile(`^\d{6}$`).MatchString(d.Numauto) {
		t.Errorf("numauto %q, want 6 digits for a card payment", d.Numauto)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if want := time.Date(2026, 12, 3, 18, 30, 0, 0, paris); !d.PaidAt.Equal(want) || d.PaidAt.Location().String() != "Europe/Paris" {
		t.Errorf("PaidAt = %v, want %v (dattrans/heurtrans in Paris)", d.PaidAt, want)
	}
}

// The other outcomes: direct debit paid, card or debit refused, abandoned.
func TestSimulator_PAY1_outcomes(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range []struct {
		result                   string
		paid, refused, abandoned bool
	}{
		{ResultPaidDebit, true, false, false},
		{ResultRefusedCard, false, true, false},
		{ResultRefusedDebit, false, true, false},
		{ResultAbandoned, false, false, true},
	} {
		t.Run(c.result, func(t *testing.T) {
			id := f.create(t, "REF"+c.result+"0001", 12000)
			if err := f.sim.Pay(ctx, id, c.result); err != nil {
				t.Fatal(err)
			}
			d, err := f.client.Detail(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Resultrans != c.result || d.Paid() != c.paid || d.Refused() != c.refused || d.Abandoned() != c.abandoned {
				t.Errorf("detail %+v: want %s", d, c.result)
			}
			if d.Numauto != "" {
				t.Errorf("numauto %q for %s, want none", d.Numauto, c.result)
			}
		})
	}
	if err := f.sim.Pay(ctx, f.create(t, "REFBAD0001", 100), "X"); !errors.Is(err, ErrSimBadResult) {
		t.Errorf("Pay X: %v, want ErrSimBadResult", err)
	}
}

// Before any result the detail call answers P5, a functional fault that is not
// temporary; an unknown idOp answers P1.
func TestSimulator_PAY1_detail_before_result_is_P5_and_unknown_is_P1(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, "CMA2026D000200", 4500)
	_, err := f.client.Detail(ctx, id)
	var fault *Fault
	if !IsNotYetKnown(err) || IsUnknownOperation(err) || IsTemporary(err) || !errors.As(err, &fault) || fault.Kind != FaultFonctionnelle {
		t.Errorf("detail before the result: %v, want FonctionnelleErreur P5", err)
	}
	_, err = f.client.Detail(ctx, "00000000-0000-4000-8000-000000000000")
	if !IsUnknownOperation(err) || IsNotYetKnown(err) || IsTemporary(err) {
		t.Errorf("detail of an unknown idOp: %v, want P1", err)
	}
}

// After 15 minutes the page says the delay is over and offers nothing, Pay
// refuses, the detail call still answers P5; a day later the operation is
// purged and answers P1.
func TestSimulator_PAY1_expiry_then_purge(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, "CMA2026D000300", 4500)
	f.clock.Advance(15 * time.Minute)
	status, body := f.get(t, testPrefix+"/paiement?idop="+id)
	doc := parseHTML(t, body)
	if status != http.StatusGone || !strings.Contains(doc.H1, "Délai de paiement dépassé") || len(doc.Forms) != 0 {
		t.Errorf("expired page: HTTP %d, h1 %q, %d forms; want 410, the delay, no form", status, doc.H1, len(doc.Forms))
	}
	if err := f.sim.Pay(ctx, id, ResultPaidCard); !errors.Is(err, ErrSimExpired) {
		t.Errorf("Pay after expiry: %v, want ErrSimExpired", err)
	}
	if _, err := f.client.Detail(ctx, id); !IsNotYetKnown(err) {
		t.Errorf("detail after expiry: %v, want P5 (as eopayment expects until the purge)", err)
	}
	f.clock.Advance(24 * time.Hour)
	if _, err := f.client.Detail(ctx, id); !IsUnknownOperation(err) {
		t.Errorf("detail a day later: %v, want P1", err)
	}
	if len(f.sim.Operations()) != 0 {
		t.Errorf("operations after the purge: %v", f.sim.Operations())
	}
}

// A paid operation is kept a day too, then purged.
func TestSimulator_purges_settled_operations_after_a_day(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, "CMA2026D000301", 4500)
	if err := f.sim.Pay(ctx, id, ResultPaidCard); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(23 * time.Hour)
	if _, err := f.client.Detail(ctx, id); err != nil {
		t.Errorf("detail 23 hours later: %v", err)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.client.Detail(ctx, id); !IsUnknownOperation(err) {
		t.Errorf("detail a day later: %v, want P1", err)
	}
}

// The simulator keeps at most MaxOperations, the oldest going first.
func TestSimulator_is_bounded(t *testing.T) {
	f := newFixture(t, func(o *SimulatorOptions) { o.MaxOperations = 3 })
	first := f.create(t, "BOUND00001", 100)
	for i := range 3 {
		f.create(t, "BOUND0000"+string(rune('2'+i)), 100)
	}
	if n := len(f.sim.Operations()); n != 3 {
		t.Errorf("%d operations held, want 3", n)
	}
	if _, err := f.client.Detail(ctx, first); !IsUnknownOperation(err) {
		t.Errorf("the oldest: %v, want P1", err)
	}
}

// The simulator itself refuses a malformed refdet (R3) or mel (A2) with a
// FonctionnelleErreur, as PayFiP, for a caller that skipped the checks.
func TestSimulator_refuses_bad_refdet_and_mel(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range []struct{ refdet, mel, code string }{
		{"AB-1", "leonie.martin@exemple.fr", CodeBadRefdet},
		{"CMA2026D000400", "sans-arobase.fr", CodeBadMel},
		{"CMA2026D000400", "a@b", CodeBadMel},
	} {
		w := newEnvelope("soapenv")
		w.open("pai:"+opCreate, "pai", ServiceNamespace)
		w.open("arg0", "", "")
		for _, kv := range [][2]string{{"exer", "2026"}, {"mel", c.mel}, {"montant", "4500"}, {"numcli", testNumcli},
			{"refdet", c.refdet}, {"saisie", "T"}, {"urlnotif", "https://cma.exemple/n"}, {"urlredirect", "https://cma.exemple/r"}} {
			w.field(kv[0], kv[1])
		}
		w.close("arg0")
		w.close("pai:" + opCreate)
		status, env := f.postSOAP(t, w.finish("soapenv"))
		if env.Body.Fault == nil {
			t.Fatalf("%s/%s: no fault", c.refdet, c.mel)
		}
		fault := env.Body.Fault.toFault()
		if status != http.StatusInternalServerError || fault.Kind != FaultFonctionnelle || fault.Code != c.code || fault.Libelle == "" {
			t.Errorf("%s/%s: HTTP %d %+v, want 500 FonctionnelleErreur %s", c.refdet, c.mel, status, fault, c.code)
		}
	}
	if n := len(f.sim.Operations()); n != 0 {
		t.Errorf("%d operations created by refused requests", n)
	}
}

// The client checks its input before calling PayFiP, as PayFiP does.
func TestClient_refuses_bad_input_locally(t *testing.T) {
	f := newFixture(t, nil)
	good := f.request("CMA2026D000500", 4500)
	for name, change := range map[string]func(*CreateRequest){
		"refdet short":   func(r *CreateRequest) { r.Refdet = "AB12" },
		"refdet dash":    func(r *CreateRequest) { r.Refdet = "CMA-2026-0001" },
		"refdet long":    func(r *CreateRequest) { r.Refdet = strings.Repeat("A", 31) },
		"mel without @":  func(r *CreateRequest) { r.Mel = "leonie.exemple.fr" },
		"mel too short":  func(r *CreateRequest) { r.Mel = "a@b.c" },
		"mel too long":   func(r *CreateRequest) { r.Mel = strings.Repeat("a", 75) + "@ex.fr" },
		"objet accented": func(r *CreateRequest) { r.Objet = "Cours d'écriture" },
		"objet too long": func(r *CreateRequest) { r.Objet = strings.Repeat("a", 101) },
		"montant zero":   func(r *CreateRequest) { r.Montant = 0 },
		"exer":           func(r *CreateRequest) { r.Exer = 26 },
		"urlnotif":       func(r *CreateRequest) { r.URLNotif = "/notif" },
		"urlredirect":    func(r *CreateRequest) { r.URLRedirect = "javascript:alert(1)" },
	} {
		r := good
		change(&r)
		if _, err := f.client.CreatePayment(ctx, r); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %v, want ErrInvalidRequest", name, err)
		}
	}
	if n := len(f.sim.Operations()); n != 0 {
		t.Errorf("%d operations created for refused inputs", n)
	}
	r := good
	r.Objet = ""
	if _, err := f.client.CreatePayment(ctx, r); err != nil {
		t.Errorf("an empty objet is allowed: %v", err)
	}
}

func TestSanitizeObjet(t *testing.T) {
	for in, want := range map[string]string{
		"Cours d'anglais — niveau A1 (Élémentaire)": "Cours d anglais niveau A1 Elementaire",
		"Œuvres  choisies : Ça, là-bas !":           "OEuvres choisies Ca la bas",
		"  ":                                        "",
		"Prix : 45,00 € l’année":                    "Prix 45 00 l annee",
		"Cours n°3 & TP":                            "Cours n 3 TP",
	} {
		if got := SanitizeObjet(in); got != want {
			t.Errorf("SanitizeObjet(%q) = %q, want %q", in, got, want)
		}
	}
	long := SanitizeObjet(strings.Repeat("Éducation ", 20))
	if len(long) > 100 || !validObjet(long) || strings.HasSuffix(long, " ") {
		t.Errorf("long objet %q (%d): not a valid objet", long, len(long))
	}
}

func TestConfig_Validate_names_the_settings(t *testing.T) {
	err := Config{Saisie: "P", Numcli: "12345"}.Validate()
	for _, name := range []string{"CMA_PAYFIP_ENDPOINT", "CMA_PAYFIP_PAYMENT_PAGE", "CMA_PAYFIP_NUMCLI", "CMA_PAYFIP_SAISIE"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Validate: %v, want it to name %s", err, name)
		}
	}
	good := Config{Endpoint: "https://www.payfip.gouv.fr/tpa/services/securite",
		PaymentPage: "https://www.payfip.gouv.fr/tpa/paiementws.web", Numcli: "000123", Saisie: "W"}
	if err := good.Validate(); err != nil {
		t.Errorf("a good config: %v", err)
	}
	if _, err := NewClient(Config{}, nil); err == nil {
		t.Error("NewClient accepted an empty config")
	}
}

// CheckContract succeeds for the simulator's contract, fails for another.
func TestClient_CheckContract(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.client.CheckContract(ctx); err != nil {
		t.Errorf("known contract: %v", err)
	}
	other, err := NewClient(Config{Endpoint: f.srv.URL + testPrefix + "/services/securite",
		PaymentPage: f.srv.URL + testPrefix + "/paiement", Numcli: "654321", Saisie: "T"}, f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	var fault *Fault
	if err := other.CheckContract(ctx); !errors.As(err, &fault) || fault.Kind != FaultFonctionnelle {
		t.Errorf("unknown contract: %v, want a FonctionnelleErreur", err)
	}
	if _, err := other.CreatePayment(ctx, f.request("CMA2026D000600", 100)); !errors.As(err, &fault) {
		t.Errorf("creating under an unknown contract: %v, want a fault", err)
	}
}

// FailNextDetail makes the detail call fail temporarily, then answer again.
func TestSimulator_FailNextDetail_is_temporary(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, "CMA2026D000700", 4500)
	if err := f.sim.Pay(ctx, id, ResultPaidCard); err != nil {
		t.Fatal(err)
	}
	f.sim.FailNextDetail(2)
	for i := range 2 {
		_, err := f.client.Detail(ctx, id)
		var fault *Fault
		if !IsTemporary(err) || !errors.As(err, &fault) || fault.Kind != FaultTechIndisponibilite {
			t.Errorf("call %d: %v, want a temporary TechIndisponibiliteErreur", i+1, err)
		}
	}
	if d, err := f.client.Detail(ctx, id); err != nil || !d.Paid() {
		t.Errorf("third call: %+v %v, want paid", d, err)
	}
}

// SetDetailDelay slows the detail call down, within the given range.
func TestSimulator_SetDetailDelay(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, "CMA2026D000800", 4500)
	f.sim.SetDetailDelay(50*time.Millisecond, 60*time.Millisecond)
	start := time.Now()
	if _, err := f.client.Detail(ctx, id); !IsNotYetKnown(err) {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("detail answered in %v, want at least 50ms", d)
	}
	f.sim.SetDetailDelay(0, 0)
	// The client's own timeout applies.
	f.sim.SetDetailDelay(time.Second, time.Second)
	short, _ := NewClient(Config{Endpoint: f.srv.URL + testPrefix + "/services/securite",
		PaymentPage: f.srv.URL + testPrefix + "/paiement", Numcli: testNumcli, Saisie: "T", Timeout: 50 * time.Millisecond}, f.srv.Client())
	if _, err := short.Detail(ctx, id); !IsTemporary(err) {
		t.Errorf("timed-out detail: %v, want temporary", err)
	}
}

// Network errors and HTTP 5xx without SOAP are temporary; an answer larger than
// 1 MiB is refused.
func TestClient_transport_errors(t *testing.T) {
	f := newFixture(t, nil)
	mux := http.NewServeMux()
	mux.HandleFunc("/503", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "<S:Envelope xmlns:S=\""+SOAPNamespace+"\"><S:Body>")
		_, _ = io.WriteString(w, strings.Repeat(" ", 2<<20))
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "<html>hello</html>") })
	other := newTestServer(t, mux)
	client := func(endpoint string) *Client {
		c, err := NewClient(Config{Endpoint: endpoint, PaymentPage: f.srv.URL + "/p", Numcli: testNumcli, Saisie: "T"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := client(other.URL+"/503").Detail(ctx, "x"); !IsTemporary(err) {
		t.Errorf("HTTP 503: %v, want temporary", err)
	}
	if _, err := client(other.URL+"/big").Detail(ctx, "x"); err == nil || !strings.Contains(err.Error(), "larger than") || IsTemporary(err) {
		t.Errorf("2 MiB answer: %v, want refused as too large", err)
	}
	if _, err := client(other.URL+"/html").Detail(ctx, "x"); err == nil || IsTemporary(err) {
		t.Errorf("HTML answer: %v, want a non-temporary error", err)
	}
	closed := newTestServer(t, mux)
	closed.Close()
	if _, err := client(closed.URL).Detail(ctx, "x"); !IsTemporary(err) {
		t.Errorf("connection refused: %v, want temporary", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.client.Detail(cancelled, "x"); err == nil || IsTemporary(err) {
		t.Errorf("cancelled by the caller: %v, want a non-temporary error", err)
	}
}

// A request the simulator cannot read gets a SOAP fault, never a panic or an
// HTML page; so does one larger than 1 MiB.
func TestSimulator_malformed_SOAP_gets_a_fault(t *testing.T) {
	f := newFixture(t, nil)
	for name, body := range map[string]string{
		"not xml":        "<not xml",
		"empty":          "",
		"no envelope":    "<hello/>",
		"soap 1.2":       `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`,
		"empty body":     `<e:Envelope xmlns:e="` + SOAPNamespace + `"><e:Body/></e:Envelope>`,
		"unknown op":     `<e:Envelope xmlns:e="` + SOAPNamespace + `"><e:Body><p:payer xmlns:p="` + ServiceNamespace + `"/></e:Body></e:Envelope>`,
		"wrong ns":       `<e:Envelope xmlns:e="` + SOAPNamespace + `"><e:Body><creerPaiementSecurise/></e:Body></e:Envelope>`,
		"too large":      `<e:Envelope xmlns:e="` + SOAPNamespace + `"><e:Body><x>` + strings.Repeat("a", 2<<20) + `</x></e:Body></e:Envelope>`,
		"two operations": `<e:Envelope xmlns:e="` + SOAPNamespace + `"><e:Body><p:recupererDetailClient xmlns:p="` + ServiceNamespace + `"/><p:recupererDetailClient xmlns:p="` + ServiceNamespace + `"/></e:Body></e:Envelope>`,
	} {
		status, env := f.postSOAP(t, body)
		if status != http.StatusInternalServerError || env.Body.Fault == nil || env.Body.Fault.Code == "" || env.Body.Fault.String == "" {
			t.Errorf("%s: HTTP %d, fault %+v; want 500 with a SOAP fault", name, status, env.Body.Fault)
			continue
		}
		if fault := env.Body.Fault.toFault(); fault.Kind != "" || fault.temporary() {
			t.Errorf("%s: %+v, want a bare client fault", name, fault)
		}
	}
}

// The WSDL is served, well-formed, names the operations and the endpoint.
func TestSimulator_serves_its_WSDL(t *testing.T) {
	f := newFixture(t, nil)
	status, body := f.get(t, testPrefix+"/services/securite?wsdl")
	if status != http.StatusOK {
		t.Fatalf("HTTP %d", status)
	}
	type definitions struct {
		XMLName   xml.Name
		Target    string `xml:"targetNamespace,attr"`
		PortTypes []struct {
			Operations []struct {
				Name   string `xml:"name,attr"`
				Faults []struct {
					Name string `xml:"name,attr"`
				} `xml:"fault"`
			} `xml:"operation"`
		} `xml:"portType"`
		Address struct {
			Location string `xml:"location,attr"`
		} `xml:"service>port>address"`
	}
	var d definitions
	dec := xml.NewDecoder(strings.NewReader(body))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("WSDL not well-formed: %v", err)
	}
	if d.XMLName.Local != "definitions" || d.XMLName.Space != "http://schemas.xmlsoap.org/wsdl/" || d.Target != ServiceNamespace {
		t.Errorf("root %v target %q", d.XMLName, d.Target)
	}
	var ops []string
	for _, pt := range d.PortTypes {
		for _, op := range pt.Operations {
			ops = append(ops, op.Name)
			if len(op.Faults) != 4 {
				t.Errorf("%s declares %d faults, want 4", op.Name, len(op.Faults))
			}
		}
	}
	if strings.Join(ops, ",") != "creerPaiementSecurise,recupererDetailPaiementSecurise,recupererDetailClient" {
		t.Errorf("operations %v", ops)
	}
	if want := f.srv.URL + testPrefix + "/services/securite"; d.Address.Location != want {
		t.Errorf("address %q, want %q", d.Address.Location, want)
	}
}

// The payment page in French: heading, amount, objet, reference, labelled
// fields, the five buttons; pressing one records the result, notifies and sends
// the browser back to urlredirect with the idOp, by a form as PayFiP does.
func TestSimulator_PAY1_payment_page_in_French(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, "CMA2026D000900", 4500)
	status, body := f.get(t, strings.TrimPrefix(f.client.PaymentURL(id), f.srv.URL))
	if status != http.StatusOK {
		t.Fatalf("HTTP %d", status)
	}
	doc := parseHTML(t, body)
	if doc.Lang != "fr" || doc.H1 != "Simulateur PayFiP — paiement par carte" {
		t.Errorf("lang %q, h1 %q", doc.Lang, doc.H1)
	}
	if !strings.Contains(body, "45,00\u00a0€") {
		t.Error("the amount is not written the French way, 45,00 with a no-break space before €")
	}
	for _, want := range []string{"45,00 €", "Cours municipaux d adultes anglais A1", "CMA2026D000900"} {
		if !strings.Contains(doc.Text, want) {
			t.Errorf("the page does not show %q: %s", want, doc.Text)
		}
	}
	if len(doc.Forms) != 1 {
		t.Fatalf("%d forms", len(doc.Forms))
	}
	form := doc.Forms[0]
	for _, name := range form.Inputs {
		found := false
		for id, text := range doc.Labels {
			if text != "" && doc.IDs[id] && id == name {
				found = true
			}
		}
		if !found {
			t.Errorf("input %q has no label", name)
		}
	}
	wantButtons := map[string]string{"Payer (carte acceptée)": "P", "Payer par prélèvement": "V", "Carte refusée": "R",
		"Prélèvement refusé": "Z", "Abandonner": "A"}
	if len(form.Buttons) != len(wantButtons) {
		t.Errorf("buttons %v", form.Buttons)
	}
	var pay htmlButton
	for _, b := range form.Buttons {
		if wantButtons[b.Text] != b.Value || b.Name != "resultat" {
			t.Errorf("button %+v", b)
		}
		if b.Value == "P" {
			pay = b
		}
	}
	if form.Method != "post" || form.Action != testPrefix+"/paiement" || form.Hidden.Get("idop") != id || form.Hidden.Get("jeton") == "" {
		t.Errorf("form %+v", form)
	}
	values := form.Hidden
	values.Set(pay.Name, pay.Value)
	resp, err := f.srv.Client().PostForm(f.srv.URL+form.Action, values)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	back := parseHTML(t, string(b))
	if resp.StatusCode != http.StatusOK || len(back.Forms) != 1 {
		t.Fatalf("after paying: HTTP %d, %d forms\n%s", resp.StatusCode, len(back.Forms), b)
	}
	ret := back.Forms[0]
	if ret.Method != "post" || ret.Action != f.plat.srv.URL+"/retour" || ret.Hidden.Get("idop") != id || len(back.Scripts) != 1 {
		t.Errorf("return form %+v, scripts %v", ret, back.Scripts)
	}
	if got := f.plat.waitNotified(t); got != id {
		t.Errorf("notified %q", got)
	}
	// The browser follows: the form posts idop to urlredirect.
	resp, err = http.PostForm(ret.Action, ret.Hidden)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	f.plat.mu.Lock()
	returned := f.plat.returned
	f.plat.mu.Unlock()
	if len(returned) != 1 || returned[0].Get("idop") != id {
		t.Errorf("urlredirect received %v", returned)
	}
	if d, err := f.client.Detail(ctx, id); err != nil || d.Resultrans != "P" {
		t.Errorf("detail %+v %v", d, err)
	}
	// One attempt per idOp: the page now says so and offers nothing.
	_, body = f.get(t, testPrefix+"/paiement?idop="+id)
	again := parseHTML(t, body)
	if len(again.Forms) != 0 || !strings.Contains(again.H1, "déjà traité") {
		t.Errorf("settled page: h1 %q, %d forms", again.H1, len(again.Forms))
	}
	resp, err = f.srv.Client().PostForm(f.srv.URL+form.Action, values)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if op, _ := f.sim.Operation(id); op.Resultrans != "P" {
		t.Errorf("a second post changed the result to %q", op.Resultrans)
	}
	// The script the return page loads exists.
	if status, js := f.get(t, back.Scripts[0]); status != http.StatusOK || !strings.Contains(js, "submit") {
		t.Errorf("return script: HTTP %d %q", status, js)
	}
}

// With ReturnWithRedirect the browser goes back by a 303 carrying ?idop=.
func TestSimulator_PAY1_return_by_redirect(t *testing.T) {
	f := newFixture(t, func(o *SimulatorOptions) { o.ReturnWithRedirect = true })
	id := f.create(t, "CMA2026D000950", 4500)
	_, body := f.get(t, testPrefix+"/paiement?idop="+id)
	form := parseHTML(t, body).Forms[0]
	form.Hidden.Set("resultat", "R")
	resp, err := noRedirect(f.srv.Client()).PostForm(f.srv.URL+form.Action, form.Hidden)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != f.plat.srv.URL+"/retour?idop="+url.QueryEscape(id) {
		t.Errorf("HTTP %d Location %q", resp.StatusCode, loc)
	}
}

// A post without the page's token records nothing.
func TestSimulator_payment_form_needs_its_token(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, "CMA2026D001000", 4500)
	for _, token := range []string{"", "0123456789abcdef"} {
		resp, err := f.srv.Client().PostForm(f.srv.URL+testPrefix+"/paiement", url.Values{"idop": {id}, "jeton": {token}, "resultat": {"P"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("token %q: HTTP %d, want 403", token, resp.StatusCode)
		}
	}
	if op, _ := f.sim.Operation(id); op.Resultrans != "" {
		t.Errorf("result %q recorded without the token", op.Resultrans)
	}
	status, body := f.get(t, testPrefix+"/paiement?idop=inconnu")
	if status != http.StatusNotFound || !strings.Contains(parseHTML(t, body).H1, "Opération inconnue") {
		t.Errorf("unknown page: HTTP %d", status)
	}
}

// Notifications: late, twice, never, held, out of order, per operation.
func TestSimulator_notification_modes(t *testing.T) {
	t.Run("late", func(t *testing.T) {
		f := newFixture(t, nil)
		f.sim.SetNotifyMode(NotifyLate(150 * time.Millisecond))
		id := f.create(t, "LATE000001", 100)
		start := time.Now()
		if err := f.sim.Pay(ctx, id, ResultPaidCard); err != nil {
			t.Fatal(err)
		}
		if got := f.plat.waitNotified(t); got != id || time.Since(start) < 150*time.Millisecond {
			t.Errorf("notified %q after %v, want after 150ms", got, time.Since(start))
		}
	})
	t.Run("late, flushed early", func(t *testing.T) {
		f := newFixture(t, nil)
		f.sim.SetNotifyMode(NotifyLate(time.Hour))
		id := f.create(t, "LATE000002", 100)
		_ = f.sim.Pay(ctx, id, ResultPaidCard)
		if err := f.sim.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.plat.notifiedIDs(); len(got) != 1 || got[0] != id {
			t.Errorf("notified %v", got)
		}
	})
	t.Run("twice", func(t *testing.T) {
		f := newFixture(t, nil)
		f.sim.SetNotifyMode(NotifyTwice)
		id := f.create(t, "TWICE00001", 100)
		_ = f.sim.Pay(ctx, id, ResultPaidCard)
		if err := f.sim.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.plat.notifiedIDs(); len(got) != 2 || got[0] != id || got[1] != id {
			t.Errorf("notified %v, want the idOp twice", got)
		}
		if op, _ := f.sim.Operation(id); op.Notified != 2 {
			t.Errorf("Notified = %d", op.Notified)
		}
	})
	t.Run("never, even at Flush", func(t *testing.T) {
		f := newFixture(t, nil)
		f.sim.SetNotifyMode(NotifyNever)
		id := f.create(t, "NEVER00001", 100)
		_ = f.sim.Pay(ctx, id, ResultPaidCard)
		if err := f.sim.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.plat.notifiedIDs(); len(got) != 0 {
			t.Errorf("notified %v", got)
		}
		if d, err := f.client.Detail(ctx, id); err != nil || !d.Paid() {
			t.Errorf("the detail call still finds the payment: %+v %v", d, err)
		}
	})
	t.Run("held until Flush", func(t *testing.T) {
		f := newFixture(t, nil)
		f.sim.SetNotifyMode(NotifyHeld)
		a, b := f.create(t, "HELD000001", 100), f.create(t, "HELD000002", 100)
		_ = f.sim.Pay(ctx, a, ResultPaidCard)
		_ = f.sim.Pay(ctx, b, ResultAbandoned)
		time.Sleep(20 * time.Millisecond)
		if got := f.plat.notifiedIDs(); len(got) != 0 {
			t.Fatalf("notified before Flush: %v", got)
		}
		_ = f.sim.Flush(ctx)
		if got := f.plat.notifiedIDs(); strings.Join(got, ",") != a+","+b {
			t.Errorf("notified %v, want %v", got, []string{a, b})
		}
	})
	t.Run("out of order", func(t *testing.T) {
		f := newFixture(t, nil)
		f.sim.SetNotifyMode(NotifyOutOfOrder)
		var ids []string
		for _, r := range []string{"ORDER00001", "ORDER00002", "ORDER00003"} {
			id := f.create(t, r, 100)
			_ = f.sim.Pay(ctx, id, ResultPaidCard)
			ids = append(ids, id)
		}
		_ = f.sim.Flush(ctx)
		if got := f.plat.notifiedIDs(); strings.Join(got, ",") != ids[2]+","+ids[1]+","+ids[0] {
			t.Errorf("notified %v, want the reverse of %v", got, ids)
		}
	})
	t.Run("per operation", func(t *testing.T) {
		f := newFixture(t, nil)
		a, b := f.create(t, "OPMODE0001", 100), f.create(t, "OPMODE0002", 100)
		if err := f.sim.SetOperationNotifyMode(a, NotifyNever); err != nil {
			t.Fatal(err)
		}
		_ = f.sim.Pay(ctx, a, ResultPaidCard)
		_ = f.sim.Pay(ctx, b, ResultPaidCard)
		_ = f.sim.Flush(ctx)
		if got := f.plat.notifiedIDs(); len(got) != 1 || got[0] != b {
			t.Errorf("notified %v, want %s only", got, b)
		}
		if err := f.sim.SetOperationNotifyMode(a, NotifyNow); !errors.Is(err, ErrSimAlreadySettled) {
			t.Errorf("mode after the result: %v", err)
		}
	})
}

// A failed delivery is retried NotifyBackoff's times, then given up.
func TestSimulator_notification_retries(t *testing.T) {
	f := newFixture(t, nil)
	f.plat.status = func(n int) int {
		if n < 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	id := f.create(t, "RETRY00001", 100)
	_ = f.sim.Pay(ctx, id, ResultPaidCard)
	_ = f.sim.Flush(ctx)
	if op, _ := f.sim.Operation(id); op.NotifyAttempts != 3 || op.Notified != 1 {
		t.Errorf("attempts %d, delivered %d; want 3 and 1", op.NotifyAttempts, op.Notified)
	}
	f.plat.status = func(int) int { return http.StatusInternalServerError }
	id = f.create(t, "RETRY00002", 100)
	_ = f.sim.Pay(ctx, id, ResultPaidCard)
	_ = f.sim.Flush(ctx)
	if op, _ := f.sim.Operation(id); op.NotifyAttempts != 3 || op.Notified != 0 {
		t.Errorf("attempts %d, delivered %d; want 3 and 0 (given up)", op.NotifyAttempts, op.Notified)
	}
}

// A slow urlnotif never holds the payer's browser.
func TestSimulator_PAY1_notification_never_blocks_the_browser(t *testing.T) {
	f := newFixture(t, nil)
	release := make(chan struct{})
	f.plat.block = release
	id := f.create(t, "BLOCK00001", 100)
	_, body := f.get(t, testPrefix+"/paiement?idop="+id)
	form := parseHTML(t, body).Forms[0]
	form.Hidden.Set("resultat", "P")
	done := make(chan int, 1)
	go func() {
		resp, err := f.srv.Client().PostForm(f.srv.URL+form.Action, form.Hidden)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	select {
	case status := <-done:
		if status != http.StatusOK {
			t.Errorf("HTTP %d", status)
		}
	case <-time.After(3 * time.Second):
		t.Error("the browser waited for urlnotif")
	}
	close(release)
	if got := f.plat.waitNotified(t); got != id {
		t.Errorf("notified %q", got)
	}
}

func TestNotificationIDOp(t *testing.T) {
	for name, req := range map[string]*http.Request{
		"form idop": formRequest("idop=abc"),
		"form idOp": formRequest("idOp=abc"),
		"query":     httptestRequest(http.MethodGet, "/notif?IdOp=abc"),
	} {
		if got := NotificationIDOp(req); got != "abc" {
			t.Errorf("%s: %q", name, got)
		}
	}
	if got := NotificationIDOp(formRequest("autre=1")); got != "" {
		t.Errorf("no idop: %q", got)
	}
	if got := NotificationIDOp(formRequest("idop=" + strings.Repeat("a", 8<<10))); got != "" {
		t.Errorf("an oversized body was read: %d bytes", len(got))
	}
}

// The simulator serves concurrent payers and pollers (go test -race).
func TestSimulator_PAY1_concurrent_payments(t *testing.T) {
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := f.client.CreatePayment(ctx, f.request("CONC"+strings.Repeat("0", 4)+string(rune('A'+i)), int64(100+i)))
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := f.client.Detail(ctx, id); !IsNotYetKnown(err) {
				t.Errorf("before paying: %v", err)
			}
			if err := f.sim.Pay(ctx, id, ResultPaidCard); err != nil {
				t.Error(err)
			}
			if d, err := f.client.Detail(ctx, id); err != nil || d.Montant != int64(100+i) {
				t.Errorf("after paying: %+v %v", d, err)
			}
		}()
	}
	wg.Wait()
	_ = f.sim.Flush(ctx)
	if n := len(f.plat.notifiedIDs()); n != 20 {
		t.Errorf("%d notifications, want 20", n)
	}
	_, body := f.get(t, testPrefix+"/")
	if doc := parseHTML(t, body); !strings.Contains(doc.H1, "opérations") || !strings.Contains(doc.Text, "paiement par carte accepté") {
		t.Errorf("index page: %q", doc.Text)
	}
}
