package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"devopschallenge/game"
	"devopschallenge/protocol"
)

// TestProjectorFitsInFrench measures the projector of an 8-company game in
// French, whose words are longer (« Rétablissement », « d'étranglement »),
// at each sprint's review: the figures of every company fit 1920×1080.
func TestProjectorFitsInFrench(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pg := startPlayedGame(ctx, t, srv, protocol.CreateGameRequest{Title: "Écran", Companies: 8, Lang: "fr"})
	screen := openProjector(t, b, pg.g, "projector-fr-8")
	pg.playWall()
	pg.playStudy()
	for pg.phaseKind() == game.KindSprints {
		n := pg.sprint().Sprint
		pg.playSprintWith(nil, func() {
			if pg.sprint().Step == game.StepReview && n%2 == 0 {
				stageIs(screen, fmt.Sprintf("Sprint %d sur", n))
				fits(t, screen, fmt.Sprintf("fr-review-%d", n))
			}
		})
	}
}
