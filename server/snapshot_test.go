package server

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"devopschallenge/game"
	"devopschallenge/protocol"
)

// A game that grows keeps being snapshotted, but the snapshots never cost
// more bytes than the entries they stand for: a snapshot is written once
// the entries after the previous one weigh as much as it does. A load
// then reads the newest snapshot and a tail no heavier than it, and gets
// the state the server holds.
func TestSnapshotsKeepPaceWithTheLog(t *testing.T) {
	const every = 5
	for _, backend := range backends(t) {
		t.Run(backend.name, func(t *testing.T) {
			st := backend.open(t)
			in := startServer(t, st, func(c *Config) { c.Runtime.SnapshotEvery = every })
			g := newGame(t, in, protocol.CreateGameRequest{Title: "Snapshots", Companies: 1, Assignment: "auto", Lang: "en"})
			fac := connect(t, g.FacilitatorToken, false, in.url)
			defer fac.Close()
			if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
				t.Fatal(err)
			}
			const players, notes = 4, game.MaxNotesPerPlayer
			for i := 0; i < players; i++ {
				s, _ := joinAndConnect(t, in, g.Code, fmt.Sprintf("p%d", i), "")
				defer s.Close()
				for n := 0; n < notes; n++ {
					text := fmt.Sprintf("p%d n%d %s", i, n, strings.Repeat("release trains wait for the ops sign-off ", 3))
					if _, err := s.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: text[:120], Target: "ops"}); err != nil {
						t.Fatalf("note %d of p%d: %v", n, i, err)
					}
				}
			}

			entries, err := st.Entries(ctxT(t), g.GameID, 1)
			if err != nil {
				t.Fatal(err)
			}
			logBytes := 0
			for _, e := range entries {
				logBytes += len(e.Data)
			}
			snapV, snap, tail, err := st.Load(ctxT(t), g.GameID)
			if err != nil {
				t.Fatal(err)
			}
			if snap == nil || snapV < int64(len(entries))/2 {
				t.Fatalf("after %d entries the newest snapshot is at version %d, want one in the second half of the log", len(entries), snapV)
			}
			tailBytes, maxEntry := 0, 0
			for _, e := range tail {
				tailBytes += len(e.Data)
				maxEntry = max(maxEntry, len(e.Data))
			}
			if len(tail) >= every && tailBytes >= len(snap)+maxEntry {
				t.Errorf("a load reads a %d-byte snapshot and %d entries of %d bytes: a snapshot was due", len(snap), len(tail), tailBytes)
			}
			saved, savedBytes := testutil.ToFloat64(in.srv.rt.Metrics().Snapshots), testutil.ToFloat64(in.srv.rt.Metrics().SnapshotBytes)
			t.Logf("%d entries (%d bytes), %v snapshots (%v bytes), newest %d bytes at v%d", len(entries), logBytes, saved, savedBytes, len(snap), snapV)
			// Each snapshot but the newest was followed by at least its own
			// weight of entries.
			if savedBytes > float64(logBytes+len(snap)) {
				t.Errorf("%v bytes of snapshots written for %d bytes of entries: snapshots outgrow the log", savedBytes, logBytes)
			}
			if saved < 2 {
				t.Errorf("%v snapshots written for %d entries, want several", saved, len(entries))
			}

			// The snapshot and its tail give the state the server holds.
			loaded, err := game.Restore(snap)
			if err != nil {
				t.Fatal(err)
			}
			foldEntries(t, loaded, tail, 0)
			live, err := liveState(t, in, g.GameID)
			if err != nil {
				t.Fatal(err)
			}
			got, err := game.MarshalState(loaded)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, live) {
				t.Errorf("the state loaded from the snapshot and its tail differs from the live one (%d vs %d bytes)", len(got), len(live))
			}
		})
	}
}
