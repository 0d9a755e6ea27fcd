package payfip

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds one call to PayFiP when Config.Timeout is zero (the
// value eopayment uses).
const DefaultTimeout = 15 * time.Second

// PaymentPageURL is the DGFiP's payment page, the same for the three modes
// (the mode travels with the operation): the default of
// CMA_PAYFIP_PAYMENT_PAGE, so that production needs only the contract
// number, the endpoint and the mode.
const PaymentPageURL = "https://www.payfip.gouv.fr/tpa/paiementws.web"

// Config is what the client needs of the platform's settings.
type Config struct {
	// Endpoint is the SOAP service's URL (CMA_PAYFIP_ENDPOINT), e.g.
	// https://www.payfip.gouv.fr/tpa/services/securite.
	Endpoint string
	// PaymentPage is the payment page's URL (CMA_PAYFIP_PAYMENT_PAGE); the
	// browser goes to PaymentPage?idop=<idOp>, e.g.
	// https://www.payfip.gouv.fr/tpa/paiementws.web.
	PaymentPage string
	// Numcli is the régie's contract number, 6 digits (CMA_PAYFIP_NUMCLI).
	Numcli string
	// Saisie is "T" (test), "X" (activation) or "W" (production)
	// (CMA_PAYFIP_SAISIE).
	Saisie string
	// Timeout bounds each call; zero means DefaultTimeout.
	Timeout time.Duration
}

// Validate says, in one error naming the settings, what is wrong.
func (c Config) Validate() error {
	var errs []error
	if !validURL(c.Endpoint) {
		errs = append(errs, fmt.Errorf("CMA_PAYFIP_ENDPOINT must be the absolute http(s) URL of the PayFiP SOAP service (such as https://www.payfip.gouv.fr/tpa/services/securite), got %q", c.Endpoint))
	}
	if !validURL(c.PaymentPage) {
		errs = append(errs, fmt.Errorf("CMA_PAYFIP_PAYMENT_PAGE must be the absolute http(s) URL of the PayFiP payment page (such as https://www.payfip.gouv.fr/tpa/paiementws.web), got %q", c.PaymentPage))
	}
	if !isDigits(c.Numcli, 6) {
		errs = append(errs, fmt.Errorf("CMA_PAYFIP_NUMCLI must be the régie's PayFiP contract number, 6 digits, got %q", c.Numcli))
	}
	switch c.Saisie {
	case "T", "X", "W":
	default:
		errs = append(errs, fmt.Errorf("CMA_PAYFIP_SAISIE must be T (test), X (activation) or W (production), got %q", c.Saisie))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("the PayFiP timeout must not be negative, got %s", c.Timeout))
	}
	return errors.Join(errs...)
}

// Client calls the PayFiP web service. It is safe for concurrent use.
type Client struct {
	cfg     Config
	http    *http.Client
	timeout time.Duration
	paris   *time.Location
}

// NewClient checks cfg and returns a client sending its calls with
// httpClient (nil: a client of its own, without a global timeout: each call
// has cfg.Timeout).
func NewClient(cfg Config, httpClient *http.Client) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, fmt.Errorf("payfip: time zone Europe/Paris (PayFiP's dates are local): %w", err)
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &Client{cfg: cfg, http: httpClient, timeout: timeout, paris: paris}, nil
}

// CreateRequest is one operation to open: a debt to pay once.
type CreateRequest struct {
	Exer        int    // the year, 4 digits
	Mel         string // the payer's email address, 6 to 80 characters with an @
	Montant     int64  // the amount, in cents, positive
	Objet       string // optional, at most 100 letters, digits and spaces (SanitizeObjet)
	Refdet      string // the debt's reference, 6 to 30 letters and digits
	URLNotif    string // where PayFiP posts the idOp once the payer is done
	URLRedirect string // where the payer's browser comes back
}

