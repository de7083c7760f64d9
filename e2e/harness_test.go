// Package e2e drives the real browser UI against a real server started in
// process: a facilitator, players and the projector, each in their own
// browser context of one headless Chromium.
//
//	go test ./e2e/                      skips when Chromium is absent
//	REQUIRE_BROWSER=1 go test ./e2e/    fails instead
//	E2E_SCREENSHOTS=dir                 where screenshots go (default e2e/screenshots)
//	CHROMIUM=/path/to/chromium          another browser binary
//
// The harness, a concept per file: harness_test.go starts the server,
// browser_test.go the browser and its users, actions_test.go holds what a
// user does and what the tests wait for, views_test.go the checks of a
// whole view (axe-core, width, screenshots), network_test.go the network
// a test cuts or blocks.
package e2e

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"devopschallenge/assets"
	"devopschallenge/client"
	"devopschallenge/frontend"
	"devopschallenge/game"
	"devopschallenge/game/rules"
	"devopschallenge/protocol"
	"devopschallenge/scenarios"
	"devopschallenge/server"
	"devopschallenge/store"
)

// testServer is a real server on a loopback port.
type testServer struct {
	url string
	srv *server.Server
}

func quietLog() *slog.Logger {
	if os.Getenv("TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// hostGame creates a game over HTTP and connects its facilitator with
// the Go client (closed when the test ends), for tests that drive the
// facilitator's side without a browser.
func (srv *testServer) hostGame(ctx context.Context, t testing.TB, req protocol.CreateGameRequest) (protocol.CreateGameResponse, *client.Session) {
	t.Helper()
	g, err := (&client.HTTP{BaseURL: srv.url}).CreateGame(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	fac, err := client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: g.FacilitatorToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fac.Close() })
	return g, fac
}

// startServer runs the server with the embedded store, the embedded UI and
// assets, until the test ends.
func startServer(t testing.TB) *testServer {
	t.Helper()
	st, err := store.OpenEmbedded(context.Background(), t.TempDir(), "127.0.0.1:0", "dc:", quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return startServerOn(t, st)
}

// startServerOn runs the server on the given store (closed when the test
// ends), with the embedded UI and assets.
func startServerOn(t testing.TB, st store.Store) *testServer {
	t.Helper()
	scns, err := rules.LoadAll(scenarios.FS)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := game.NewEngine(scns, "ecommerce-platform")
	if err != nil {
		t.Fatal(err)
	}
	static, err := fs.Sub(assets.FS, "static")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Engine: eng, Store: st, Logger: quietLog(), Instance: "e2e",
		UI: frontend.FS, Assets: static, JoinRate: 1000, JoinBurst: 1000, CommandRate: 1000, CommandBurst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		// Shutdown right after Serve started may miss the http.Server
		// (Serve sets it itself): closing the listener ends Serve anyway.
		ln.Close()
		<-done
		st.Close()
	})
	return &testServer{url: "http://" + ln.Addr().String(), srv: srv}
}

// do sends a command with the Go client and fails the test when the
// server refuses it.
func do(t *testing.T, ctx context.Context, s *client.Session, cmd string, args any) {
	t.Helper()
	if _, err := s.Do(ctx, cmd, args); err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
}

// hasDoc tells whether the session holds the document.
func hasDoc(s *client.Session, key string) bool {
	var v any
	return s.Doc(key, &v)
}
