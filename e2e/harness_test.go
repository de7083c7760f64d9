// Package e2e drives the real browser UI against a real server started in
// process: a facilitator, players and the projector, each in their own
// browser context of one headless Chromium.
//
//	go test ./e2e/                      skips when Chromium is absent
//	REQUIRE_BROWSER=1 go test ./e2e/    fails instead
//	E2E_SCREENSHOTS=dir                 where screenshots go (default e2e/screenshots)
//	CHROMIUM=/path/to/chromium          another browser binary
package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"devopschallenge/assets"
	"devopschallenge/client"
	"devopschallenge/frontend"
	"devopschallenge/game"
	"devopschallenge/game/rules"
	"devopschallenge/protocol"
	"devopschallenge/scenarios"
	"devopschallenge/server"
	"devopschallenge/store"
)

// Viewport sizes of the screenshots and checks.
var (
	phone     = size{360, 740, "phone"}
	desktop   = size{1280, 800, "desktop"}
	projector = size{1920, 1080, "projector"}
)

type size struct {
	w, h int64
	name string
}

// testServer is a real server on a loopback port.
type testServer struct {
	url string
	srv *server.Server
}

func quietLog() *slog.Logger {
	if os.Getenv("TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// hostGame creates a game over HTTP and connects its facilitator with
// the Go client (closed when the test ends), for tests that drive the
// facilitator's side without a browser.
func (srv *testServer) hostGame(ctx context.Context, t testing.TB, req protocol.CreateGameRequest) (protocol.CreateGameResponse, *client.Session) {
	t.Helper()
	g, err := (&client.HTTP{BaseURL: srv.url}).CreateGame(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	fac, err := client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: g.FacilitatorToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fac.Close() })
	return g, fac
}

// startServer runs the server with the embedded store, the embedded UI and
// assets, until the test ends.
func startServer(t testing.TB) *testServer {
	t.Helper()
	st, err := store.OpenEmbedded(context.Background(), t.TempDir(), "127.0.0.1:0", "dc:", quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return startServerOn(t, st)
}

// startServerOn runs the server on the given store (closed when the test
// ends), with the embedded UI and assets.
func startServerOn(t testing.TB, st store.Store) *testServer {
	t.Helper()
	scns, err := rules.LoadAll(scenarios.FS)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := game.NewEngine(scns, "ecommerce-platform")
	if err != nil {
		t.Fatal(err)
	}
	static, err := fs.Sub(assets.FS, "static")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Engine: eng, Store: st, Logger: quietLog(), Instance: "e2e",
		UI: frontend.FS, Assets: static, JoinRate: 1000, JoinBurst: 1000, CommandRate: 1000, CommandBurst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		// Shutdown right after Serve started may miss the http.Server
		// (Serve sets it itself): closing the listener ends Serve anyway.
		ln.Close()
		<-done
		st.Close()
	})
	return &testServer{url: "http://" + ln.Addr().String(), srv: srv}
}

// findChromium returns the browser binary, or "" when there is none.
func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is one headless Chromium process shared by the test's users.
type browser struct {
	t      testing.TB
	ctx    context.Context
	shots  string
	base   string
	mu     sync.Mutex
	errors []string
	warns  []string
}

// newBrowser starts Chromium or skips the test when it is absent (fails
// with REQUIRE_BROWSER=1).
func newBrowser(t testing.TB, base string) *browser {
	t.Helper()
	bin := findChromium()
	if bin == "" {
		if os.Getenv("REQUIRE_BROWSER") == "1" {
			t.Fatal("Chromium not found (install Debian's chromium, or set CHROMIUM); REQUIRE_BROWSER=1 forbids skipping")
		}
		t.Skip("Chromium not found: browser tests skipped (install Debian's chromium, or set CHROMIUM; REQUIRE_BROWSER=1 makes this a failure)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		cancelB()
		cancelA()
		t.Fatalf("start Chromium %s: %v", bin, err)
	}
	t.Cleanup(func() { cancelB(); cancelA() })
	shots := os.Getenv("E2E_SCREENSHOTS")
	if shots == "" {
		shots = "screenshots"
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: bctx, shots: shots, base: base}
}

// user is one person in their own browser context (own storage, own
// cookies), with one tab.
type user struct {
	b    *browser
	name string
	ctx  context.Context
	stop context.CancelFunc
	size size
}

// newUser opens a fresh browser context with one tab at the given size.
// Uncaught exceptions, console errors and browser log errors (CSP
// violations among them) are collected and fail the test.
func (b *browser) newUser(name string, sz size) *user {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	u := &user{b: b, name: name, ctx: ctx, stop: cancel, size: sz}
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: open tab: %v", name, err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			switch {
			case m.IsException():
				b.fail(name, "exception: "+m.Text+" at "+m.URL)
			case m.Type == chromedp.ConsoleError && !expectedLogError(m):
				b.fail(name, fmt.Sprintf("console error (%s): %s %s", m.Source, m.Text, m.URL))
			case m.Type == chromedp.ConsoleWarning && strings.HasPrefix(m.Text, "dc:"):
				// The UI's own warnings (a connection given up on): the
				// UI recovers, the test goes on, the log tells.
				b.warn(name, m.Text)
			}
		}
	}()
	// Accept every confirm() the UI asks (kick, delete, end the game).
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	u.resize(sz)
	b.t.Cleanup(cancel)
	return u
}

