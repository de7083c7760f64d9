package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"devopschallenge/assets"
	"devopschallenge/frontend"
)

// Static files go out gzipped to clients that take it, and the pages
// point at versioned paths that browsers keep for a year.
func TestStaticFilesAreCompressedAndVersioned(t *testing.T) {
	static, _ := fs.Sub(assets.FS, "static")
	in := startServer(t, embeddedStore(t, ""), func(c *Config) { c.UI, c.Assets = frontend.FS, static })
	get := func(path string, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, in.url+path, nil)
		req.Header.Set("Accept-Encoding", "identity")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		// A transport that leaves the body as the server sent it.
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	_, page := get("/play")
	m := regexp.MustCompile(`src="(/v/([0-9a-f]{12})/ui/js/play\.js)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the page does not load its module from a versioned path:\n%s", page)
	}
	module, version := string(m[1]), string(m[2])
	for _, want := range []string{`href="/v/` + version + `/assets/css/app.css"`, `href="/assets/vendor/uplot@`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %s", want)
		}
	}
	_, plain := get("/ui/js/play.js")

	res, body := get(module, "Accept-Encoding", "gzip, deflate, br")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") ||
		!strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("versioned module: %v", res.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) || len(body) >= len(plain) {
		t.Errorf("gzipped module: %d bytes for %d, same content: %v", len(body), len(plain), bytes.Equal(unzipped, plain))
	}
	if again, _ := get(module, "Accept-Encoding", "gzip", "If-None-Match", res.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating the gzipped module: %d", again.StatusCode)
	}
	for _, ae := range []string{"identity", "gzip;q=0", "br"} {
		if res, _ := get(module, "Accept-Encoding", ae); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q got %q", ae, res.Header.Get("Content-Encoding"))
		}
	}
	// Another build's path still works, revalidated each time.
	if res, b := get("/v/000000000000/ui/js/play.js"); res.StatusCode != 200 || !bytes.Equal(b, plain) || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("an unknown version: %d, %v", res.StatusCode, res.Header)
	}
	if res, _ := get("/v/"+version+"/assets/css/app.css", "Accept-Encoding", "gzip"); res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("versioned style sheet: %v", res.Header)
	}
	if res, _ := get("/v/" + version + "/ui/embed.go"); res.StatusCode != http.StatusNotFound {
		t.Errorf("Go source under /v/: %d", res.StatusCode)
	}
}
