package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func multipartBody(t testing.TB, fields map[string]string, files map[string][]byte) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for k, v := range files {
		fw, err := w.CreateFormFile(k, k+".pdf")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(v)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// TestReadFormToKeep: fields kept, files named but not kept, and a form too
// large for the session refused.
func TestReadFormToKeep(t *testing.T) {
	body, ct := multipartBody(t, map[string]string{"motivation": "J'aimerais apprendre.", "objectif": "personnel"},
		map[string][]byte{"justificatif": bytes.Repeat([]byte("x"), 2<<20)})
	r := httptest.NewRequest("POST", "/panier/valider", bytes.NewReader(body))
	r.Header.Set("Content-Type", ct)
	fields, files, err := readFormToKeep(httptest.NewRecorder(), r)
	if err != nil || fields.Get("motivation") != "J'aimerais apprendre." || fields.Has("justificatif") ||
		len(files) != 1 || files[0] != "justificatif" {
		t.Fatalf("multipart: %v %v %v", fields, files, err)
	}

	r = httptest.NewRequest("POST", "/mon-profil", strings.NewReader("telephone=06+12&ville=Paris"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if fields, files, err = readFormToKeep(httptest.NewRecorder(), r); err != nil || fields.Get("telephone") != "06 12" || len(files) != 0 {
		t.Fatalf("urlencoded: %v %v %v", fields, files, err)
	}

	for _, ct := range []string{"application/x-www-form-urlencoded", "multipart"} {
		big := strings.Repeat("é", maxKeptFields/4) // 6 bytes each URL-encoded
		var r *http.Request
		if ct == "multipart" {
			body, mct := multipartBody(t, map[string]string{"registre": big}, nil)
			r = httptest.NewRequest("POST", "/x", bytes.NewReader(body))
			r.Header.Set("Content-Type", mct)
		} else {
			r = httptest.NewRequest("POST", "/x", strings.NewReader("registre="+big))
			r.Header.Set("Content-Type", ct)
		}
		if _, _, err := readFormToKeep(httptest.NewRecorder(), r); err == nil {
			t.Errorf("%s: a form of %d bytes kept, more than %d", ct, len(big), maxKeptFields)
		}
	}
}

// FuzzReadFormToKeep: any body, multipart or not, is read without a panic,
// and what is kept stays within the session's limit.
func FuzzReadFormToKeep(f *testing.F) {
	body, ct := multipartBody(f, map[string]string{"a": "1", "b": "deux"}, map[string][]byte{"f": []byte("%PDF-1.7")})
	f.Add(body, ct)
	f.Add([]byte("telephone=06+12&ville=Paris"), "application/x-www-form-urlencoded")
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--x--"), "multipart/form-data; boundary=x")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		r := httptest.NewRequest("POST", "/x", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		fields, _, err := readFormToKeep(httptest.NewRecorder(), r)
		if err == nil && len(fields.Encode()) > maxKeptFields {
			t.Fatalf("kept %d bytes", len(fields.Encode()))
		}
	})
}
