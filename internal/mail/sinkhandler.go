package mail

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// sandboxCSP is sent with a message's HTML body: the page gets a unique
// origin, no script, no external resource; only the email's inline styles.
const sandboxCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'"

// sinkHandler serves the pages of the development mail sink.
type sinkHandler struct {
	sink     *Sink
	prefix   string
	location *time.Location
	list     *template.Template
	message  *template.Template
	notFound *template.Template
	mux      *http.ServeMux
}

// NewSinkHandler serves French pages listing the messages the sink received
// and showing each one. prefix is the mount point, like "/dev/courriels"; the
// handler expects full request paths (do not strip the prefix), so mount it
// at both prefix and prefix+"/".
//
// Routes: prefix (list), prefix/{n} (one message), prefix/{n}/html (its HTML
// body, served alone under a sandbox Content-Security-Policy) and
// prefix/{n}/source (the raw message).
func NewSinkHandler(s *Sink, prefix string) http.Handler {
	prefix = "/" + strings.Trim(prefix, "/")
	if prefix == "/" {
		prefix = ""
	}
	location, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		location = time.Local
	}
	h := &sinkHandler{
		sink:     s,
		prefix:   prefix,
		location: location,
		list:     template.Must(template.New("list").Parse(sinkListPage)),
		message:  template.Must(template.New("message").Parse(sinkMessagePage)),
		notFound: template.Must(template.New("notfound").Parse(sinkNotFoundPage)),
		mux:      http.NewServeMux(),
	}
	if prefix != "" {
		h.mux.HandleFunc("GET "+prefix, h.serveList)
	}
	h.mux.HandleFunc("GET "+prefix+"/{$}", h.serveList)
	h.mux.HandleFunc("GET "+prefix+"/{id}", h.serveMessage)
	h.mux.HandleFunc("GET "+prefix+"/{id}/html", h.serveHTMLBody)
	h.mux.HandleFunc("GET "+prefix+"/{id}/source", h.serveSource)
	h.mux.HandleFunc("GET "+prefix+"/", h.serveNotFound)
	return h
}

func (h *sinkHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h.mux.ServeHTTP(w, r)
}

// listRow is one line of the list page.
type listRow struct {
	URL, To, Subject string
	When, ISO        string
}

func (h *sinkHandler) serveList(w http.ResponseWriter, r *http.Request) {
	stored := h.sink.stored()
	rows := make([]listRow, 0, len(stored))
	for _, m := range stored {
		rows = append(rows, listRow{
			URL:     h.messageURL(m.id),
			To:      strings.Join(m.msg.To, ", "),
			Subject: subjectOrPlaceholder(m.msg.Subject),
			When:    frenchDateTime(m.msg.At.In(h.location)),
			ISO:     m.msg.At.Format(time.RFC3339),
		})
	}
	data := struct {
		Rows  []listRow
		Count string
		Limit int
	}{Rows: rows, Count: countMessages(len(rows)), Limit: h.sink.limit}
	h.render(w, http.StatusOK, h.list, data)
}

func (h *sinkHandler) serveMessage(w http.ResponseWriter, r *http.Request) {
	id, msg, ok := h.lookup(r)
	if !ok {
		h.serveNotFound(w, r)
		return
	}
	data := struct {
		ListURL, HTMLURL, SourceURL  string
		Subject, From, To, MessageID string
		When, ISO, Text              string
		HasHTML                      bool
	}{
		ListURL:   h.prefix + "/",
		HTMLURL:   h.messageURL(id) + "/html",
		SourceURL: h.messageURL(id) + "/source",
		Subject:   subjectOrPlaceholder(msg.Subject),
		From:      msg.From,
		To:        strings.Join(msg.To, ", "),
		MessageID: msg.MessageID,
		When:      frenchDateTime(msg.At.In(h.location)),
		ISO:       msg.At.Format(time.RFC3339),
		Text:      msg.Text,
		HasHTML:   msg.HTML != "",
	}
	h.render(w, http.StatusOK, h.message, data)
}

