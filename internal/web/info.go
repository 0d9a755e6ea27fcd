package web

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"net/http"

	"cma/internal/candidature"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// The information pages every French public site has, linked from every
// page's footer: help, legal notice, personal data, accessibility statement.

func (s *Server) infoPage(title string, fr, en func() *views.InfoView) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pg := s.page(r, title)
		v := fr()
		if pg.P.Lang == i18n.English {
			v = en()
		}
		s.render(w, r, http.StatusOK, views.Info(pg, v))
	}
}

func privacyFR() *views.InfoView { return views.PrivacyFR(candidature.ProofRetentionMonths) }
func privacyEN() *views.InfoView { return views.PrivacyEN(candidature.ProofRetentionMonths) }

// faviconSVG is the site's icon: an open book, white on the city's blue.
const faviconSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
	`<rect width="32" height="32" rx="6" fill="#000091"/>` +
	`<path d="M6 9c3.5-1.2 7-1 9 1v14c-2-1.6-5.5-1.8-9-.6z M26 9c-3.5-1.2-7-1-9 1v14c2-1.6 5.5-1.8 9-.6z" fill="#fff"/>` +
	`</svg>`

func (s *Server) serveFaviconSVG(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write([]byte(faviconSVG))
}

func (s *Server) serveFaviconICO(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(s.faviconICO)
}

// faviconICO draws the same book, 32×32, as a PNG inside an ICO file (the
// format browsers ask /favicon.ico for when a page names no icon, such as a
// PDF or the API's documents).
func faviconICO() []byte {
	const n = 32
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	blue, white := color.NRGBA{0x00, 0x00, 0x91, 0xff}, color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			c := blue
			if y >= 9 && y <= 23 && ((x >= 6 && x <= 14) || (x >= 17 && x <= 25)) {
				c = white // the two pages
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var pngData bytes.Buffer
	png.Encode(&pngData, img) // cannot fail on a bytes.Buffer
	var b bytes.Buffer
	// ICONDIR: reserved, type 1 (icon), one image; ICONDIRENTRY: 32×32, no
	// palette, 1 plane, 32 bits per pixel, size and offset of the PNG.
	binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, 1})
	b.Write([]byte{n, n, 0, 0})
	binary.Write(&b, binary.LittleEndian, [2]uint16{1, 32})
	binary.Write(&b, binary.LittleEndian, [2]uint32{uint32(pngData.Len()), 6 + 16})
	b.Write(pngData.Bytes())
	return b.Bytes()
}
