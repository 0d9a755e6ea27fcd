package payfip

import (
	"crypto/subtle"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Handler serves the simulator under SimulatorOptions.Prefix (full request
// paths: mount it at Prefix+"/"):
//
//	POST prefix/services/securite        the SOAP endpoint (CMA_PAYFIP_ENDPOINT)
//	GET  prefix/services/securite?wsdl   its WSDL
//	GET  prefix/paiement?idop=…          the payment page (CMA_PAYFIP_PAYMENT_PAGE = prefix/paiement)
//	POST prefix/paiement                 the page's form: records the outcome
//	GET  prefix/                         the operations held, for the demo
//	GET  prefix/simulateur.css, prefix/retour.js   the pages' style and return script
//
// The pages use no inline script or style, so the platform's
// Content-Security-Policy applies unchanged.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	p := s.prefix
	mux.HandleFunc("POST "+p+"/services/securite", s.serveSOAP)
	mux.HandleFunc("GET "+p+"/services/securite", s.serveWSDL)
	mux.HandleFunc("GET "+p+"/paiement", s.servePage)
	mux.HandleFunc("POST "+p+"/paiement", s.serveOutcome)
	mux.HandleFunc("GET "+p+"/simulateur.css", serveStatic("text/css; charset=utf-8", simulatorCSS))
	mux.HandleFunc("GET "+p+"/retour.js", serveStatic("text/javascript; charset=utf-8", returnScript))
	mux.HandleFunc("GET "+p+"/{$}", s.serveIndex)
	return mux
}

func serveStatic(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "max-age=3600")
		_, _ = w.Write([]byte(body))
	}
}

// serveWSDL answers ?wsdl with the WSDL; a bare GET with a word on where it is.
func (s *Simulator) serveWSDL(w http.ResponseWriter, r *http.Request) {
	if !r.URL.Query().Has("wsdl") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("Simulateur PayFiP : service SOAP PaiementSecuriseService. Sa description est à l'adresse ?wsdl.\n"))
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write([]byte(wsdlFor(scheme + "://" + r.Host + s.prefix + "/services/securite")))
}

// resultLabels words the results for the payer.
var resultLabels = map[string]string{
	ResultPaidCard:     "paiement par carte accepté",
	ResultPaidDebit:    "paiement par prélèvement accepté",
	ResultRefusedCard:  "carte refusée",
	ResultRefusedDebit: "prélèvement refusé",
	ResultAbandoned:    "paiement abandonné",
}

// servePage is the payment page of one operation.
func (s *Simulator) servePage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("idop")
	op, state := s.lookup(id)
	switch state {
	case stateUnknown:
		s.pages.message(w, http.StatusNotFound, messagePage{Title: "Opération inconnue",
			Lines: []string{"Cet identifiant d'opération n'existe pas ou a été effacé (les opérations sont effacées un jour après leur création).",
				"Retournez sur le site de la collectivité pour recommencer le paiement."}})
	case stateSettled:
		s.pages.message(w, http.StatusOK, messagePage{Title: "Paiement déjà traité",
			Lines: []string{"Le résultat de cette opération est déjà enregistré : " + resultLabels[op.Resultrans] + ".",
				"Une nouvelle tentative demande une nouvelle opération, depuis le site de la collectivité."}})
	case stateExpired:
		s.pages.message(w, http.StatusGone, messagePage{Title: "Délai de paiement dépassé",
			Lines: []string{"Le délai pour payer cette opération est dépassé (" + minutes(s.opts.IDOpLifetime) + ").",
				"Retournez sur le site de la collectivité pour recommencer le paiement."}})
	default:
		s.pages.payment(w, paymentPage{
			IDOp: op.IDOp, Token: op.token, Montant: frenchEuros(op.Montant), Objet: op.Objet, Refdet: op.Refdet,
			Mel: op.Mel, Expires: op.CreatedAt.Add(s.opts.IDOpLifetime).In(s.paris).Format("15:04"),
		})
	}
}

