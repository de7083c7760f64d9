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
	for _, c := range servedFiles {
		checkServed(t, srv, c)
	}
	checkNotFound(t, srv)
	checkQR(t, srv)
}

// servedFile is a file the UI needs: its path, its Content-Type and a
// piece of its body.
type servedFile struct{ path, ctype, body string }

// servedFiles are the pages, modules, styles and images the UI loads.
var servedFiles = []servedFile{
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
}

// getServed fetches a path of the server with the given headers; the test
// fails when the request does not get an answer.
func getServed(t *testing.T, srv *testServer, path string, hdr map[string]string) (*http.Response, []byte) {
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

// checkServed: a browser loads the file, then revalidates it. Checked: a
// 200 with the right type and body, a strict Content-Security-Policy, the
// caching (immutable for versioned vendor files, no-cache otherwise), an
// ETag that revalidates to a 304, and pages without inline script or
// style.
func checkServed(t *testing.T, srv *testServer, c servedFile) {
	res, body := getServed(t, srv, c.path, nil)
	if res.StatusCode != http.StatusOK {
		t.Errorf("%s: status %d", c.path, res.StatusCode)
		return
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
	} else if again, _ := getServed(t, srv, c.path, map[string]string{"If-None-Match": et}); again.StatusCode != http.StatusNotModified {
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

// checkNotFound: a browser asks for files the UI does not have, or outside
// its folders. Checked: each gets a 404.
func checkNotFound(t *testing.T, srv *testServer) {
	for _, path := range []string{"/ui/js/nope.js", "/ui/embed.go", "/ui/../go.mod", "/assets/../embed.go", "/assets/vendor/"} {
		if res, _ := getServed(t, srv, path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.StatusCode)
		}
	}
}

// checkQR: a facilitator creates a game and the console asks for the QR
// code of its join link, then for the QR code of bad codes. Checked: a PNG
// for the game's code (typed in lower case), a 400 for each bad code.
func checkQR(t *testing.T, srv *testServer) {
	// The QR code encodes the join link on the host the page came from.
	h := &client.HTTP{BaseURL: srv.url}
	g, err := h.CreateGame(t.Context(), protocol.CreateGameRequest{})
	if err != nil {
		t.Fatal(err)
	}
	res, body := getServed(t, srv, "/qr?code="+strings.ToLower(g.Code), nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(body, []byte("\x89PNG")) {
		t.Errorf("QR: status %d, type %q, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	for _, bad := range []string{"", "ABC", "ABCDE0", "<script>"} {
		if res, _ := getServed(t, srv, "/qr?code="+bad, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("QR of %q: status %d, want 400", bad, res.StatusCode)
		}
	}
}
