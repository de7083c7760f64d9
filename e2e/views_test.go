// Checks of a whole view: nothing wider than the screen, axe-core, and
// the screenshots.

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

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
		// The page has the new size and has laid it out (two frames).
		u.waitJS(fmt.Sprintf(`innerWidth === %d`, sz.w))
		u.js(`new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))`)
		u.check(view)
	}
	u.resize(orig)
}

// screen saves a screenshot of what the viewport shows.
func (u *user) screen(name string) {
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		u.b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(u.b.shots, name+".png"), buf, 0o644); err != nil {
		u.b.t.Logf("screenshot %s: %v", name, err)
	}
}