// serveOutcome records the button the payer pressed, notifies, and sends the
// browser back.
func (s *Simulator) serveOutcome(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.pages.message(w, http.StatusBadRequest, messagePage{Title: "Formulaire illisible",
			Lines: []string{"Le formulaire envoyé n'a pas pu être lu."}})
		return
	}
	id := r.PostForm.Get("idop")
	op, state := s.lookup(id)
	if state == stateUnknown {
		s.servePage(w, r)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("jeton")), []byte(op.token)) != 1 {
		s.pages.message(w, http.StatusForbidden, messagePage{Title: "Formulaire refusé",
			Lines: []string{"Ce formulaire ne vient pas de la page de paiement de cette opération.",
				"Rouvrez la page de paiement depuis le site de la collectivité."}})
		return
	}
	settled, err := s.settle(id, r.PostForm.Get("resultat"))
	switch {
	case errors.Is(err, ErrSimBadResult):
		s.pages.message(w, http.StatusBadRequest, messagePage{Title: "Résultat inconnu",
			Lines: []string{"Choisissez l'un des boutons de la page de paiement."}})
		return
	case err != nil:
		r.URL.RawQuery = url.Values{"idop": {id}}.Encode()
		s.servePage(w, r) // expired or already settled: the page says which
		return
	}
	if s.opts.ReturnWithRedirect {
		http.Redirect(w, r, withQuery(settled.URLRedirect, "idop", settled.IDOp), http.StatusSeeOther)
		return
	}
	s.pages.message(w, http.StatusOK, messagePage{Title: "Résultat enregistré",
		Lines:  []string{"Résultat simulé : " + resultLabels[settled.Resultrans] + ".", "Vous allez retourner sur le site de la collectivité."},
		Return: settled.URLRedirect, IDOp: settled.IDOp})
}

// serveIndex lists the operations held, newest first, for the demo.
func (s *Simulator) serveIndex(w http.ResponseWriter, _ *http.Request) {
	ops := s.Operations()
	slices.Reverse(ops)
	if len(ops) > 100 {
		ops = ops[:100]
	}
	rows := make([]indexRow, 0, len(ops))
	for _, op := range ops {
		state := "en attente du paiement"
		if op.Resultrans != "" {
			state = resultLabels[op.Resultrans]
		} else if s.opts.Now().Sub(op.CreatedAt) >= s.opts.IDOpLifetime {
			state = "délai dépassé"
		}
		rows = append(rows, indexRow{IDOp: op.IDOp, Refdet: op.Refdet, Montant: frenchEuros(op.Montant),
			Created: op.CreatedAt.In(s.paris).Format("02/01/2006 15:04"), State: state,
			Notified: strconv.Itoa(op.Notified) + " / " + strconv.Itoa(op.NotifyAttempts)})
	}
	s.pages.index(w, rows)
}

func withQuery(u, name, value string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + url.QueryEscape(name) + "=" + url.QueryEscape(value)
}

func minutes(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m <= 1 {
		return "1 minute"
	}
	return strconv.Itoa(m) + " minutes"
}

// frenchEuros formats cents the French way, "1 234,50 €": a narrow no-break
// space between thousands, a no-break space before the sign.
func frenchEuros(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	digits := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(d)
	}
	c := cents % 100
	b.WriteString("," + string(rune('0'+c/10)) + string(rune('0'+c%10)) + "\u00a0€")
	return b.String()
}

// The pages.

type paymentPage struct {
	Prefix, IDOp, Token, Montant, Objet, Refdet, Mel, Expires string
}

type messagePage struct {
	Prefix string
	Title  string
	Lines  []string
	Return string // urlredirect, when the page sends the browser back
	IDOp   string
}

type indexRow struct{ IDOp, Refdet, Montant, Created, State, Notified string }

type pageSet struct {
	prefix string
	t      *template.Template
}

func newPageSet(prefix string) *pageSet {
	return &pageSet{prefix: prefix, t: template.Must(template.New("pages").Parse(pageTemplates))}
}

func (p *pageSet) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = p.t.ExecuteTemplate(w, name, data)
}

func (p *pageSet) payment(w http.ResponseWriter, d paymentPage) {
	d.Prefix = p.prefix
	p.render(w, http.StatusOK, "payment", d)
}

func (p *pageSet) message(w http.ResponseWriter, status int, d messagePage) {
	d.Prefix = p.prefix
	p.render(w, status, "message", d)
}

func (p *pageSet) index(w http.ResponseWriter, rows []indexRow) {
	p.render(w, http.StatusOK, "index", struct {
		Prefix string
		Rows   []indexRow
	}{p.prefix, rows})
}

