// What a user does in their tab and what the test waits for: steps under
// a timeout, waits on a condition of the page, evaluation, clicks and
// typing.

package e2e

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

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

// reload reloads the page and waits for the app.
func (u *user) reload() {
	u.b.t.Helper()
	u.do(chromedp.Reload())
	u.waitJS(`!!document.querySelector('.topbar, .screen, #main h1')`)
}
