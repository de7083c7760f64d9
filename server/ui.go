package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"
)

// uiRoutes serves the embedded frontend and assets: the pages (/, /play,
// /host, /screen, /join), the ES modules under /ui/, the static assets
// (styles, pinned vendor libraries) under /assets/, and the QR code of a
// game's join link under /qr.
func (s *Server) uiRoutes(e *echo.Echo) {
	if s.cfg.Assets != nil {
		assets := newStaticFiles(s.cfg.Assets, func(name string) string {
			// Vendor files live under versioned folders (name@version): they
			// never change at a given URL.
			if strings.HasPrefix(name, "vendor/") {
				return "public, max-age=31536000, immutable"
			}
			return "no-cache"
		})
		e.GET("/assets/*", func(c echo.Context) error { return assets.serve(c, c.Param("*")) })
		e.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/assets/img/icon.svg") })
	}
	e.GET("/qr", s.qr)
	if s.cfg.UI == nil {
		return
	}
	ui := newStaticFiles(s.cfg.UI, func(string) string { return "no-cache" })
	page := func(name string) echo.HandlerFunc {
		return func(c echo.Context) error { return ui.serve(c, name) }
	}
	e.GET("/", page("index.html"))
	for _, p := range []string{"play", "host", "screen", "join"} {
		e.GET("/"+p, page(p+".html"))
	}
	e.GET("/ui/*", func(c echo.Context) error {
		name := c.Param("*")
		if strings.HasSuffix(name, ".go") {
			return echo.ErrNotFound
		}
		return ui.serve(c, name)
	})
}

// staticFiles serves the files of an fs.FS with a strong ETag (the hash of
// the content, computed once per file) so that browsers revalidate cheaply,
// and a Cache-Control chosen per file.
type staticFiles struct {
	fsys  fs.FS
	cache func(name string) string
	mu    sync.Mutex
	files map[string]*staticFile
}

type staticFile struct {
	data []byte
	etag string
}

func newStaticFiles(fsys fs.FS, cache func(string) string) *staticFiles {
	return &staticFiles{fsys: fsys, cache: cache, files: map[string]*staticFile{}}
}

func (sf *staticFiles) get(name string) (*staticFile, bool) {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if f, ok := sf.files[name]; ok {
		return f, f != nil
	}
	data, err := fs.ReadFile(sf.fsys, name)
	if err != nil {
		// Embedded files never change: remember misses too, but not
		// unboundedly (arbitrary paths from the outside).
		if len(sf.files) < 4096 {
			sf.files[name] = nil
		}
		return nil, false
	}
	sum := sha256.Sum256(data)
	f := &staticFile{data: data, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	sf.files[name] = f
	return f, true
}

func (sf *staticFiles) serve(c echo.Context, name string) error {
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" || !fs.ValidPath(name) {
		return echo.ErrNotFound
	}
	f, ok := sf.get(name)
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", sf.cache(name))
	if ct := contentType(name); ct != "" {
		h.Set("Content-Type", ct)
	}
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(f.data))
	return nil
}

// contentType gives the types the UI needs explicitly, so that they do not
// depend on the host's MIME tables (module scripts must be served as
// JavaScript; nosniff is on).
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".json":
		return "application/json"
	case ".md", ".txt":
		return "text/plain; charset=utf-8"
	}
	if base := path.Base(name); strings.HasPrefix(base, "LICENSE") {
		return "text/plain; charset=utf-8"
	}
	return ""
}

// qr answers GET /qr?code=ABC123 with a PNG QR code of the game's join
// link on the host the page was loaded from, for the projector and the
// facilitator console.
func (s *Server) qr(c echo.Context) error {
	code := normaliseCode(c.QueryParam("code"))
	if !validCode(code) {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	scheme := "http"
	if c.Request().TLS != nil || (s.cfg.TrustProxy && c.Request().Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	host := c.Request().Host
	if host == "" || strings.ContainsAny(host, "/\\?#@ ") {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	png, err := qrcode.Encode(scheme+"://"+host+"/join?code="+code, qrcode.Medium, 512)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, "image/png", png)
}