// CreatePayment asks PayFiP for an operation (creerPaiementSecurise) and
// returns its idOp; PaymentURL(idOp) is where to send the browser. The input
// is checked first, as PayFiP does: an error wrapping ErrInvalidRequest means
// PayFiP was not called.
func (c *Client) CreatePayment(ctx context.Context, r CreateRequest) (string, error) {
	if err := checkRequest(r); err != nil {
		return "", err
	}
	w := newEnvelope("soapenv")
	w.open("pai:"+opCreate, "pai", ServiceNamespace)
	w.open("arg0", "", "")
	w.field("exer", strconv.Itoa(r.Exer))
	w.field("mel", r.Mel)
	w.field("montant", strconv.FormatInt(r.Montant, 10))
	w.field("numcli", c.cfg.Numcli)
	if r.Objet != "" {
		w.field("objet", r.Objet)
	}
	w.field("refdet", r.Refdet)
	w.field("saisie", c.cfg.Saisie)
	w.field("urlnotif", r.URLNotif)
	w.field("urlredirect", r.URLRedirect)
	w.close("arg0")
	w.close("pai:" + opCreate)
	entry, err := c.call(ctx, opCreate, w.finish("soapenv"))
	if err != nil {
		return "", fmt.Errorf("payfip: creerPaiementSecurise for refdet %s: %w", r.Refdet, err)
	}
	id := strings.TrimSpace(entry.Return.IDOp)
	if id == "" {
		return "", fmt.Errorf("payfip: creerPaiementSecurise for refdet %s: the answer holds no idOp", r.Refdet)
	}
	return id, nil
}

// PaymentURL is the payment page of the operation idOp.
func (c *Client) PaymentURL(idOp string) string {
	sep := "?"
	if strings.Contains(c.cfg.PaymentPage, "?") {
		sep = "&"
	}
	return c.cfg.PaymentPage + sep + "idop=" + url.QueryEscape(idOp)
}

// Detail is PayFiP's answer about one operation (recupererDetailPaiementSecurise).
type Detail struct {
	IDOp       string
	Refdet     string
	Numcli     string
	Exer       string
	Mel        string
	Objet      string
	Numauto    string // the card authorisation number, when paid by card
	Saisie     string // T, X or W: the mode the operation was created in
	Montant    int64  // cents
	Resultrans string // P, V, R, Z or A
	// PaidAt is the time of the result, from dattrans (DDMMYYYY) and heurtrans
	// (HHMM), Europe/Paris; zero when PayFiP gave no valid date.
	PaidAt time.Time
}

// Paid reports a payment, by card (P) or by direct debit (V).
func (d Detail) Paid() bool { return d.Resultrans == ResultPaidCard || d.Resultrans == ResultPaidDebit }

// Refused reports a refusal, of the card (R) or of the direct debit (Z).
func (d Detail) Refused() bool {
	return d.Resultrans == ResultRefusedCard || d.Resultrans == ResultRefusedDebit
}

// Abandoned reports that the payer gave up on the page (A).
func (d Detail) Abandoned() bool { return d.Resultrans == ResultAbandoned }

// Detail asks PayFiP for the result of the operation idOp. Before any result it
// fails with fault P5 (IsNotYetKnown); for an unknown or purged idOp with P1
// (IsUnknownOperation).
func (c *Client) Detail(ctx context.Context, idOp string) (Detail, error) {
	if idOp == "" {
		return Detail{}, fmt.Errorf("%w: empty idOp", ErrInvalidRequest)
	}
	w := newEnvelope("soapenv")
	w.open("pai:"+opDetail, "pai", ServiceNamespace)
	w.open("arg0", "", "")
	w.field("idOp", idOp)
	w.close("arg0")
	w.close("pai:" + opDetail)
	entry, err := c.call(ctx, opDetail, w.finish("soapenv"))
	if err != nil {
		return Detail{}, fmt.Errorf("payfip: recupererDetailPaiementSecurise for %s: %w", idOp, err)
	}
	f := entry.Return
	d := Detail{
		IDOp: strings.TrimSpace(f.IDOp), Refdet: f.Refdet, Numcli: f.Numcli, Exer: f.Exer, Mel: f.Mel,
		Objet: f.Objet, Numauto: f.Numauto, Saisie: f.Saisie, Resultrans: strings.TrimSpace(f.Resultrans),
	}
	if d.IDOp == "" {
		d.IDOp = idOp
	} else if d.IDOp != idOp {
		return Detail{}, fmt.Errorf("payfip: recupererDetailPaiementSecurise for %s answered about %s", idOp, d.IDOp)
	}
	if d.Montant, err = strconv.ParseInt(strings.TrimSpace(f.Montant), 10, 64); err != nil {
		return Detail{}, fmt.Errorf("payfip: recupererDetailPaiementSecurise for %s: montant %q is not an amount in cents", idOp, f.Montant)
	}
	if t, err := time.ParseInLocation("020120061504", strings.TrimSpace(f.Dattrans)+strings.TrimSpace(f.Heurtrans), c.paris); err == nil {
		d.PaidAt = t
	}
	return d, nil
}