const pageTemplates = `
{{define "head"}}<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} — Simulateur PayFiP</title>
{{end}}
{{define "banner"}}<header class="bandeau">
<p>Simulateur de développement de PayFiP (DGFiP) : aucun paiement réel n'est effectué.</p>
</header>{{end}}

{{define "payment"}}{{template "head" "Paiement par carte"}}<link rel="stylesheet" href="{{.Prefix}}/simulateur.css">
</head>
<body>
{{template "banner"}}
<main id="contenu">
<h1>Simulateur PayFiP — paiement par carte</h1>
<section aria-labelledby="recapitulatif">
<h2 id="recapitulatif">Votre paiement</h2>
<dl>
<dt>Montant</dt><dd>{{.Montant}}</dd>
<dt>Objet</dt><dd>{{if .Objet}}{{.Objet}}{{else}}non précisé{{end}}</dd>
<dt>Référence</dt><dd>{{.Refdet}}</dd>
<dt>Adresse électronique</dt><dd>{{.Mel}}</dd>
<dt>À payer avant</dt><dd>{{.Expires}}</dd>
</dl>
</section>
<form method="post" action="{{.Prefix}}/paiement">
<input type="hidden" name="idop" value="{{.IDOp}}">
<input type="hidden" name="jeton" value="{{.Token}}">
<fieldset>
<legend>Carte bancaire fictive</legend>
<p><label for="titulaire">Titulaire de la carte</label>
<input id="titulaire" name="titulaire" autocomplete="off"></p>
<p><label for="carte">Numéro de carte</label>
<input id="carte" name="carte" inputmode="numeric" autocomplete="off" aria-describedby="carte-aide">
<span id="carte-aide" class="aide">Facultatif : le simulateur ne vérifie ni ne garde aucun numéro.</span></p>
</fieldset>
<fieldset>
<legend>Résultat à simuler</legend>
<p class="boutons">
<button type="submit" name="resultat" value="P">Payer (carte acceptée)</button>
<button type="submit" name="resultat" value="V">Payer par prélèvement</button>
<button type="submit" name="resultat" value="R">Carte refusée</button>
<button type="submit" name="resultat" value="Z">Prélèvement refusé</button>
<button type="submit" name="resultat" value="A">Abandonner</button>
</p>
</fieldset>
</form>
</main>
</body>
</html>
{{end}}

{{define "message"}}{{template "head" .Title}}<link rel="stylesheet" href="{{.Prefix}}/simulateur.css">
</head>
<body>
{{template "banner"}}
<main id="contenu">
<h1>Simulateur PayFiP — {{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Return}}<form id="retour" method="post" action="{{.Return}}">
<input type="hidden" name="idop" value="{{.IDOp}}">
<p><button type="submit">Retourner sur le site de la collectivité</button></p>
</form>
<script src="{{.Prefix}}/retour.js"></script>
{{end}}</main>
</body>
</html>
{{end}}

{{define "index"}}{{template "head" "Opérations"}}<link rel="stylesheet" href="{{.Prefix}}/simulateur.css">
</head>
<body>
{{template "banner"}}
<main id="contenu">
<h1>Simulateur PayFiP — opérations</h1>
{{if .Rows}}<table>
<caption>Les opérations créées, de la plus récente à la plus ancienne</caption>
<thead><tr><th scope="col">Opération (idop)</th><th scope="col">Référence</th><th scope="col">Montant</th><th scope="col">Créée le</th><th scope="col">État</th><th scope="col">Notifications reçues / envoyées</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td><a href="{{$.Prefix}}/paiement?idop={{.IDOp}}">{{.IDOp}}</a></td><td>{{.Refdet}}</td><td>{{.Montant}}</td><td>{{.Created}}</td><td>{{.State}}</td><td>{{.Notified}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p>Aucune opération pour l'instant.</p>{{end}}
</main>
</body>
</html>
{{end}}
`

const simulatorCSS = `body{font-family:system-ui,sans-serif;margin:0;line-height:1.5;color:#161616}
.bandeau{background:#fee9e6;border-bottom:2px solid #ce0500;padding:.5rem 1rem}
main{max-width:42rem;margin:1rem auto;padding:0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:bold}
dd{margin:0}
fieldset{margin:1rem 0;border:1px solid #929292}
label{display:block;font-weight:bold}
input{font-size:1rem;padding:.25rem}
.aide{display:block;font-size:.875rem;color:#3a3a3a}
.boutons{display:flex;flex-wrap:wrap;gap:.5rem}
button{font-size:1rem;padding:.5rem 1rem;cursor:pointer}
button:focus,input:focus,a:focus{outline:3px solid #0a76f6;outline-offset:2px}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #929292;padding:.25rem .5rem;text-align:left}
`

// returnScript submits the return form at once, as PayFiP's page does; without
// script the payer presses its button.
const returnScript = `(function(){var f=document.getElementById("retour");if(f){f.submit();}})();
`