// expectedLogError filters browser errors the tests cause on purpose: the
// failed socket while the test cuts the network, and 4xx answers that the
// UI handles (a refused join shows the server's message).
func expectedLogError(m chromedp.ConsoleMessage) bool {
	switch {
	case m.Source == "network" && strings.Contains(m.Text, "status of 4"):
		return true
	case m.Source == "network" && strings.Contains(m.Text, "ERR_INTERNET_DISCONNECTED"):
		return true
	case strings.Contains(m.Text, "WebSocket"):
		return true
	}
	return false
}

func (b *browser) fail(who, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, who+": "+msg)
}

func (b *browser) warn(who, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.warns = append(b.warns, time.Now().Format("15:04:05.000")+" "+who+": "+msg)
}

// checkErrors fails the test on every uncaught exception, console error or
// CSP violation seen so far, and logs the UI's warnings.
func (b *browser) checkErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range b.warns {
		b.t.Logf("browser warning: %s", w)
	}
	b.warns = nil
	for _, e := range b.errors {
		b.t.Errorf("browser: %s", e)
	}
	b.errors = nil
}

const stepTimeout = 30 * time.Second

// do runs steps in the user's tab with a timeout, failing the test on
// error (with a screenshot of the failure).
func (u *user) do(steps ...chromedp.Action[chromedp.Void]) {
	u.b.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		u.shot("FAILED-" + u.name)
		u.b.t.Fatalf("%s: %v", u.name, err)
	}
}

// open navigates to a path of the server and waits for the app to render.
func (u *user) open(path string) {
	u.b.t.Helper()
	u.do(chromedp.Navigate(u.b.base + path))
	u.waitJS(`!!document.querySelector('.topbar, .screen, #main h1')`)
}

// navigate loads a page that is not one of the app's (a report).
func (u *user) navigate(path string) {
	u.b.t.Helper()
	u.do(chromedp.Navigate(u.b.base + path))
}

// waitJS waits until a JavaScript expression is truthy. A navigation in
// the middle (the page's context goes away) is retried.
func (u *user) waitJS(expr string) {
	u.b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithDeadline(u.ctx, deadline)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().Before(deadline) && !errors.Is(err, context.DeadlineExceeded) && u.ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		u.shot("FAILED-" + u.name)
		u.b.t.Fatalf("%s: waiting for %s: %v\npage text: %s", u.name, expr, err, u.pageText())
	}
}

// pageText returns the visible text of the page, for failure messages.
func (u *user) pageText() string {
	ctx, cancel := context.WithTimeout(u.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.replace(/\s+/g, ' ').slice(0, 1500) + (window.dcSession ? ' OUTBOX ' + JSON.stringify(window.dcSession.outbox) + ' SESSION ' + JSON.stringify({status: window.dcSession.status, version: window.dcSession.version, attempt: window.dcSession.attempt, socket: window.dcSession.ws ? window.dcSession.ws.readyState : null, trace: window.dcSession.trace}) : '')`))
	return s
}

// eval evaluates JavaScript (awaiting a promise) and decodes its result.
func eval[T any](u *user, expr string) T {
	u.b.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		u.b.t.Fatalf("%s: eval %.80s: %v", u.name, expr, err)
	}
	return v
}

// js runs JavaScript for its effect.
func (u *user) js(expr string) { eval[chromedp.Void](u, expr) }

// click clicks the first enabled button, link or tab whose text contains
// label (whitespace collapsed).
func (u *user) click(label string) {
	u.b.t.Helper()
	u.clickIn("body", "", label)
}

// clickIn clicks the first enabled button or link whose text contains
// label, inside the first element matching the CSS selector scope whose
// text contains text.
func (u *user) clickIn(scope, text, label string) {
	u.b.t.Helper()
	u.waitJS(fmt.Sprintf(`(() => {
		const norm = (s) => s.replace(/\s+/g, ' ').trim();
		for (const s of document.querySelectorAll(%q)) {
			if (!norm(s.textContent).includes(%q)) continue;
			for (const b of s.querySelectorAll('button, a')) {
				if (!b.disabled && norm(b.textContent).includes(%q)) { b.click(); return true; }
			}
		}
		return false;
	})()`, scope, text, label))
}

// fill types text into the field with the given name with real key
// events, replacing its value (the current text is selected first).
func (u *user) fill(name, text string) {
	u.b.t.Helper()
	u.waitJS(fmt.Sprintf(`(() => { const e = document.querySelector('[name=%q]'); if (!e || e.disabled) return false; e.focus(); e.select(); return true; })()`, name))
	u.do(chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`[name=%q]`, name)), text))
}

// choose clicks the radio button with the given name and value.
func (u *user) choose(name, value string) {
	u.b.t.Helper()
	u.waitJS(fmt.Sprintf(`(() => { const e = document.querySelector('input[type=radio][name=%q][value=%q]'); if (!e || e.disabled) return false; e.click(); return true; })()`, name, value))
}

// selectValue picks an option of the select with the given id.
func (u *user) selectValue(id, value string) {
	u.b.t.Helper()
	u.waitJS(fmt.Sprintf(`(() => { const e = document.getElementById(%q); if (!e || e.disabled || ![...e.options].some(o => o.value === %q)) return false;
		e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, id, value, value))
}

// waitText waits until the page shows the text.
func (u *user) waitText(text string) {
	u.b.t.Helper()
	u.waitJS(fmt.Sprintf(`document.body.innerText.replace(/\s+/g, ' ').includes(%q)`, text))
}

// shot saves a full-page screenshot under the screenshots folder.
func (u *user) shot(name string) {
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(u.b.shots, name+".png"), buf, 0o644); err != nil {
		u.b.t.Logf("screenshot %s: %v", name, err)
	}
}

