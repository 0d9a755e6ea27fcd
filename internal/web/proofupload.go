package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"

	"cma/internal/candidature"
)

// The validation form carries a proof (CAN-9). A proof too large must not
// lose the rest of the form: the person gets the form again with everything
// they typed, and only the file to choose again. So that route's body is read
// here, part by part, rather than by ParseMultipartForm, which fails the
// whole form when its body is over the limit: the text fields are kept, the
// file is read up to MaxProofBytes and the rest of it read through and dropped,
// up to proofReadBody in all. The form puts the file last: a body over even
// that still leaves every field before it read.

// proofReadBody is how much of the validation form is read before answering:
// enough for the photo of a phone (often 10 MB) to be refused by the form
// itself, with the fields kept, rather than by a cut connection.
const proofReadBody = 24 << 20

// maxProofFields caps the validation form's text fields, all together.
const maxProofFields = 256 << 10

// upload is the file of the validation form, as read.
type upload struct {
	Name     string // the file's name as sent, "" when none was chosen
	Data     []byte // at most MaxProofBytes
	TooLarge bool   // the file was over MaxProofBytes: Data is empty
	Cut      bool   // the body was over proofReadBody: not read to its end
}

type uploadKey struct{}

// requestUpload is the proof file read with the request, or nil.
func requestUpload(r *http.Request) *upload {
	u, _ := r.Context().Value(uploadKey{}).(*upload)
	return u
}

// parseProofForm reads the validation form: urlencoded without a file, or
// multipart with its proof, into r.Form and r.PostForm, and the file into the
// request's context (requestUpload). It returns the request to hand on. Errors
// are those of the body (too slow, cut off, malformed), answered by bodyError;
// a file too large is not one.
func parseProofForm(r *http.Request) (*http.Request, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" || r.Method != http.MethodPost {
		return r, r.ParseForm()
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return r, err
	}
	if r.Form == nil {
		r.Form = url.Values{}
	}
	for k, v := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], v...)
	}
	r.PostForm = url.Values{}
	up := &upload{}
	fieldBytes := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r, err
		}
		name := part.FormName()
		if name == "" {
			part.Close()
			continue
		}
		if part.FileName() != "" || name == "justificatif" {
			if name != "justificatif" || up.Name != "" {
				_, err := io.Copy(io.Discard, part) // an unexpected file: not kept
				if err != nil {
					return r, err
				}
				continue
			}
			up.Name = part.FileName()
			var buf bytes.Buffer
			n, err := io.Copy(&buf, io.LimitReader(part, candidature.MaxProofBytes+1))
			if err == nil && n > candidature.MaxProofBytes {
				up.TooLarge = true
				_, err = io.Copy(io.Discard, part)
			}
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				// Over even proofReadBody: the file was the last field, so the
				// form is whole but for it. The rest of the body is not read.
				up.TooLarge, up.Cut = true, true
				break
			}
			if err != nil {
				return r, err
			}
			if !up.TooLarge {
				up.Data = buf.Bytes()
			}
			continue
		}
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(part, int64(maxProofFields-fieldBytes)+1))
		if err != nil {
			return r, err
		}
		fieldBytes += int(n)
		if fieldBytes > maxProofFields {
			return r, &http.MaxBytesError{Limit: maxProofFields}
		}
		r.PostForm.Add(name, buf.String())
		r.Form.Add(name, buf.String())
	}
	// ParseMultipartForm is not to run again on this request: r.FormFile and
	// friends find this empty form rather than reading the body.
	r.MultipartForm = &multipart.Form{Value: r.PostForm, File: map[string][]*multipart.FileHeader{}}
	return r.WithContext(context.WithValue(r.Context(), uploadKey{}, up)), nil
}
