package server

import (
	"strings"
	"testing"

	"devopschallenge/apperr"
	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/internal/redistest"
	"devopschallenge/protocol"
)

// The facilitator revokes every export link of a game: the links made
// before stop working on every instance, new ones work.
func TestRevokingExportLinks(t *testing.T) {
	url, prefix := redistest.Start(t), redistest.Prefix(t)
	a := startServer(t, redisStore(t, url, prefix), func(c *Config) { c.Instance = "A" })
	b := startServer(t, redisStore(t, url, prefix), func(c *Config) { c.Instance = "B" })
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: wallAgenda})
	if _, err := a.http.Join(ctxT(t), g.Code, "ana", ""); err != nil {
		t.Fatal(err)
	}
	fac := connect(t, g.FacilitatorToken, false, a.url)
	var old, fresh protocol.ExportLinks
	if err := a.http.Post(ctxT(t), "/api/games/"+g.GameID+"/exports", g.FacilitatorToken, nil, &old); err != nil {
		t.Fatal(err)
	}
	for _, in := range []*instance{a, b} {
		if _, _, err := in.http.GetRaw(ctxT(t), old.Links["json"], ""); err != nil {
			t.Fatalf("a fresh link on instance %s: %v", in.url, err)
		}
	}
	if _, err := fac.Do(ctxT(t), "exports.revoke", nil); err != nil {
		t.Fatal(err)
	}
	for _, in := range []*instance{b, a} {
		for _, f := range []string{"json", "html", "csv.zip"} {
			if _, _, err := in.http.GetRaw(ctxT(t), old.Links[f], ""); !apperr.IsCode(err, apperr.EUnauthorized) {
				t.Errorf("a revoked %s link on %s: %v; want unauthorized", f, in.url, err)
			}
		}
	}
	var doc game.ExportsDoc
	// The console is told (the update may come after the ack).
	if err := fac.Wait(ctxT(t), func(s *client.Session) bool {
		return s.Doc("exports", &doc) && doc.Revocations == 1 && doc.RevokedAt > 0
	}); err != nil {
		t.Errorf("the console is not told of the revocation: %+v", doc)
	}
	if err := b.http.Post(ctxT(t), "/api/games/"+g.GameID+"/exports", g.FacilitatorToken, nil, &fresh); err != nil {
		t.Fatal(err)
	}
	if fresh.Links["json"] == old.Links["json"] {
		t.Fatal("the new link is the revoked one")
	}
	for _, in := range []*instance{a, b} {
		if _, _, err := in.http.GetRaw(ctxT(t), fresh.Links["json"], ""); err != nil {
			t.Errorf("a link made after the revocation, on %s: %v", in.url, err)
		}
	}
}

// A report exported before anything happened (a lobby with one player,
// no sprint, no motion) renders in both languages.
func TestExportsOfAGameJustStarted(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{Title: "Tout juste", Lang: "fr"})
	if _, err := in.http.Join(ctxT(t), g.Code, "ana", ""); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "en"} {
		page, _, err := in.http.GetRaw(ctxT(t), "/api/games/"+g.GameID+"/report.html?lang="+lang, g.FacilitatorToken)
		if err != nil || !strings.Contains(string(page), "Tout juste") {
			t.Errorf("%s report of a new game: %v", lang, err)
		}
		if _, _, err := in.http.GetRaw(ctxT(t), "/api/games/"+g.GameID+"/report.csv.zip?lang="+lang, g.FacilitatorToken); err != nil {
			t.Errorf("%s CSV of a new game: %v", lang, err)
		}
	}
}
