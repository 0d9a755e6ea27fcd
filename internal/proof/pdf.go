package proof

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The PDF is parsed by pdfcpu rather than by a scanner of our own: it reads the
// cross-reference table or streams, repairs what viewers repair, resolves object
// streams and, since v0.15.0, takes resource limits for every allocation driven
// by the input (stream sizes, decoded bytes, object counts, recursion). Its
// reading does not inflate content streams (DecodeAllStreams is off); this
// package inflates them itself under one budget for the whole file.

// pdfConfig is pdfcpu's configuration for reading an untrusted proof. It is
// built here rather than by model.NewDefaultConfiguration, which would write a
// configuration directory into the user's home.
func pdfConfig() *model.Configuration {
	limits := model.DefaultResourceLimits()
	limits.MaxStreamBytes = MaxBytes
	limits.MaxDecodeBytes = MaxDecodedBytes // per stream, while reading object and xref streams
	limits.MaxObjectCount = 200_000
	limits.MaxObjectStreamCount = 100_000
	limits.MaxXRefEntries = 200_000
	limits.MaxRecursionDepth = 50
	limits.MaxImagePixels = MaxPixels
	limits.MaxImageBytes = MaxDecodedBytes
	return &model.Configuration{
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Eol:                       types.EolLF,
		Offline:                   true,
		Limits:                    limits,
	}
}

// htmlMarkers betray a polyglot: a PDF or an image that a browser sniffing
// past the header would run as a page or a script. None of them can be PDF
// syntax: PDF hex strings hold hex digits only, and the markers' second
// letters are not.
var htmlMarkers = [][]byte{[]byte("<html"), []byte("<script"), []byte("<iframe"), []byte("<!doctype"),
	[]byte("<body"), []byte("<svg"), []byte("javascript:")}

// htmlMarker returns the first HTML marker found in data, case folded, or "".
// Compressed data is random bytes: the odds of a seven-letter marker there are
// nil in practice.
func htmlMarker(data []byte) string {
	lower := bytes.ToLower(data)
	for _, m := range htmlMarkers {
		if bytes.Contains(lower, m) {
			return string(m)
		}
	}
	return ""
}

// checkPDF parses data as a PDF, refuses active content, and inflates every
// stream within the budget.
func checkPDF(ctx context.Context, data []byte) (err error) {
	if m := htmlMarker(data); m != "" {
		return fmt.Errorf("PDF holding %q: %w", m, ErrActive)
	}
	defer func() { // a malformed file must be refused, never crash the request
		if r := recover(); r != nil {
			err = fmt.Errorf("PDF reader failed: %v: %w", r, ErrDamaged)
		}
	}()
	doc, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(data), pdfConfig())
	if err != nil {
		if errors.Is(err, filter.ErrDecodeLimitExceeded) {
			return fmt.Errorf("PDF: %v: %w", err, ErrTooLarge)
		}
		return fmt.Errorf("PDF: %v: %w", err, ErrDamaged)
	}
	if doc.XRefTable.RootDict == nil {
		return fmt.Errorf("PDF without a catalog: %w", ErrDamaged)
	}
	// First every stream, object streams included, inflated within the
	// budget; then every object, those kept in object streams resolved (their
	// streams were just bounded), checked for active content.
	budget := int64(MaxDecodedBytes)
	for nr, entry := range doc.XRefTable.Table {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("PDF check stopped: %v: %w", err, ErrTooLarge)
		}
		if entry == nil || entry.Free || entry.Object == nil {
			continue
		}
		if err := inflate(entry.Object, &budget); err != nil {
			return fmt.Errorf("PDF object %d: %w", nr, err)
		}
	}
	for nr, entry := range doc.XRefTable.Table {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("PDF check stopped: %v: %w", err, ErrTooLarge)
		}
		if entry == nil || entry.Free || entry.Object == nil {
			continue
		}
		o := entry.Object
		if lazy, ok := o.(types.LazyObjectStreamObject); ok {
			if o, err = lazy.DecodedObject(ctx); err != nil {
				return fmt.Errorf("PDF object %d in an object stream: %v: %w", nr, err, ErrDamaged)
			}
		}
		if what := activeContent(o, 0); what != "" {
			return fmt.Errorf("PDF object %d: %s: %w", nr, what, ErrActive)
		}
	}
	return nil
}

