package e2e

import (
	"context"
	"testing"
	"time"

	"devopschallenge/protocol"
)

// A phone whose network drops the download of the next phase's module
// (it loads when the game gets there) shows that phase once the network
// lets it through, without a reload and without an error on the page.
func TestPhaseModuleAfterADroppedDownload(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	g, fac := srv.hostGame(ctx, t, protocol.CreateGameRequest{Title: "Modules", Lang: "en"})

	p := b.newUser("Zoe", phone)
	p.open("/join?code=" + g.Code)
	p.fill("nickname", "Zoe")
	p.click("Join the game")
	p.waitText("Welcome, Zoe")
	p.block("*://*:*/*/study.js*")
	if _, err := fac.Do(ctx, "game.start", nil); err != nil {
		t.Fatal(err)
	}
	p.waitText("Post anonymous sticky notes")
	// The wall prefetches the study's module; the network drops it.
	if _, err := fac.Do(ctx, "phase.next", nil); err != nil {
		t.Fatal(err)
	}
	p.waitJS(`window.dcSession.docs.game.phase === 2`)
	p.waitText("Loading")
	p.block()
	p.waitText("Worksheet")
}

// TestPhaseSubModuleAfterADroppedDownload drops a module the phase's own
// module imports (the study's evidence.js): once the network is back the
// phone shows the phase, though the browser may remember the failed
// address.
func TestPhaseSubModuleAfterADroppedDownload(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	g, fac := srv.hostGame(ctx, t, protocol.CreateGameRequest{Title: "Modules", Lang: "en"})

	p := b.newUser("Zoe", phone)
	p.open("/join?code=" + g.Code)
	p.fill("nickname", "Zoe")
	p.click("Join the game")
	p.waitText("Welcome, Zoe")
	p.block("*://*:*/*/evidence.js*")
	if _, err := fac.Do(ctx, "game.start", nil); err != nil {
		t.Fatal(err)
	}
	p.waitText("Post anonymous sticky notes")
	if _, err := fac.Do(ctx, "phase.next", nil); err != nil {
		t.Fatal(err)
	}
	p.waitJS(`window.dcSession.docs.game.phase === 2`)
	p.waitText("Loading")
	p.block()
	p.waitText("Worksheet")
}
