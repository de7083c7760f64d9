package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// A body not declared as JSON (a form or a text/plain post from another
// site) is refused with a sentence, and nobody joins.
func TestBodiesMustBeDeclaredJSON(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{})
	resp, err := http.Post(in.url+"/api/games/join", "text/plain", strings.NewReader(fmt.Sprintf(`{"code":%q,"nickname":"csrf"}`, g.Code)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e protocol.ErrorResponse
	json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusBadRequest || e.Code != apperr.EInvalid || !strings.Contains(e.Message, "Content-Type: application/json") || e.MessageFR == "" {
		t.Fatalf("a text/plain join: %d %+v", resp.StatusCode, e)
	}
	fac := connect(t, g.FacilitatorToken, false, in.url)
	if keys := fac.Keys("player/"); len(keys) != 0 {
		t.Fatalf("players after a refused join: %v", keys)
	}
	// What the API answers stays out of caches: it carries tokens.
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control of an API answer: %q", cc)
	}
}

// Code lookups, joins and creations have a bucket each per address: a
// student refreshing the code page does not lock the class out of
// joining. A refusal says when to try again.
func TestRateLimitBuckets(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""), func(c *Config) { c.JoinRate, c.JoinBurst = 0.5, 5 })
	g := newGame(t, in, protocol.CreateGameRequest{})
	var last *http.Response
	for i := 0; i < 10; i++ {
		resp, err := http.Get(in.url + "/api/codes/ZZZZZZ")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if last = resp; resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("10 code lookups with a burst of 5: the last answered %d", last.StatusCode)
	}
	if ra := last.Header.Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After %q; want 2 (one request every 2 s)", ra)
	}
	if _, err := in.http.Join(ctxT(t), g.Code, "ana", ""); err != nil {
		t.Fatalf("joining after the code lookups were limited: %v", err)
	}
}
