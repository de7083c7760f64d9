package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// TestWallOfForty plays the wall of a class of 40 in French: forty notes,
// clustered by the facilitator (one cluster of sixteen), looked at on the
// projector at 1920×1080, where every note must be on the screen and none
// cut, on the console at 1280×800 and on a phone at 360×740.
func TestWallOfForty(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	g, fac := srv.hostGame(ctx, t, protocol.CreateGameRequest{Title: "Classe de 40", Lang: "fr", Companies: 2, Assignment: "auto"})
	sessions := joinMany(ctx, t, srv.url, g.Code, 40)
	if _, err := fac.Do(ctx, "game.start", nil); err != nil {
		t.Fatal(err)
	}
	themes := []string{"Transmissions", "Environnements", "Astreintes", "Tests tardifs", "Propriété"}
	sizes := []int{16, 8, 6, 4, 3} // 37 grouped, 3 left loose
	var notes []string
	for i, s := range sessions {
		text := fmt.Sprintf("Post-it %d : les mises en production attendent le comité du jeudi", i+1)
		ack, err := s.Do(ctx, "note.add", game.NoteAddArgs{Text: text, Target: []string{"devs", "ops"}[i%2]})
		if err != nil {
			t.Fatal(err)
		}
		notes = append(notes, ack.Result["noteId"].(string))
	}
	next := 0
	for i, name := range themes {
		if _, err := fac.Do(ctx, "notes.group", game.NotesGroupArgs{NoteIDs: notes[next : next+sizes[i]], Name: name}); err != nil {
			t.Fatal(err)
		}
		next += sizes[i]
	}

	screen := b.newUser("projecteur", projector)
	screen.open("/screen#g=" + g.GameID + "&t=" + g.ProjectorToken)
	screen.waitText("Transmissions")
	screen.waitText("40 post-it")
	// Every note is inside the screen and shows its whole text.
	screen.waitJS(`(() => {
		const ns = [...document.querySelectorAll('.screen-wall .note')];
		return ns.length === 40 && ns.every((n) => {
			const r = n.getBoundingClientRect();
			const t = n.querySelector('.note-text');
			return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && t.scrollHeight <= t.clientHeight + 1;
		});
	})()`)
	if more := eval[int](screen, `document.querySelectorAll('.screen-wall .note-more').length`); more != 0 {
		t.Errorf("%d clusters are cut on the projector", more)
	}
	if l := eval[string](screen, `document.documentElement.lang`); l != "fr" {
		t.Errorf("projector language %q, the game's is fr", l)
	}
	screen.checkAt("wall40-screen", projector)

	host := b.newUser("animateur", size{1280, 800, "console"})
	host.onNewDocument(`localStorage.setItem('dc:lang', '"fr"')`)
	host.open("/host?g=" + g.GameID + "#t=" + g.FacilitatorToken)
	host.waitText("Transmissions")
	host.waitText("Non groupés (3)")
	// Merge two clusters with the one picker of the cluster.
	host.clickIn(".cluster", "Propriété", "Fusionner")
	host.selectValue(fmt.Sprintf("merge-%s", eval[string](host, `[...document.querySelectorAll('[data-cluster]')].find(c => c.textContent.includes('Propriété')).dataset.cluster`)),
		eval[string](host, `[...document.querySelectorAll('[data-cluster]')].find(c => c.textContent.includes('Astreintes')).dataset.cluster`))
	host.clickIn(".cluster", "Propriété", "Fusionner")
	host.waitText("Groupes fusionnés.")
	host.waitJS(`document.querySelectorAll('[data-cluster]').length === 4`)
	host.checkAt("wall40-console", size{1280, 800, "console"})

	p := b.newUser("téléphone", phone)
	p.onNewDocument(`localStorage.setItem('dc:lang', '"fr"')`)
	j, err := (&client.HTTP{BaseURL: srv.url}).Join(ctx, g.Code, "Chloé", "")
	if err != nil {
		t.Fatal(err)
	}
	p.onNewDocument(fmt.Sprintf(`localStorage.setItem('dc:seat:player:%s', JSON.stringify({token: %q, gameId: %q, role: 'player'}))`, g.GameID, j.PlayerToken, g.GameID))
	p.open("/play?g=" + g.GameID)
	p.waitText("Transmissions")
	p.clickIn(".cluster", "Transmissions", "Voter")
	p.waitText("Il vous reste 2 votes.")
	screen.waitText("1 vote")
	p.checkAt("wall40-phone", phone)
}
