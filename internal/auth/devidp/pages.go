package devidp

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// The pages are plain HTML without inline script or style: the platform's
// Content-Security-Policy forbids both.
var pages = template.Must(template.New("layout").Parse(`{{define "layout"}}<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — Mon Paris (démonstration)</title>
</head>
<body>
<main>
{{template "content" .}}
</main>
</body>
</html>
{{end}}`))

var loginPage = template.Must(template.Must(pages.Clone()).Parse(`{{define "content"}}
<h1>Connexion — fournisseur d'identité de démonstration</h1>
<p>Cette page tient lieu de « Mon Paris », le compte unique de la Ville de Paris,
en mode démonstration seulement. Aucun mot de passe n'est demandé :
choisissez la personne sous l'identité de laquelle vous voulez vous connecter.</p>
<ul>
{{range .Personas}}<li>
<form method="post" action="{{$.Action}}">
<input type="hidden" name="id" value="{{$.AuthRequestID}}">
<input type="hidden" name="persona" value="{{.Subject}}">
<button type="submit">{{.Name}} — {{.Label}}</button>
</form>
</li>
{{end}}</ul>
<p><a href="{{.ForgotPasswordURL}}">Mot de passe oublié ?</a></p>
{{end}}`))

var forgotPasswordPage = template.Must(template.Must(pages.Clone()).Parse(`{{define "content"}}
<h1>Mot de passe oublié</h1>
<p>Sur le vrai service « Mon Paris », cette page permet de recevoir par courriel
un lien pour choisir un nouveau mot de passe.</p>
<p>Le fournisseur d'identité de démonstration ne demande pas de mot de passe :
retournez sur la page de connexion et choisissez une personne.</p>
{{end}}`))

var loggedOutPage = template.Must(template.Must(pages.Clone()).Parse(`{{define "content"}}
<h1>Vous êtes déconnecté</h1>
<p>Vous êtes déconnecté du fournisseur d'identité de démonstration.</p>
{{end}}`))

var errorPage = template.Must(template.Must(pages.Clone()).Parse(`{{define "content"}}
<h1>Connexion impossible</h1>
<p>{{.Message}}</p>
<p>Retournez sur le site et recommencez la connexion.</p>
{{end}}`))

type personaView struct {
	Subject, Name, Label string
}

func (p *Provider) showLogin(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if _, err := p.storage.pendingAuthRequest(id); err != nil {
		slog.InfoContext(r.Context(), "devidp: login page for an unusable auth request", "error", err)
		p.renderError(w, r, "Cette demande de connexion est inconnue, expirée ou déjà utilisée.")
		return
	}
	views := make([]personaView, 0, len(p.storage.order))
	for _, subject := range p.storage.order {
		persona := p.storage.personas[subject]
		views = append(views, personaView{Subject: persona.Subject, Name: displayName(persona), Label: persona.Label})
	}
	render(w, r, http.StatusOK, loginPage, map[string]any{
		"Title":             "Connexion",
		"Action":            p.pathPrefix + LoginPath,
		"AuthRequestID":     id,
		"Personas":          views,
		"ForgotPasswordURL": p.pathPrefix + ForgotPasswordPath,
	})
}

// submitLogin completes the auth request with the chosen persona and hands
// over to the op package, which redirects to the client with code and state.
func (p *Provider) submitLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.renderError(w, r, "Le formulaire envoyé est illisible.")
		return
	}
	id := r.PostForm.Get("id")
	if err := p.storage.completeAuthRequest(id, r.PostForm.Get("persona")); err != nil {
		slog.InfoContext(r.Context(), "devidp: login refused", "error", err)
		p.renderError(w, r, "Cette demande de connexion est inconnue, expirée ou déjà utilisée, ou la personne choisie n'existe pas.")
		return
	}
	callback := op.AuthCallbackURL(p.op)(op.ContextWithIssuer(r.Context(), p.issuer), id)
	http.Redirect(w, r, callback, http.StatusSeeOther)
}

func (p *Provider) showForgotPassword(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, forgotPasswordPage, map[string]any{"Title": "Mot de passe oublié"})
}

func (p *Provider) showLoggedOut(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, loggedOutPage, map[string]any{"Title": "Déconnexion"})
}

func (p *Provider) renderError(w http.ResponseWriter, r *http.Request, message string) {
	render(w, r, http.StatusBadRequest, errorPage, map[string]any{"Title": "Connexion impossible", "Message": message})
}

func render(w http.ResponseWriter, r *http.Request, status int, page *template.Template, data map[string]any) {
	var buf bytes.Buffer
	if err := page.ExecuteTemplate(&buf, "layout", data); err != nil {
		slog.ErrorContext(r.Context(), "devidp: render page", "error", err)
		http.Error(w, "Erreur interne du fournisseur d'identité de démonstration.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
