package server

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/internal/redistest"
	"devopschallenge/protocol"
	"devopschallenge/store"
)

// Players of one game on two instances act at once. Without the single
// writer (NoForward) the instances keep appending over each other (store
// conflicts, handled with the shadow state), yet every command is stored
// once, acked with its version, and every client ends with the same wall.
func TestTwoInstancesWriteOneGameWithoutOwner(t *testing.T) {
	a, b := writeOneGame(t, true)
	t.Logf("store conflicts: A %v, B %v", testutil.ToFloat64(a.srv.rt.Metrics().Conflicts), testutil.ToFloat64(b.srv.rt.Metrics().Conflicts))
}

// With the single writer, one instance owns the game and the other sends
// it its players' commands: the same outcome, and no store conflict.
func TestTwoInstancesWriteOneGameThroughOwner(t *testing.T) {
	a, b := writeOneGame(t, false)
	conflicts := testutil.ToFloat64(a.srv.rt.Metrics().Conflicts) + testutil.ToFloat64(b.srv.rt.Metrics().Conflicts)
	fa, fb := testutil.ToFloat64(a.srv.rt.Metrics().Forwarded), testutil.ToFloat64(b.srv.rt.Metrics().Forwarded)
	t.Logf("forwarded: A %v, B %v; conflicts A %v B %v", fa, fb, testutil.ToFloat64(a.srv.rt.Metrics().Conflicts), testutil.ToFloat64(b.srv.rt.Metrics().Conflicts))
	if conflicts != 0 {
		t.Errorf("%v store conflicts, want none with one writer", conflicts)
	}
	// Half the players are on the instance that does not own the game.
	if fa+fb < 4*12/2 {
		t.Errorf("%v commands forwarded, want at least the 24 of the players on the other instance", fa+fb)
	}
	if fa > 0 && fb > 0 {
		t.Errorf("both instances forwarded (A %v, B %v): the game had two owners", fa, fb)
	}
}

// writeOneGame runs the scenario on two instances and returns them.
func writeOneGame(t *testing.T, noForward bool) (*instance, *instance) {
	url, prefix := redistest.Start(t), redistest.Prefix(t)
	a := startServer(t, redisStore(t, url, prefix), func(c *Config) { c.Instance = "A"; c.Runtime.NoForward = noForward })
	b := startServer(t, redisStore(t, url, prefix), func(c *Config) { c.Instance = "B"; c.Runtime.NoForward = noForward })
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, true, a.url)
	var players []*client.Session
	for i := 0; i < 8; i++ {
		in := []*instance{a, b}[i%2]
		s, _ := joinAndConnect(t, in, g.Code, fmt.Sprintf("p%d", i), "")
		players = append(players, s)
	}
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	k, err := fac.Do(ctxT(t), "cluster.create", game.ClusterCreateArgs{Name: "k"})
	if err != nil {
		t.Fatal(err)
	}
	cluster := result[game.ClusterCreateResult](t, k.Result).ClusterID
	const each = 12
	var mu sync.Mutex
	versions := map[int64]string{}
	var wg sync.WaitGroup
	for i, s := range players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				cmd, args := "note.add", any(map[string]string{"text": fmt.Sprintf("p%d n%d", i, j), "target": "ops"})
				if j%3 == 1 {
					cmd, args = "cluster.vote", game.ClusterVoteArgs{ClusterID: cluster}
				} else if j%3 == 2 {
					cmd, args = "cluster.unvote", game.ClusterUnvoteArgs{ClusterID: cluster}
				}
				ack, err := s.Do(ctxT(t), cmd, args)
				if err != nil {
					t.Errorf("p%d %s: %v", i, cmd, err)
					return
				}
				mu.Lock()
				if prev, dup := versions[ack.Version]; dup {
					t.Errorf("version %d acked twice (%s, p%d %s)", ack.Version, prev, i, cmd)
				}
				versions[ack.Version] = fmt.Sprintf("p%d %s", i, cmd)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	checkAckedInLog(t, redisStore(t, url, prefix), g.GameID, versions)
	// Every client converges on the same wall.
	want := len(players) * 4
	for _, s := range append(players, fac) {
		if err := s.Wait(ctxT(t), func(s *client.Session) bool { return len(s.Keys("note/")) == want }); err != nil {
			t.Fatalf("a client holds %d notes, want %d: %v", len(s.Keys("note/")), want, err)
		}
	}
	return a, b
}

// checkAckedInLog checks that the log holds each player command acked (by
// version), once, at the version it was acked with.
func checkAckedInLog(t *testing.T, st *store.Redis, gameID string, versions map[int64]string) {
	t.Helper()
	entries, err := st.Entries(ctxT(t), gameID, 1)
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for v, who := range versions {
		if v < 1 || v > int64(len(entries)) {
			t.Fatalf("acked version %d, the log has %d entries", v, len(entries))
		}
		var c game.Command
		if err := json.Unmarshal(entries[v-1].Data, &c); err != nil {
			t.Fatal(err)
		}
		if c.Actor.Role != game.RolePlayer || fmt.Sprint(c.Type) == "" {
			t.Fatalf("version %d (%s) holds %s by %v", v, who, c.Type, c.Actor)
		}
		if c.Type == "note.add" {
			notes++
		}
	}
	for _, e := range entries {
		var c game.Command
		json.Unmarshal(e.Data, &c)
		if c.Actor.Role == game.RolePlayer && c.Type == "note.add" {
			notes--
		}
	}
	if notes != 0 {
		t.Fatalf("%d notes acked and not in the log (or the reverse)", notes)
	}
}