// resize changes the viewport (a phone size emulates a mobile device).
func (u *user) resize(sz size) {
	u.size = sz
	if sz.w < 500 {
		u.do(chromedp.EmulateViewport(sz.w, sz.h, chromedp.EmulateMobile))
	} else {
		u.do(chromedp.EmulateViewport(sz.w, sz.h))
	}
}

var (
	axeOnce sync.Once
	axeSrc  string
	axeErr  error
)

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axe runs axe-core on the current page and fails the test on serious or
// critical violations.
func (u *user) axe(view string) {
	u.b.t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile("testdata/vendor/axe-core@4.14.1/axe.min.js")
		axeSrc = string(b)
	})
	if axeErr != nil {
		u.b.t.Fatalf("axe-core: %v (run scripts/fetch-vendor.sh)", axeErr)
	}
	if !eval[bool](u, `typeof window.axe === 'object'`) {
		eval[chromedp.Void](u, axeSrc)
	}
	res := eval[[]axeViolation](u, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`)
	for _, v := range res {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		for _, n := range v.Nodes {
			u.b.t.Errorf("axe %s (%s) on %s at %s size: %s; %v: %s", v.ID, v.Impact, view, u.size.name, v.Help, n.Target, n.Summary)
		}
	}
}

// check runs axe and takes a screenshot of the view at the current size.
func (u *user) check(view string) {
	u.b.t.Helper()
	t0 := time.Now()
	// Nothing may stick out sideways: no horizontal scrolling on a phone,
	// nothing cut off on the projector.
	if wide := eval[[]string](u, `(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return [];
		return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1 && e.getClientRects().length)
			.slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' «' + e.textContent.slice(0, 60) + '»');
	})()`); len(wide) > 0 {
		u.b.t.Errorf("%s at %s size is wider than the screen: %v", view, u.size.name, wide)
	}
	u.axe(view)
	t1 := time.Now()
	u.shot(view + "-" + u.size.name)
	u.b.t.Logf("check %s-%s: axe %s, screenshot %s", view, u.size.name, t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
}

// checkAt checks the view at each size, then restores the user's size.
func (u *user) checkAt(view string, sizes ...size) {
	u.b.t.Helper()
	orig := u.size
	for _, sz := range sizes {
		u.resize(sz)
		u.do(chromedp.Sleep(200 * time.Millisecond))
		u.check(view)
	}
	u.resize(orig)
}

// offline cuts or restores the user's network (the open WebSocket drops).
func (u *user) offline(off bool) {
	u.b.t.Helper()
	u.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		conds := []*network.Conditions{}
		if off {
			conds = append(conds, &network.Conditions{URLPattern: "", Offline: true})
		}
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds})
		return err
	}))
}

// reload reloads the page and waits for the app.
func (u *user) reload() {
	u.b.t.Helper()
	u.do(chromedp.Reload())
	u.waitJS(`!!document.querySelector('.topbar, .screen, #main h1')`)
}

// onNewDocument runs JavaScript in every page the user opens from now on,
// before the page's own scripts (to stand in for a failing API, say).
func (u *user) onNewDocument(src string) {
	u.b.t.Helper()
	u.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	}))
}

// block makes the user's requests to addresses matching the URLPattern
// strings fail (none: unblock), as a network that drops them would.
func (u *user) block(patterns ...string) {
	u.b.t.Helper()
	u.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ps := []*network.BlockPattern{}
		for _, p := range patterns {
			ps = append(ps, &network.BlockPattern{URLPattern: p, Block: true})
		}
		_, err := cdp.Call(ctx, t, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: ps})
		return err
	}))
}
