package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/internal/redistest"
	"devopschallenge/protocol"
)

// Two instances share one real redis-server: a player on A acts, a player
// on B sees it; when A stops, its players reconnect to B and carry on.
func TestTwoInstancesShareGames(t *testing.T) {
	url, prefix := redistest.Start(t), redistest.Prefix(t)
	a := startServer(t, redisStore(t, url, prefix), func(c *Config) { c.Instance = "A" })
	b := startServer(t, redisStore(t, url, prefix), func(c *Config) { c.Instance = "B" })
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, true, b.url, a.url)
	ja, err := a.http.Join(ctxT(t), g.Code, "ana", "")
	if err != nil {
		t.Fatal(err)
	}
	jb, err := b.http.Join(ctxT(t), g.Code, "bob", "")
	if err != nil {
		t.Fatal(err)
	}
	ana := connect(t, ja.PlayerToken, true, a.url, b.url)
	bob := connect(t, jb.PlayerToken, true, b.url, a.url)
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	ack, err := ana.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "from A", Target: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	note := "note/" + result[game.NoteAddResult](t, ack.Result).NoteID
	waitDoc(t, bob, note, func(n game.NoteDoc) bool { return n.Text == "from A" })
	// Both see each other online, whichever instance they are on.
	waitDoc(t, ana, "player/"+jb.PlayerID, func(p game.PlayerDoc) bool { return p.Connected })
	waitDoc(t, bob, "player/"+ja.PlayerID, func(p game.PlayerDoc) bool { return p.Connected })

	// A stops: ana reconnects to B, resumes, and acts again.
	a.stop(t)
	if err := ana.Wait(ctxT(t), func(s *client.Session) bool { return s.Connections() == 2 && s.Online() }); err != nil {
		t.Fatal(err)
	}
	ack2, err := ana.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "from B", Target: "devs"})
	if err != nil {
		t.Fatal(err)
	}
	waitDoc(t, bob, "note/"+result[game.NoteAddResult](t, ack2.Result).NoteID, func(n game.NoteDoc) bool { return n.Text == "from B" })
	waitDoc(t, fac, note, func(n game.NoteDoc) bool { return n.Text == "from A" })
	// And she is still shown online (B counts her now, A said goodbye).
	waitDoc(t, bob, "player/"+ja.PlayerID, func(p game.PlayerDoc) bool { return p.Connected })
}

