package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/game/rules"
	"devopschallenge/internal/redistest"
	"devopschallenge/protocol"
	"devopschallenge/scenarios"
	"devopschallenge/store"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

var (
	engOnce sync.Once
	eng     *game.Engine
	engErr  error
)

func testEngine(t testing.TB) *game.Engine {
	t.Helper()
	engOnce.Do(func() {
		var scns map[string]*rules.Scenario
		if scns, engErr = rules.LoadAll(scenarios.FS); engErr == nil {
			eng, engErr = game.NewEngine(scns, "ecommerce-platform")
		}
	})
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

func quietLog() *slog.Logger {
	if os.Getenv("TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// embeddedStore opens an embedded store in a temporary directory.
func embeddedStore(t testing.TB, dir string) *store.Redis {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := store.OpenEmbedded(context.Background(), dir, "127.0.0.1:0", "dc:", quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// redisStore opens a store on the shared real redis-server with a key
// prefix of the test's own.
func redisStore(t testing.TB, url, prefix string) *store.Redis {
	t.Helper()
	st, err := store.Open(context.Background(), url, prefix, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// instance is one running server under test.
type instance struct {
	srv  *Server
	url  string
	http *client.HTTP
	ln   net.Listener
	done chan error
}

// startServer runs a server on a free loopback port until the test ends.
func startServer(t testing.TB, st store.Store, tweak ...func(*Config)) *instance {
	t.Helper()
	cfg := Config{Engine: testEngine(t), Store: st, Logger: quietLog(), Instance: "i-" + t.Name(),
		JoinRate: 1000, JoinBurst: 1000, CommandRate: 1000, CommandBurst: 1000}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{srv: srv, url: "http://" + ln.Addr().String(), ln: ln, done: make(chan error, 1)}
	in.http = &client.HTTP{BaseURL: in.url}
	go func() { in.done <- srv.Serve(ln) }()
	t.Cleanup(func() { in.stop(t) })
	return in
}

// stop shuts the server down (once).
func (in *instance) stop(t testing.TB) {
	if in.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := in.srv.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	in.srv = nil
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newGame creates a game and returns its tokens.
func newGame(t testing.TB, in *instance, req protocol.CreateGameRequest) protocol.CreateGameResponse {
	t.Helper()
	g, err := in.http.CreateGame(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// connect opens a session on the given instances.
func connect(t testing.TB, token string, reconnect bool, urls ...string) *client.Session {
	t.Helper()
	s, err := client.Connect(ctxT(t), client.Options{URLs: urls, Token: token, Reconnect: reconnect})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// joinAndConnect joins a game and opens a session.
func joinAndConnect(t testing.TB, in *instance, code, nick, team string) (*client.Session, protocol.JoinResponse) {
	t.Helper()
	j, err := in.http.Join(ctxT(t), code, nick, team)
	if err != nil {
		t.Fatal(err)
	}
	return connect(t, j.PlayerToken, true, in.url), j
}

// waitDoc waits until a session's document satisfies cond.
func waitDoc[T any](t testing.TB, s *client.Session, key string, cond func(T) bool) T {
	t.Helper()
	var v T
	err := s.Wait(ctxT(t), func(s *client.Session) bool {
		var x T
		if !s.Doc(key, &x) {
			return false
		}
		v = x
		return cond(x)
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v (last seen %+v; session at version %d, online %v, %d connections)",
			key, err, v, s.Version(), s.Online(), s.Connections())
	}
	return v
}

// wallGame is a server on the embedded store with a game started on the
// wall, its facilitator and one player, ana, connected.
type wallGame struct {
	in  *instance
	g   protocol.CreateGameResponse
	fac *client.Session
	ana *client.Session
	ja  protocol.JoinResponse
}

func startWall(t *testing.T) wallGame {
	t.Helper()
	w := wallGame{in: startServer(t, embeddedStore(t, ""))}
	w.g = newGame(t, w.in, protocol.CreateGameRequest{Agenda: wallAgenda})
	w.fac = connect(t, w.g.FacilitatorToken, false, w.in.url)
	w.ana, w.ja = joinAndConnect(t, w.in, w.g.Code, "ana", "")
	if _, err := w.fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	return w
}

// foldEntries applies stored entries to st, up to version upTo (0: all),
// as a load does, and returns st.
func foldEntries(t testing.TB, st *game.State, entries []store.Entry, upTo int64) *game.State {
	t.Helper()
	for _, e := range entries {
		if upTo > 0 && e.Version > upTo {
			break
		}
		var c game.Command
		if err := json.Unmarshal(e.Data, &c); err != nil {
			t.Fatal(err)
		}
		if e.Version != st.Version+1 {
			t.Fatalf("entry %d follows version %d", e.Version, st.Version)
		}
		if _, err := testEngine(t).Apply(st, c); err != nil {
			t.Fatalf("entry %d (%s) no longer applies: %v", e.Version, c.Type, err)
		}
	}
	return st
}

// liveState returns the state an instance holds of a game, encoded.
func liveState(t testing.TB, in *instance, id string) ([]byte, error) {
	g, err := in.srv.rt.Open(ctxT(t), id)
	if err != nil {
		return nil, err
	}
	var b []byte
	if rerr := g.Read(func(s *game.State) { b, err = game.MarshalState(s) }); rerr != nil {
		return nil, rerr
	}
	return b, err
}

// result decodes what a command answered into the game's result type
// (game.NoteAddResult…).
func result[T any](t testing.TB, res map[string]any) T {
	t.Helper()
	var r T
	if err := game.DecodeResult(res, &r); err != nil {
		t.Fatalf("result %v: %v", res, err)
	}
	return r
}