// serveHTMLBody serves the email's own HTML alone, sandboxed: the email is
// not trusted and must not run anything on the site's origin.
func (h *sinkHandler) serveHTMLBody(w http.ResponseWriter, r *http.Request) {
	_, msg, ok := h.lookup(r)
	if !ok || msg.HTML == "" {
		h.serveNotFound(w, r)
		return
	}
	w.Header().Set("Content-Security-Policy", sandboxCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write([]byte(msg.HTML))
}

func (h *sinkHandler) serveSource(w http.ResponseWriter, r *http.Request) {
	_, msg, ok := h.lookup(r)
	if !ok {
		h.serveNotFound(w, r)
		return
	}
	w.Header().Set("Content-Security-Policy", sandboxCSP)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(msg.Raw)
}

func (h *sinkHandler) serveNotFound(w http.ResponseWriter, _ *http.Request) {
	h.render(w, http.StatusNotFound, h.notFound, struct{ ListURL string }{h.prefix + "/"})
}

// lookup finds the message named by the {id} path segment.
func (h *sinkHandler) lookup(r *http.Request) (int, Received, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 {
		return 0, Received{}, false
	}
	msg, ok := h.sink.find(id)
	return id, msg, ok
}

func (h *sinkHandler) messageURL(id int) string {
	return h.prefix + "/" + strconv.Itoa(id)
}

// render executes a page into a buffer first, so that a template error gives
// a clean 500 instead of half a page.
func (h *sinkHandler) render(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "Erreur interne : la page n'a pas pu être affichée.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func subjectOrPlaceholder(subject string) string {
	if strings.TrimSpace(subject) == "" {
		return "(sans objet)"
	}
	return subject
}

func countMessages(n int) string {
	switch n {
	case 0:
		return "aucun courriel"
	case 1:
		return "1 courriel"
	default:
		return strconv.Itoa(n) + " courriels"
	}
}

// frenchDateTime writes t like "3 février 2026 à 14:05:09".
func frenchDateTime(t time.Time) string {
	frenchMonths := [...]string{"janvier", "février", "mars", "avril", "mai", "juin",
		"juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d à %02d:%02d:%02d", day, frenchMonths[t.Month()-1], t.Year(),
		t.Hour(), t.Minute(), t.Second())
}

const sinkListPage = `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Courriels reçus – boîte de développement</title>
</head>
<body>
<main>
<h1>Courriels reçus</h1>
<p>Boîte de développement : en mode démonstration, les courriels de la plateforme arrivent ici et ne partent vers aucune vraie adresse. Les {{.Limit}} plus récents sont gardés, en mémoire seulement.</p>
{{if .Rows}}
<table>
<caption>{{.Count}}, du plus récent au plus ancien</caption>
<thead>
<tr><th scope="col">Reçu le</th><th scope="col">Destinataire</th><th scope="col">Objet</th></tr>
</thead>
<tbody>
{{range .Rows}}<tr><td><time datetime="{{.ISO}}">{{.When}}</time></td><td>{{.To}}</td><td><a href="{{.URL}}">{{.Subject}}</a></td></tr>
{{end}}</tbody>
</table>
{{else}}
<p>Aucun courriel reçu pour l’instant.</p>
{{end}}
</main>
</body>
</html>
`

const sinkMessagePage = `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}} – courriel reçu</title>
</head>
<body>
<main>
<p><a href="{{.ListURL}}">Retour à la liste des courriels</a></p>
<h1>{{.Subject}}</h1>
<dl>
<dt>Expéditeur</dt><dd>{{.From}}</dd>
<dt>Destinataire</dt><dd>{{.To}}</dd>
<dt>Reçu le</dt><dd><time datetime="{{.ISO}}">{{.When}}</time></dd>
<dt>Identifiant (Message-ID)</dt><dd><code>{{.MessageID}}</code></dd>
</dl>
<h2>Version texte</h2>
<pre>
{{.Text}}</pre>
{{if .HasHTML}}<h2>Version HTML</h2>
<p><a href="{{.HTMLURL}}">Ouvrir la version HTML de ce courriel</a> (page isolée : ni script ni ressource externe).</p>
{{end}}<h2>Source</h2>
<p><a href="{{.SourceURL}}">Voir la source complète du message</a></p>
</main>
</body>
</html>
`

const sinkNotFoundPage = `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Courriel introuvable – boîte de développement</title>
</head>
<body>
<main>
<h1>Courriel introuvable</h1>
<p>Ce courriel n’existe pas ou n’est plus gardé : la boîte ne garde que les plus récents.</p>
<p><a href="{{.ListURL}}">Retour à la liste des courriels</a></p>
</main>
</body>
</html>
`