// A deadline is processed exactly once even when two instances hold the
// game and both timers fire.
func TestDeadlineOnceAcrossInstances(t *testing.T) {
	url, prefix := redistest.Start(t), redistest.Prefix(t)
	st := redisStore(t, url, prefix)
	a := startServer(t, st, func(c *Config) { c.Instance = "A" })
	b := startServer(t, redisStore(t, url, prefix), func(c *Config) { c.Instance = "B" })
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: json.RawMessage(`[{"kind":"lobby"},{"kind":"wall","minutes":5},{"kind":"retro"}]`)})
	fa := connect(t, g.FacilitatorToken, false, a.url)
	fb := connect(t, g.FacilitatorToken, false, b.url)
	if _, err := fa.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	// Bring the deadline close: pause, then resume with little left.
	waitDoc(t, fb, "game", func(d game.GameDoc) bool { return d.Status == "running" })
	for _, cmd := range []string{"timer.pause"} {
		if _, err := fa.Do(ctxT(t), cmd, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Set the remaining time to about a second by ending and extending.
	if _, err := fa.Do(ctxT(t), "timer.end", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := fa.Do(ctxT(t), "timer.extend", game.TimerExtendArgs{Seconds: 1}); err != nil {
		t.Fatal(err)
	}
	// Both instances hold the game with the same timer; wait for it to end.
	waitDoc(t, fb, "game", func(d game.GameDoc) bool { return d.Clock.DeadlineMs == 0 })
	waitDoc(t, fa, "game", func(d game.GameDoc) bool { return d.Clock.DeadlineMs == 0 })
	// Stop both instances: each waits for the commands in flight for its
	// timers and for the other instance, so that a late duplicate, if
	// any, is in the log by then.
	a.stop(t)
	b.stop(t)
	entries, err := st.Entries(ctxT(t), g.GameID, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		var c game.Command
		json.Unmarshal(e.Data, &c)
		if c.Type == "deadline" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d deadline entries in the log, want exactly 1", n)
	}
}

// An embedded server restarted on the same data directory has every
// acknowledged command.
func TestEmbeddedRestartLosesNothing(t *testing.T) {
	dir := t.TempDir()
	st1 := embeddedStore(t, dir)
	in1 := startServer(t, st1)
	g := newGame(t, in1, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, true, in1.url)
	ana, ja := joinAndConnect(t, in1, g.Code, "ana", "")
	fac.Do(ctxT(t), "game.start", nil)
	var last int64
	for _, text := range []string{"one", "two", "three"} {
		ack, err := ana.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: text, Target: "ops"})
		if err != nil {
			t.Fatal(err)
		}
		last = ack.Version
	}
	in1.stop(t)
	st1.Close()

	in2 := startServer(t, embeddedStore(t, dir))
	snap, err := in2.http.Snapshot(ctxT(t), g.GameID, ja.PlayerToken)
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for k := range snap.Docs {
		if len(k) > 5 && k[:5] == "note/" {
			notes++
		}
	}
	if notes != 3 || snap.Version < last {
		t.Fatalf("after restart: %d notes at version %d; want 3 notes and version >= %d", notes, snap.Version, last)
	}
	// The join code still works.
	if _, err := in2.http.Join(ctxT(t), g.Code, "late", ""); err != nil {
		t.Fatal(err)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	srvr := redistest.StartDedicated(t)
	in := startServer(t, redisStore(t, srvr.URL(), "m:"))
	get := func(path string) int {
		resp, err := http.Get(in.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get("/healthz") != 200 || get("/readyz") != 200 {
		t.Fatal("healthz and readyz should be 200 with Redis up")
	}
	g := newGame(t, in, protocol.CreateGameRequest{})
	if _, err := in.http.Join(ctxT(t), g.Code, "ana", ""); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(in.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{"devops_challenge_connections", "devops_challenge_commands_total", "devops_challenge_command_seconds", "devops_challenge_redis_errors_total", "devops_challenge_append_seconds_count"} {
		if !strings.Contains(string(body), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	if strings.Contains(string(body), "devops_challenge_append_seconds_count 0\n") {
		t.Error("/metrics counts no append after a player joined")
	}
	srvr.Stop()
	if get("/readyz") != 503 {
		t.Fatal("readyz should be 503 while Redis is unreachable")
	}
	if get("/healthz") != 200 {
		t.Fatal("healthz is about the process, not Redis")
	}
}

// A finished game's keys expire after FinishedTTL; an unfinished one's after
// IdleTTL from its last change.
func TestFinishedGamesExpire(t *testing.T) {
	url, prefix := redistest.Start(t), redistest.Prefix(t)
	in := startServer(t, redisStore(t, url, prefix), func(c *Config) {
		c.Runtime.IdleTTL, c.Runtime.FinishedTTL = 30*24*time.Hour, 2*24*time.Hour
	})
	g := newGame(t, in, protocol.CreateGameRequest{Agenda: json.RawMessage(`[{"kind":"lobby"},{"kind":"retro"}]`)})
	fac := connect(t, g.FacilitatorToken, false, in.url)
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := goredis.NewClient(opts)
	defer rdb.Close()
	ttl := func() time.Duration {
		d, err := rdb.PTTL(ctxT(t), prefix+"g:{"+g.GameID+"}:log").Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	if d := ttl(); d < 29*24*time.Hour {
		t.Fatalf("a running game should live 30 days from its last change, TTL %v", d)
	}
	if _, err := fac.Do(ctxT(t), "phase.next", nil); err != nil {
		t.Fatal(err)
	}
	if d := ttl(); d > 2*24*time.Hour || d < 47*time.Hour {
		t.Fatalf("a finished game should expire in 2 days, TTL %v", d)
	}
}
