// The network as a test shapes it: cut, blocked addresses, and scripts
// standing in for a failing API.

package e2e

import (
	"context"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

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