// inflate decodes a stream object within what is left of the budget, and takes
// what it decoded from the budget. Images' own codings (DCT, JPX, JBIG2, CCITT)
// are left alone: a viewer decodes them within their stated size.
func inflate(o types.Object, budget *int64) error {
	var sd *types.StreamDict
	switch s := o.(type) {
	case types.StreamDict:
		sd = &s
	case types.ObjectStreamDict:
		sd = &s.StreamDict
	case types.XRefStreamDict:
		sd = &s.StreamDict
	default:
		return nil
	}
	if sd.Content == nil && !sd.Image() {
		if *budget <= 0 {
			return fmt.Errorf("streams beyond %d bytes decoded: %w", MaxDecodedBytes, ErrTooLarge)
		}
		// A private copy: the budget must not be spent twice on one stream.
		c := *sd
		err := c.DecodeWithLimit(*budget)
		switch {
		case errors.Is(err, filter.ErrDecodeLimitExceeded):
			return fmt.Errorf("streams beyond %d bytes decoded: %w", MaxDecodedBytes, ErrTooLarge)
		case errors.Is(err, filter.ErrUnsupportedFilter):
			return nil
		case err != nil:
			return fmt.Errorf("stream: %v: %w", err, ErrDamaged)
		}
		*budget -= int64(len(c.Content))
	} else {
		*budget -= int64(len(sd.Content))
	}
	if *budget < 0 {
		return fmt.Errorf("streams beyond %d bytes decoded: %w", MaxDecodedBytes, ErrTooLarge)
	}
	return nil
}

// activeKeys are dictionary keys that carry script, automatic actions or a
// file's bytes. The name trees /JavaScript and /EmbeddedFiles are not refused
// for themselves (fpdf writes an empty /EmbeddedFiles tree in every document):
// what they would hold is, an action of type /JavaScript or a file
// specification with /EF.
var activeKeys = map[string]string{
	"JS":        "JavaScript",
	"AA":        "automatic action",
	"EF":        "embedded file",
	"RichMedia": "rich media",
	"XFA":       "XFA form",
}

// activeNames are values of /S (action type), /Type or /Subtype that make an
// object active: an action that runs script, a program or a form post, an
// attached or embedded file.
var activeNames = map[string]string{
	"JavaScript":     "JavaScript action",
	"Launch":         "launch action",
	"SubmitForm":     "form submission",
	"ImportData":     "data import",
	"EmbeddedFile":   "embedded file",
	"FileAttachment": "file attachment",
	"RichMedia":      "rich media",
	"Sound":          "sound",
	"Movie":          "movie",
	"Rendition":      "rendition action",
	"GoToE":          "embedded document action",
}

// maxDepth bounds the walk of nested direct objects.
const maxDepth = 64

// activeContent names the active content found in o or its direct children
// ("" when none). Indirect references are not followed: every object is
// visited from the cross-reference table. /OpenAction is covered through the
// action it names: a JavaScript action has /S /JavaScript, wherever it lives.
func activeContent(o types.Object, depth int) string {
	if depth > maxDepth {
		return "objects nested too deep"
	}
	switch v := o.(type) {
	case types.Dict:
		return dictActive(v, depth)
	case types.StreamDict:
		return dictActive(v.Dict, depth)
	case types.ObjectStreamDict:
		return dictActive(v.Dict, depth)
	case types.XRefStreamDict:
		return dictActive(v.Dict, depth)
	case types.Array:
		for _, x := range v {
			if what := activeContent(x, depth+1); what != "" {
				return what
			}
		}
	}
	return ""
}

func dictActive(d types.Dict, depth int) string {
	for k, x := range d {
		key := name(k)
		if what, ok := activeKeys[key]; ok {
			return what
		}
		if key == "S" || key == "Type" || key == "Subtype" {
			if n, ok := x.(types.Name); ok {
				if what, ok := activeNames[name(string(n))]; ok {
					return what
				}
			}
		}
		if what := activeContent(x, depth+1); what != "" {
			return what
		}
	}
	return ""
}

// name decodes a PDF name's #xx escapes, so that /J#53 is seen as /JS.
func name(s string) string {
	if d, err := types.DecodeName(s); err == nil {
		return d
	}
	return s
}
