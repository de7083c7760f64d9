package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
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
//
// Phones on a classroom Wi-Fi load little: text files go out gzipped,
// and the pages refer to the modules, styles and images under a path that
// names the build (/v/<version>/ui/…, /v/<version>/assets/…), which
// browsers may then keep for a year without asking again; the pages
// themselves are revalidated at each visit (a 304 when nothing changed).
// The unversioned paths keep working, revalidated each time. Vendor files
// live under versioned folders (name@version) already.
func (s *Server) uiRoutes(e *echo.Echo) {
	version := buildVersion(s.cfg.UI, s.cfg.Assets)
	versioned := func(sf *staticFiles) echo.HandlerFunc {
		return func(c echo.Context) error {
			cache := ""
			if c.Param("v") == version {
				cache = "public, max-age=31536000, immutable"
			}
			return sf.serveWith(c, c.Param("*"), cache)
		}
	}
	if s.cfg.Assets != nil {
		assets := newStaticFiles(s.cfg.Assets, func(name string) string {
			if strings.HasPrefix(name, "vendor/") {
				return "public, max-age=31536000, immutable"
			}
			return "no-cache"
		}, nil)
		e.GET("/assets/*", func(c echo.Context) error { return assets.serve(c, c.Param("*")) })
		e.GET("/v/:v/assets/*", versioned(assets))
		e.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/assets/img/icon.svg") })
	}
	e.GET("/qr", s.qr)
	if s.cfg.UI == nil {
		return
	}
	ui := newStaticFiles(s.cfg.UI, func(string) string { return "no-cache" }, func(name string, data []byte) []byte {
		if path.Ext(name) != ".html" {
			return data
		}
		return versionLinks(data, version)
	})
	page := func(name string) echo.HandlerFunc {
		return func(c echo.Context) error { return ui.serve(c, name) }
	}
	e.GET("/", page("index.html"))
	for _, p := range []string{"play", "host", "screen", "join"} {
		e.GET("/"+p, page(p+".html"))
	}
	notGo := func(h echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if strings.HasSuffix(c.Param("*"), ".go") {
				return echo.ErrNotFound
			}
			return h(c)
		}
	}
	e.GET("/ui/*", notGo(func(c echo.Context) error { return ui.serve(c, c.Param("*")) }))
	e.GET("/v/:v/ui/*", notGo(versioned(ui)))
}

// buildVersion names the build by the content of its files: the same
// build gives the same name on every instance, and any change another.
func buildVersion(fss ...fs.FS) string {
	h := sha256.New()
	for _, fsys := range fss {
		if fsys == nil {
			continue
		}
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := fs.ReadFile(fsys, p)
			if err == nil {
				h.Write([]byte(p))
				h.Write(b)
			}
			return nil
		})
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// versionLinks points a page's links to the UI's modules and to the
// assets (vendor files aside: their folders are versioned) at the
// build's versioned paths. Modules import each other by relative paths,
// so that a page's whole module graph comes from one version.
func versionLinks(page []byte, version string) []byte {
	page = bytes.ReplaceAll(page, []byte(`="/ui/`), []byte(`="/v/`+version+`/ui/`))
	page = bytes.ReplaceAll(page, []byte(`="/assets/`), []byte(`="/v/`+version+`/assets/`))
	return bytes.ReplaceAll(page, []byte(`="/v/`+version+`/assets/vendor/`), []byte(`="/assets/vendor/`))
}

// staticFiles serves the files of an fs.FS with a strong ETag (the hash of
// the content, computed once per file) so that browsers revalidate cheaply,
// a Cache-Control chosen per file, and a gzipped copy (made once) for
// clients that accept it.
type staticFiles struct {
	fsys    fs.FS
	cache   func(name string) string
	rewrite func(name string, data []byte) []byte
	mu      sync.Mutex
	files   map[string]*staticFile
}

type staticFile struct {
	data []byte
	etag string
	// gz is the gzipped file, when that is smaller by a tenth at least.
	gz     []byte
	gzEtag string
}

func newStaticFiles(fsys fs.FS, cache func(string) string, rewrite func(string, []byte) []byte) *staticFiles {
	return &staticFiles{fsys: fsys, cache: cache, rewrite: rewrite, files: map[string]*staticFile{}}
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
	if sf.rewrite != nil {
		data = sf.rewrite(name, data)
	}
	sum := sha256.Sum256(data)
	tag := hex.EncodeToString(sum[:12])
	f := &staticFile{data: data, etag: `"` + tag + `"`}
	if compressible(name) {
		if gz := gzipped(data); len(gz) < len(data)*9/10 {
			f.gz, f.gzEtag = gz, `"`+tag+`-gz"`
		}
	}
	sf.files[name] = f
	return f, true
}

// compressible reports whether a file is text that gzip shrinks.
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".html", ".js", ".mjs", ".css", ".svg", ".json", ".md", ".txt":
		return true
	}
	return strings.HasPrefix(path.Base(name), "LICENSE")
}

func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// acceptsGzip reports whether a request's Accept-Encoding takes gzip
// (named, or "*", with a weight above 0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(p, "="); ok && strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

func (sf *staticFiles) serve(c echo.Context, name string) error { return sf.serveWith(c, name, "") }

// serveWith serves a file with the given Cache-Control, or the one chosen
// for the file when cache is "".
func (sf *staticFiles) serveWith(c echo.Context, name, cache string) error {
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" || !fs.ValidPath(name) {
		return echo.ErrNotFound
	}
	f, ok := sf.get(name)
	if !ok {
		return echo.ErrNotFound
	}
	if cache == "" {
		cache = sf.cache(name)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", cache)
	if ct := contentType(name); ct != "" {
		h.Set("Content-Type", ct)
	}
	body, etag := f.data, f.etag
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request()) {
			body, etag = f.gz, f.gzEtag
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(body))
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
