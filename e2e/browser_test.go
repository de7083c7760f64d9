// The browser and its users: one headless Chromium per test, one browser
// context per person, the errors the pages report and the viewport sizes.

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
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

// resize changes the viewport (a phone size emulates a mobile device).
func (u *user) resize(sz size) {
	u.size = sz
	if sz.w < 500 {
		u.do(chromedp.EmulateViewport(sz.w, sz.h, chromedp.EmulateMobile))
	} else {
		u.do(chromedp.EmulateViewport(sz.w, sz.h))
	}
}
