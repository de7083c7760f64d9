package e2e

import (
	"context"
	"testing"
	"time"

	"devopschallenge/client"
	"devopschallenge/internal/redistest"
	"devopschallenge/protocol"
	"devopschallenge/store"
)

// A note posted while Redis does not answer is neither lost nor doubled:
// the server answers `unavailable`, the page keeps the note among the
// changes waiting and sends it again with the same id until the store
// answers; then it shows once, on the phone and for the facilitator.
func TestNoteWhileTheStoreStalls(t *testing.T) {
	rs := redistest.StartDedicated(t)
	st, err := store.Open(context.Background(), rs.URL(), "dc:", quietLog())
	if err != nil {
		t.Fatal(err)
	}
	srv := startServerOn(t, st)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	g, fac := srv.hostGame(ctx, t, protocol.CreateGameRequest{Title: "Stalled store", Lang: "en"})

	p := b.newUser("Zoe", phone)
	p.open("/join?code=" + g.Code)
	p.fill("nickname", "Zoe")
	p.click("Join the game")
	p.waitText("Welcome, Zoe")
	if _, err := fac.Do(ctx, "game.start", nil); err != nil {
		t.Fatal(err)
	}
	p.waitText("Post anonymous sticky notes")

	// Count what the server answers the page while Redis is stopped.
	p.js(`window.__unavailable = 0; window.dcSession.ws.addEventListener('message', (e) => { if (String(e.data).includes('"unavailable"')) window.__unavailable++; })`)
	rs.Pause(t)
	resumed := false
	defer func() {
		if !resumed {
			rs.Resume(t)
		}
	}()
	p.fill("note", "Written while Redis slept")
	p.click("Post the note")
	p.waitJS(`window.__unavailable >= 2 && window.dcSession.unsent() === 1`)
	p.waitText("1 change waiting")
	rs.Resume(t)
	resumed = true

	p.waitText("Note posted.")
	p.waitJS(`window.dcSession.unsent() === 0`)
	if n := eval[int](p, `[...document.querySelectorAll('.note-text')].filter(e => e.textContent === 'Written while Redis slept').length`); n != 1 {
		t.Errorf("the note shows %d times on the phone, want once", n)
	}
	fac.Wait(ctx, func(s *client.Session) bool { return len(s.Keys("note/")) >= 1 })
	if n := len(fac.Keys("note/")); n != 1 {
		t.Errorf("the facilitator sees %d notes, want 1", n)
	}
}
