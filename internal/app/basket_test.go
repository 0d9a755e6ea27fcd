package app

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestBasketBadInput_CAN9: a forged course ID and a huge upload are refused
// with clear French messages, and nothing is saved.
func TestBasketBadInput_CAN9(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	b := newBrowser(t, base)
	b.signIn(t, "demo-candidate-3")
	if res, _ := b.do(t, "POST", "/panier/ajouter", url.Values{"cours": {"99999999"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("forged course: %d", res.StatusCode)
	}
	if res, _ := b.do(t, "POST", "/panier/ajouter", url.Values{"cours": {"abc"}}); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed course: %d", res.StatusCode)
	}
	// A 7 MB proof: the form comes back with its fields (CAN-9), the file to choose again.
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("jeton", "x")
	w.WriteField("demi_tarif", "1")
	part, _ := w.CreateFormFile("justificatif", "justificatif.pdf")
	part.Write([]byte("%PDF-1.7\n"))
	part.Write(make([]byte, 7<<20))
	w.Close()
	req, _ := http.NewRequest("POST", base+"/panier/valider", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page := new(strings.Builder)
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		page.Write(buf[:n])
		if err != nil {
			break
		}
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(page.String(), "Le justificatif ne doit pas dépasser 5 Mo.") {
		t.Fatalf("huge upload: %d", res.StatusCode)
	}
	if _, page := b.do(t, "GET", "/mes-candidatures", nil); !strings.Contains(page, "Vous n&#39;avez pas encore de candidature.") {
		t.Fatal("something was saved")
	}
}
