package payfip

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newTestServer(t *testing.T, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func formRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/notif", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func httptestRequest(method, target string) *http.Request {
	return httptest.NewRequest(method, target, nil)
}

func TestFrenchEuros(t *testing.T) {
	for cents, want := range map[int64]string{4500: "45,00\u00a0€", 5: "0,05\u00a0€", 123456789: "1\u202f234\u202f567,89\u00a0€", 100000: "1\u202f000,00\u00a0€"} {
		if got := frenchEuros(cents); got != want {
			t.Errorf("frenchEuros(%d) = %q, want %q", cents, got, want)
		}
	}
}

// The client checks what it reads: the idOp answered about, the amount, and
// it tells PayFiP's technical faults and bare server faults as temporary.
func TestClient_reads_answers_strictly(t *testing.T) {
	answers := map[string]string{
		"/other":             detailAnswer("autre-idop", "4500"),
		"/montant":           detailAnswer("x", "45,00"),
		"/nodate":            strings.Replace(detailAnswer("x", "4500"), "<dattrans>03122026</dattrans>", "<dattrans></dattrans>", 1),
		"/server":            `<S:Envelope xmlns:S="` + SOAPNamespace + `"><S:Body><S:Fault><faultcode>S:Server</faultcode><faultstring>boom</faultstring></S:Fault></S:Body></S:Envelope>`,
		"/dysfonctionnement": `<S:Envelope xmlns:S="` + SOAPNamespace + `"><S:Body><S:Fault><faultcode>S:Server</faultcode><faultstring>x</faultstring><detail><ns2:TechDysfonctionnementErreur xmlns:ns2="` + ServiceNamespace + `"><code>T0</code><libelle>panne</libelle><severite>3</severite></ns2:TechDysfonctionnementErreur></detail></S:Fault></S:Body></S:Envelope>`,
	}
	mux := http.NewServeMux()
	for path, body := range answers {
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			if strings.Contains(body, "Fault") {
				w.WriteHeader(http.StatusInternalServerError)
			}
			_, _ = w.Write([]byte(body))
		})
	}
	srv := newTestServer(t, mux)
	client := func(path string) *Client {
		c, err := NewClient(Config{Endpoint: srv.URL + path, PaymentPage: srv.URL + "/p?x=1", Numcli: testNumcli, Saisie: "T"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := client("/other").Detail(ctx, "x"); err == nil || !strings.Contains(err.Error(), "autre-idop") {
		t.Errorf("answer about another idOp: %v", err)
	}
	if _, err := client("/montant").Detail(ctx, "x"); err == nil || !strings.Contains(err.Error(), "montant") {
		t.Errorf("montant 45,00: %v", err)
	}
	if d, err := client("/nodate").Detail(ctx, "x"); err != nil || !d.PaidAt.IsZero() || !d.Paid() {
		t.Errorf("no date: %+v %v, want the result with a zero PaidAt", d, err)
	}
	if _, err := client("/server").Detail(ctx, "x"); !IsTemporary(err) {
		t.Errorf("bare server fault: %v, want temporary", err)
	}
	var fault *Fault
	if _, err := client("/dysfonctionnement").Detail(ctx, "x"); !IsTemporary(err) || !errors.As(err, &fault) ||
		fault.Kind != FaultTechDysfonctionnement || fault.Code != "T0" || fault.Libelle != "panne" || fault.Severite != "3" {
		t.Errorf("TechDysfonctionnementErreur: %v %+v", err, fault)
	}
	if got := client("/x").PaymentURL("a b"); got != srv.URL+"/p?x=1&idop=a+b" {
		t.Errorf("PaymentURL with a query: %q", got)
	}
}

// detailAnswer is a recupererDetailPaiementSecurise answer, children
// unqualified as PayFiP sends them.
func detailAnswer(idOp, montant string) string {
	return `<S:Envelope xmlns:S="` + SOAPNamespace + `"><S:Body><ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="` + ServiceNamespace + `"><return>` +
		`<dattrans>03122026</dattrans><exer>2026</exer><heurtrans>1830</heurtrans><idOp>` + idOp + `</idOp><mel>a@exemple.fr</mel>` +
		`<montant>` + montant + `</montant><numauto>123456</numauto><numcli>123456</numcli><objet>x</objet><refdet>REF0000001</refdet>` +
		`<resultrans>P</resultrans><saisie>T</saisie></return></ns2:recupererDetailPaiementSecuriseResponse></S:Body></S:Envelope>`
}
