// Package proof checks an uploaded supporting document (the half-tariff proof of
// CAN-9) before it is kept: it must be a PDF, JPEG or PNG all the way through,
// not just in its first bytes, carry no active content, and stay small once
// decoded. Staff open these files later in their own viewers, so a file that
// would run script, launch a program or exhaust a viewer's memory is refused at
// the upload.
//
// Every check is bounded: at most MaxBytes are read, a PDF's streams are
// inflated up to MaxDecodedBytes in all, an image is decoded only when its
// header announces at most MaxPixels, and the whole check stops after
// checkTimeout.
package proof

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"time"
)

// The families of refusal; the caller words them for the person.
var (
	ErrType     = errors.New("proof: not a PDF, JPEG or PNG file")
	ErrDamaged  = errors.New("proof: damaged or unreadable file")
	ErrActive   = errors.New("proof: active content (script, launch action, embedded file or HTML)")
	ErrTooLarge = errors.New("proof: too large once decoded")
)

// Limits of the check.
const (
	// MaxBytes is the largest file accepted (the validation form's limit).
	MaxBytes = 5 << 20
	// MaxPixels bounds an image's width × height: 40 megapixels is above any
	// phone photo of a sheet of paper (12 to 24 MP by default) and keeps a
	// decoded image under about 160 MB.
	MaxPixels = 40_000_000
	// MaxDecodedBytes bounds what a PDF's streams inflate to, all together. A
	// scanned certificate of a few pages decodes to a few megabytes of page
	// descriptions (its images stay compressed and are not inflated here).
	MaxDecodedBytes = 32 << 20
)

// checkTimeout bounds the time of one check, whatever the file.
const checkTimeout = 5 * time.Second

// Content types returned by Check.
const (
	PDF  = "application/pdf"
	JPEG = "image/jpeg"
	PNG  = "image/png"
)

// Check reads data as a PDF, JPEG or PNG file and returns its content type, or
// an error wrapping one of ErrType, ErrDamaged, ErrActive or ErrTooLarge. The
// type is recognised by content, never by a file name: an executable renamed
// .pdf is refused.
func Check(ctx context.Context, data []byte) (contentType string, err error) {
	if len(data) > MaxBytes {
		return "", fmt.Errorf("%d bytes: %w", len(data), ErrTooLarge)
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	switch sniff(data) {
	case PDF:
		return PDF, checkPDF(ctx, data)
	case JPEG:
		return JPEG, checkImage(data, JPEG)
	case PNG:
		return PNG, checkImage(data, PNG)
	}
	return "", ErrType
}

// sniff names the type announced by the first bytes.
func sniff(data []byte) string {
	switch ct := http.DetectContentType(data); {
	case ct == PDF && bytes.HasPrefix(data, []byte("%PDF-")):
		return PDF
	case ct == JPEG, ct == PNG:
		return ct
	}
	return ""
}

// checkImage decodes an image fully, after its header has said it fits
// MaxPixels, and refuses anything after the image's end (an executable or an
// archive glued after a valid picture).
func checkImage(data []byte, contentType string) error {
	var decodeConfig func([]byte) (image.Config, error)
	var decode func([]byte) error
	var end func([]byte) (int, error)
	switch contentType {
	case JPEG:
		decodeConfig = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) error { _, err := jpeg.Decode(bytes.NewReader(b)); return err }
		end = jpegEnd
	default:
		decodeConfig = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) error { _, err := png.Decode(bytes.NewReader(b)); return err }
		end = pngEnd
	}
	cfg, err := decodeConfig(data)
	if err != nil {
		return fmt.Errorf("%s header: %v: %w", contentType, err, ErrDamaged)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("%s of %d×%d pixels: %w", contentType, cfg.Width, cfg.Height, ErrDamaged)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return fmt.Errorf("%s of %d×%d pixels: %w", contentType, cfg.Width, cfg.Height, ErrTooLarge)
	}
	if m := htmlMarker(data); m != "" { // an image/HTML polyglot, e.g. a script in a JPEG comment
		return fmt.Errorf("%s holding %q: %w", contentType, m, ErrActive)
	}
	n, err := end(data)
	if err != nil {
		return fmt.Errorf("%s structure: %v: %w", contentType, err, ErrDamaged)
	}
	if trailing := data[n:]; len(bytes.Trim(trailing, "\x00\r\n")) > 0 {
		return fmt.Errorf("%s followed by %d bytes of something else: %w", contentType, len(trailing), ErrActive)
	}
	if err := decode(data); err != nil {
		return fmt.Errorf("%s: %v: %w", contentType, err, ErrDamaged)
	}
	return nil
}

// pngEnd walks a PNG's chunks and returns the offset just after IEND.
func pngEnd(data []byte) (int, error) {
	const signature = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(data, []byte(signature)) {
		return 0, errors.New("no PNG signature")
	}
	i := len(signature)
	for {
		if len(data)-i < 12 {
			return 0, errors.New("cut before IEND")
		}
		n := int(uint32(data[i])<<24 | uint32(data[i+1])<<16 | uint32(data[i+2])<<8 | uint32(data[i+3]))
		kind := string(data[i+4 : i+8])
		if n < 0 || n > len(data)-i-12 {
			return 0, fmt.Errorf("chunk %q of %d bytes overruns the file", kind, n)
		}
		i += 12 + n // length, type, data, CRC
		if kind == "IEND" {
			return i, nil
		}
	}
}

// jpegEnd walks a JPEG's markers and returns the offset just after EOI. Marker
// segments carry their length; after a start of scan, the entropy-coded data
// runs to the next marker that is neither a stuffed 0xFF00 nor a restart.
// Thumbnails inside APP segments are skipped with their segment.
func jpegEnd(data []byte) (int, error) {
	if len(data) < 2 || data[0] != 0xFF || data[1] != 0xD8 {
		return 0, errors.New("no start of image")
	}
	i := 2
	for {
		if i >= len(data) || data[i] != 0xFF {
			return 0, fmt.Errorf("no marker at offset %d", i)
		}
		for i < len(data) && data[i] == 0xFF { // fill bytes
			i++
		}
		if i >= len(data) {
			return 0, errors.New("cut before end of image")
		}
		marker := data[i]
		i++
		switch {
		case marker == 0xD9: // end of image
			return i, nil
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7: // no length
			continue
		}
		if len(data)-i < 2 {
			return 0, errors.New("cut in a segment length")
		}
		n := int(data[i])<<8 | int(data[i+1])
		if n < 2 || n > len(data)-i {
			return 0, fmt.Errorf("segment 0x%02X of %d bytes overruns the file", marker, n)
		}
		i += n
		if marker != 0xDA { // not a start of scan
			continue
		}
		for { // entropy-coded data up to the next real marker
			j := bytes.IndexByte(data[i:], 0xFF)
			if j < 0 || i+j+1 >= len(data) {
				return 0, errors.New("cut in scan data")
			}
			i += j
			next := data[i+1]
			if next == 0x00 || next >= 0xD0 && next <= 0xD7 || next == 0xFF {
				i += 2
				if next == 0xFF {
					i-- // a fill byte: look at it again
				}
				continue
			}
			break
		}
	}
}