// CheckContract asks PayFiP about the configured contract number
// (recupererDetailClient): nil when PayFiP knows it.
func (c *Client) CheckContract(ctx context.Context) error {
	w := newEnvelope("soapenv")
	w.open("pai:"+opClient, "pai", ServiceNamespace)
	w.open("arg0", "", "")
	w.field("numCli", c.cfg.Numcli)
	w.close("arg0")
	w.close("pai:" + opClient)
	entry, err := c.call(ctx, opClient, w.finish("soapenv"))
	if err != nil {
		return fmt.Errorf("payfip: recupererDetailClient for numcli %s: %w", c.cfg.Numcli, err)
	}
	if got := strings.TrimSpace(entry.Return.Numcli); got != "" && got != c.cfg.Numcli {
		return fmt.Errorf("payfip: recupererDetailClient for numcli %s answered about %s", c.cfg.Numcli, got)
	}
	return nil
}

// call posts one SOAP request and returns the body element of the answer,
// op+"Response"; a SOAP fault comes back as a *Fault.
func (c *Client) call(ctx context.Context, op, body string) (bodyEntry, error) {
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, c.cfg.Endpoint, strings.NewReader(body))
	if err != nil {
		return bodyEntry{}, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `""`)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() == context.Canceled {
			return bodyEntry{}, err // the caller gave up: not PayFiP's failure
		}
		return bodyEntry{}, temporary("%w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return bodyEntry{}, temporary("reading the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if len(data) > maxBody {
		return bodyEntry{}, fmt.Errorf("the answer (HTTP %d) is larger than %d bytes", resp.StatusCode, maxBody)
	}
	var env soapEnvelope
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&env); err != nil || env.XMLName.Local != "Envelope" {
		if resp.StatusCode >= 500 {
			return bodyEntry{}, temporary("HTTP %d without a SOAP answer", resp.StatusCode)
		}
		return bodyEntry{}, fmt.Errorf("HTTP %d without a SOAP answer (%s)", resp.StatusCode, snippet(data))
	}
	if f := env.Body.Fault; f != nil {
		return bodyEntry{}, f.toFault()
	}
	if resp.StatusCode >= 500 {
		return bodyEntry{}, temporary("HTTP %d", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return bodyEntry{}, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	for _, e := range env.Body.Content {
		if e.XMLName.Local == op+"Response" {
			return e, nil
		}
	}
	return bodyEntry{}, fmt.Errorf("the answer holds no %sResponse", op)
}

// toFault reads PayFiP's detail, when there is one.
func (f *soapFault) toFault() *Fault {
	for _, d := range f.Detail.Items {
		switch d.XMLName.Local {
		case FaultFonctionnelle, FaultTechDysfonctionnement, FaultTechIndisponibilite, FaultTechProtocolaire:
			lib := strings.TrimSpace(d.Libelle)
			if lib == "" {
				lib = strings.TrimSpace(d.Message)
			}
			return &Fault{Kind: d.XMLName.Local, Code: strings.TrimSpace(d.Code), Libelle: lib,
				Descriptif: strings.TrimSpace(d.Descriptif), Severite: strings.TrimSpace(d.Severite)}
		}
	}
	return &Fault{Code: strings.TrimSpace(f.Code), Libelle: strings.TrimSpace(f.String)}
}

// snippet is the start of an unexpected answer, for an error message.
func snippet(b []byte) string {
	const n = 120
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strconv.Quote(s)
}
