package e2e

import (
	"context"
	"net/url"
	"testing"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// TestRemovedPlayerAndRevokedLinks plays, in the browser, what the console
// offers around removals and export links: a removed player is kept out
// (even under another nickname from the same phone) until the facilitator
// lets them back from the console; they then return to their seat. The
// facilitator revokes every export link: an old link stops working and
// the console says so.
func TestRemovedPlayerAndRevokedLinks(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	g, fac := srv.hostGame(ctx, t, protocol.CreateGameRequest{Title: "Moderation", Assignment: "auto"})

	host := b.newUser("Facilitator", desktop)
	host.open("/host?g=" + url.QueryEscape(g.GameID) + "#t=" + url.QueryEscape(g.FacilitatorToken))
	host.waitText(g.Code)

	p := b.newUser("Lea", phone)
	p.open("/join?code=" + g.Code)
	p.fill("nickname", "Lea")
	p.click("Join the game")
	p.waitText("Welcome, Lea")
	if err := fac.Wait(ctx, func(s *client.Session) bool { return len(s.Keys("player/")) == 1 }); err != nil {
		t.Fatal(err)
	}
	id := fac.Keys("player/")[0][len("player/"):]
	var before game.PlayerDoc
	fac.Doc("player/"+id, &before)

	// Removed, she cannot come back under another nickname from her phone.
	host.clickIn("table.players", "Lea", "Remove")
	p.waitText("You are no longer in this game")
	p.click("Join a game")
	p.waitJS(`location.pathname === '/join'`)
	p.fill("nickname", "Lea again")
	p.click("Join the game")
	p.waitText("The facilitator removed you from this game; ask them to let you back in.")
	p.check("join-removed")

	// The console lists her and lets her back in.
	host.waitJS(`!!document.querySelector('[data-testid=removed-players]')`)
	host.waitText("Kept out")
	host.check("console-removed")
	host.clickIn("[data-testid=removed-players]", "Lea", "Let back in")
	host.waitText("May come back: they join again with the code")

	p.click("Join the game")
	p.waitText("Welcome, Lea again")
	var after game.PlayerDoc
	if err := fac.Wait(ctx, func(s *client.Session) bool {
		return s.Doc("player/"+id, &after) && after.ID == id
	}); err != nil {
		t.Fatalf("she did not get her seat back: %v", err)
	}
	if after.Team != before.Team {
		t.Errorf("back in team %s, was in %s", after.Team, before.Team)
	}
	host.waitJS(`!document.querySelector('[data-testid=removed-players]')`)
	closeToNewcomers(t, b, host, g.Code)

	// Export links: one made now, then every link revoked from the console.
	var links protocol.ExportLinks
	if err := (&client.HTTP{BaseURL: srv.url}).Post(ctx, "/api/games/"+g.GameID+"/exports", g.FacilitatorToken, nil, &links); err != nil {
		t.Fatal(err)
	}
	host.click("Results")
	host.clickIn("[data-testid=revoke-exports]", "", "Revoke every export link")
	host.waitText("no longer work")
	host.check("console-revoked")
	if _, _, err := (&client.HTTP{BaseURL: srv.url}).GetRaw(ctx, links.Links["json"], ""); err == nil {
		t.Error("a link made before the revocation still works")
	}

	// The module's strings (moderation.*) exist in both languages.
	keys := eval[map[string][]string](host, `import('/ui/js/i18n.js').then(m => { const k = m.keySets(), own = (l) => l.filter((s) => s.startsWith('moderation.')); return { en: own(k.en), fr: own(k.fr) }; })`)
	if len(keys["en"]) == 0 || len(keys["en"]) != len(keys["fr"]) {
		t.Errorf("moderation strings: %d English, %d French", len(keys["en"]), len(keys["fr"]))
	}
	for i := range keys["en"] {
		if i < len(keys["fr"]) && keys["en"][i] != keys["fr"][i] {
			t.Errorf("moderation strings: %q has no French twin (%q)", keys["en"][i], keys["fr"][i])
		}
	}
}

// closeToNewcomers has the facilitator close the game once the class is
// in: a newcomer's join page says so and the join is refused with a
// sentence; opened again, the newcomer gets in.
func closeToNewcomers(t *testing.T, b *browser, host *user, code string) {
	host.clickIn("[data-testid=newcomers]", "", "Close to newcomers")
	host.waitText("Closed to newcomers: nobody new can join")
	host.check("console-closed")
	q := b.newUser("Max", phone)
	q.open("/join?code=" + code)
	q.waitJS(`!!document.querySelector('[data-testid=join-closed]')`)
	q.fill("nickname", "Max")
	q.click("Join the game")
	q.waitText("The facilitator has closed this game to newcomers; ask them to open it again.")
	q.check("join-closed")
	host.clickIn("[data-testid=newcomers]", "", "Open to newcomers")
	host.waitText("Anyone with the code can join.")
	q.click("Join the game")
	q.waitText("Welcome, Max")
}
