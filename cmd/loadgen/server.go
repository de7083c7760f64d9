//go:build linux

package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // profiling endpoints on -pprof only
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/google/uuid"

	"devopschallenge/game"
	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
	"devopschallenge/server"
	"devopschallenge/store"
)

// serverMain runs the game server the way main.go does (same engine,
// store and server configuration, without the UI), plus net/http/pprof on
// a separate loopback port, for profiling under load:
//
//	loadgen server -addr 127.0.0.1:8080 -redis redis://127.0.0.1:6390/0 -pprof 127.0.0.1:6060
//
// The measured runs use the real binary (go build .); this is for
// profiles.
func serverMain(args []string) int {
	fl := flag.NewFlagSet("loadgen server", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "listen address (loopback)")
	redisURL := fl.String("redis", "", "Redis URL; empty: embedded store")
	data := fl.String("data", "", "data directory of the embedded store (default: a temporary one)")
	pprofAddr := fl.String("pprof", "127.0.0.1:6060", "pprof listen address (loopback)")
	memRate := fl.Int("memprofilerate", 0, "runtime.MemProfileRate (0: Go's default; 1: every allocation)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	for _, a := range []string{*addr, *pprofAddr} {
		h, _, err := net.SplitHostPort(a)
		if err != nil || !loopbackHost(h) {
			fmt.Fprintf(os.Stderr, "loadgen server: %q must be a loopback host:port\n", a)
			return 2
		}
	}
	if *memRate > 0 {
		runtime.MemProfileRate = *memRate
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := loadEngine()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	st, closeStore, err := openStore(ctx, *redisURL, *data, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer closeStore()
	srv, err := server.New(server.Config{Engine: eng, Store: st, Logger: log, Instance: uuid.NewString()[:8]})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go func() {
		ps := &http.Server{Addr: *pprofAddr, Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
		if err := ps.ListenAndServe(); err != nil {
			fmt.Fprintln(os.Stderr, "pprof:", err)
		}
	}()
	fmt.Printf("game server on http://%s, pprof on http://%s/debug/pprof/ (pid %d)\n", ln.Addr(), *pprofAddr, os.Getpid())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	return 0
}

// loadEngine loads the embedded scenarios into the rules engine, as
// main.go does.
func loadEngine() (*game.Engine, error) {
	scns, err := rules.LoadAll(scenarios.FS)
	if err != nil {
		return nil, err
	}
	return game.NewEngine(scns, "ecommerce-platform")
}

// openStore opens Redis at redisURL or, without one, the embedded store
// in dir (a temporary directory if dir is empty). The function it returns
// closes the store and removes the temporary directory.
func openStore(ctx context.Context, redisURL, dir string, log *slog.Logger) (*store.Redis, func(), error) {
	if redisURL != "" {
		st, err := store.Open(ctx, redisURL, "dc:", log)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	temp := ""
	if dir == "" {
		dir, _ = os.MkdirTemp("", "loadgen-server-")
		temp = dir
	}
	removeTemp := func() {
		if temp != "" {
			os.RemoveAll(temp)
		}
	}
	st, err := store.OpenEmbedded(ctx, dir, "127.0.0.1:0", "dc:", log)
	if err != nil {
		removeTemp()
		return nil, nil, err
	}
	return st, func() { st.Close(); removeTemp() }, nil
}
