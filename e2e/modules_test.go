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
	studyAfterADroppedDownload(t, "*://*:*/*/study.js*")
}

// The same with a module the phase's own module imports (the study's
// evidence.js): the browser may remember the failed address, yet the
// phone shows the phase once the network is back.
func TestPhaseSubModuleAfterADroppedDownload(t *testing.T) {
	studyAfterADroppedDownload(t, "*://*:*/*/evidence.js*")
}

// studyAfterADroppedDownload has a phone's network drop the downloads
// matching blocked while the game moves from the wall to the study: the
// phone says "Loading", then shows the worksheet once they go through.
func studyAfterADroppedDownload(t *testing.T, blocked string) {
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
	p.block(blocked)
	if _, err := fac.Do(ctx, "game.start", nil); err != nil {
		t.Fatal(err)
	}
	p.waitText("Post anonymous sticky notes")
	// The wall prefetches the study's modules; the network drops them.
	if _, err := fac.Do(ctx, "phase.next", nil); err != nil {
		t.Fatal(err)
	}
	p.waitJS(`window.dcSession.docs.game.phase === 2`)
	p.waitText("Loading")
	p.block()
	p.waitText("Worksheet")
}
