package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"devopschallenge/client"
	"devopschallenge/protocol"
)

// TestServing checks how the UI is served, without a browser: pages and
// modules with the right types and a strict Content-Security-Policy,
// revalidation by ETag, long caching of the versioned vendor files, and
// the QR code of a join link.
func TestServing(t *testing.T) {
	srv := startServer(t)
	get := func(path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.url+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	for _, c := range []struct{ path, ctype, body string }{
		{"/", "text/html", "/ui/js/home.js"},
		{"/join?code=ABCDEF", "text/html", "/ui/js/join.js"},
		{"/play", "text/html", "/ui/js/play.js"},
		{"/host", "text/html", "/ui/js/host.js"},
		{"/screen", "text/html", "/ui/js/screen.js"},
		{"/ui/js/session.js", "text/javascript", "export class Session"},
		{"/assets/css/app.css", "text/css", ":root"},
		{"/assets/vendor/preact@11.2.0/preact.mjs", "text/javascript", "export{"},
		{"/assets/vendor/preact@11.2.0/hooks.mjs", "text/javascript", `from"./preact.mjs"`},
		{"/assets/vendor/htm@3.1.1/htm.mjs", "text/javascript", "export"},
		{"/assets/vendor/uplot@1.6.32/uPlot.esm.js", "text/javascript", "export"},
		{"/assets/img/icon.svg", "image/svg+xml", "<svg"},
	} {
		res, body := get(c.path, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", c.path, res.StatusCode)
			continue
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", c.path, res.Header.Get("Content-Type"), c.ctype)
		}
		if !bytes.Contains(body, []byte(c.body)) {
			t.Errorf("%s: body lacks %q", c.path, c.body)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", c.path, csp)
		}
		if strings.Contains(c.path, "/vendor/") {
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("%s: Cache-Control %q, want immutable", c.path, cc)
			}
		} else if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", c.path, cc)
		}
		if et := res.Header.Get("ETag"); et == "" {
			t.Errorf("%s: no ETag", c.path)
		} else if again, _ := get(c.path, map[string]string{"If-None-Match": et}); again.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation gave %d, want 304", c.path, again.StatusCode)
		}
		// The pages carry no inline script or style (the CSP forbids them).
		if c.ctype == "text/html" {
			for _, bad := range []string{"<script>", "<style", " style=", "onclick=", "onload="} {
				if bytes.Contains(bytes.ToLower(body), []byte(bad)) {
					t.Errorf("%s: inline %q", c.path, bad)
				}
			}
		}
	}
	for _, path := range []string{"/ui/js/nope.js", "/ui/embed.go", "/ui/../go.mod", "/assets/../embed.go", "/assets/vendor/"} {
		if res, _ := get(path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.StatusCode)
		}
	}

	// The QR code encodes the join link on the host the page came from.
	h := &client.HTTP{BaseURL: srv.url}
	g, err := h.CreateGame(t.Context(), protocol.CreateGameRequest{})
	if err != nil {
		t.Fatal(err)
	}
	res, body := get("/qr?code="+strings.ToLower(g.Code), nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(body, []byte("\x89PNG")) {
		t.Errorf("QR: status %d, type %q, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	for _, bad := range []string{"", "ABC", "ABCDE0", "<script>"} {
		if res, _ := get("/qr?code="+bad, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("QR of %q: status %d, want 400", bad, res.StatusCode)
		}
	}
}
