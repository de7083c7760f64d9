// Command devopschallenge runs the DevOps Challenge game server.
//
//	go run .                                  start the server (embedded store, UI included)
//	go run . scenario validate FILE           check a scenario file
//	go run . simulate --strategy NAME …       play seeded games headless
//	devopschallenge healthcheck               exit 0 when the local server is alive
//
// Configuration comes from flags or environment variables; run with -h for
// the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"devopschallenge/assets"
	"devopschallenge/cli"
	"devopschallenge/frontend"
	"devopschallenge/game"
	"devopschallenge/game/rules"
	"devopschallenge/live"
	"devopschallenge/scenarios"
	"devopschallenge/server"
	"devopschallenge/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "scenario":
			return cli.Scenario(args[1:], stdout, stderr)
		case "simulate":
			return cli.Simulate(args[1:], stdout, stderr)
		case "healthcheck":
			return healthcheck(os.Getenv, stderr)
		case "serve":
			args = args[1:]
		}
	}
	cfg, err := parseConfig(args, os.Getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "devopschallenge: %v\n(run devopschallenge -h for the commands and options)\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "devopschallenge: %v\n", err)
		return 1
	}
	return 0
}

// config is the server's configuration.
type config struct {
	addr         string
	redisURL     string
	dataDir      string
	embeddedAddr string
	prefix       string
	finishedTTL  time.Duration
	idleTTL      time.Duration
	logLevel     slog.Level
	trustProxy   bool
	instance     string
}

// usageHead introduces the commands of the binary; the options of the
// server follow it.
const usageHead = `DevOps Challenge: a multiplayer serious game server about DevOps.

Usage:
  devopschallenge [serve] [options]      run the game server (the default command)
  devopschallenge scenario validate FILE check a scenario file: OK, or each mistake as FILE:LINE: reason
  devopschallenge simulate [flags]       play seeded games headless to measure a scenario's balance
                                         (devopschallenge simulate -h lists its flags)
  devopschallenge healthcheck            exit 0 when the server on this machine answers (containers)

Options of the server (each may also be set by the environment variable named):
`

// parseConfig reads flags, with environment variables as defaults, and
// checks every value. A bad value's error names where it came from: the
// flag when it was given, else the environment variable. Usage (-h) is
// written to out.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	defAddr := ":8080"
	if p := getenv("PORT"); p != "" {
		defAddr = ":" + p
	}
	fl := flag.NewFlagSet("devopschallenge", flag.ContinueOnError)
	// Errors are returned, not printed with the whole usage.
	fl.SetOutput(io.Discard)
	var c config
	var finishedDays, idleDays, level string
	fl.StringVar(&c.addr, "addr", env("ADDR", defAddr), "listen address (env ADDR, or PORT)")
	fl.StringVar(&c.redisURL, "redis", getenv("REDIS_URL"), "Redis URL, e.g. redis://localhost:6379/0; empty: embedded store (env REDIS_URL)")
	fl.StringVar(&c.dataDir, "data", env("DATA_DIR", "./data"), "where the embedded store keeps its files (env DATA_DIR)")
	fl.StringVar(&c.embeddedAddr, "embedded-redis-addr", env("EMBEDDED_REDIS_ADDR", "127.0.0.1:0"), "loopback address of the embedded Redis-compatible server (env EMBEDDED_REDIS_ADDR)")
	fl.StringVar(&c.prefix, "prefix", env("REDIS_PREFIX", "dc:"), "prefix of every Redis key (env REDIS_PREFIX)")
	fl.StringVar(&finishedDays, "finished-ttl-days", env("FINISHED_TTL_DAYS", "7"), "days a finished game is kept (env FINISHED_TTL_DAYS)")
	fl.StringVar(&idleDays, "idle-ttl-days", env("IDLE_TTL_DAYS", "30"), "days an unfinished game is kept after its last change (env IDLE_TTL_DAYS)")
	fl.StringVar(&level, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env LOG_LEVEL)")
	fl.BoolVar(&c.trustProxy, "trust-proxy", getenv("TRUST_PROXY") == "1", "take client addresses from X-Forwarded-For, which the proxy must overwrite, not append to (env TRUST_PROXY=1)")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(out, usageHead)
			fl.SetOutput(out)
			fl.PrintDefaults()
		}
		return c, err
	}
	if fl.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (commands: serve, scenario validate FILE, simulate, healthcheck)", fl.Arg(0))
	}
	given := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { given[f.Name] = true })
	err := c.check(given, getenv, finishedDays, idleDays, level)
	return c, err
}

// check checks the values of a configuration and fills the ones parsed
// from text; given tells which flags were given, for the errors to name
// where a bad value came from: "-log-level" or "LOG_LEVEL".
func (c *config) check(given map[string]bool, getenv func(string) string, finishedDays, idleDays, level string) error {
	from := func(name, envName string) string {
		if given[name] {
			return "-" + name
		}
		return envName
	}
	addrFrom := from("addr", "ADDR")
	if !given["addr"] && getenv("ADDR") == "" {
		addrFrom = "PORT"
	}
	host, port, err := net.SplitHostPort(c.addr)
	if err != nil {
		return fmt.Errorf("%s %q: use host:port or :port, e.g. :8080", addrFrom, c.addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s: the port %q must be a number from 0 to 65535", addrFrom, port)
	}
	_ = host
	days := func(name, envName, v string) (time.Duration, error) {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n <= 0 || n > 3650 {
			return 0, fmt.Errorf("%s must be a number of days between 0 and 3650, not %q", from(name, envName), v)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	if c.finishedTTL, err = days("finished-ttl-days", "FINISHED_TTL_DAYS", finishedDays); err != nil {
		return err
	}
	if c.idleTTL, err = days("idle-ttl-days", "IDLE_TTL_DAYS", idleDays); err != nil {
		return err
	}
	if err := c.logLevel.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("%s must be debug, info, warn or error, not %q", from("log-level", "LOG_LEVEL"), level)
	}
	if c.redisURL != "" && !strings.HasPrefix(c.redisURL, "redis://") && !strings.HasPrefix(c.redisURL, "rediss://") {
		return fmt.Errorf("%s must start with redis:// or rediss://, not %q", from("redis", "REDIS_URL"), c.redisURL)
	}
	if c.redisURL == "" {
		h, _, err := net.SplitHostPort(c.embeddedAddr)
		if err != nil || !isLoopback(h) {
			return fmt.Errorf("%s must be a loopback host:port such as 127.0.0.1:0, not %q", from("embedded-redis-addr", "EMBEDDED_REDIS_ADDR"), c.embeddedAddr)
		}
	}
	c.instance = uuid.NewString()[:8]
	return nil
}

func isLoopback(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// serve runs the server until ctx is cancelled, then shuts down within
// 10 seconds.
func serve(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	redis.SetLogger(redisLog{log})
	eng, err := newEngine()
	if err != nil {
		return err
	}
	var st *store.Redis
	mode := "embedded store in " + cfg.dataDir
	if cfg.redisURL != "" {
		st, err = store.Open(ctx, cfg.redisURL, cfg.prefix, log)
		mode = "Redis at " + redactURL(cfg.redisURL)
	} else {
		st, err = store.OpenEmbedded(ctx, cfg.dataDir, cfg.embeddedAddr, cfg.prefix, log)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	ui, _ := fs.Sub(frontend.FS, ".")
	static, err := fs.Sub(assets.FS, "static")
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{Engine: eng, Store: st, Logger: log, Instance: cfg.instance, UI: ui, Assets: static,
		TrustProxy: cfg.trustProxy, Runtime: live.Options{FinishedTTL: cfg.finishedTTL, IdleTTL: cfg.idleTTL}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "DevOps Challenge is running (%s).\n", mode)
	for _, line := range urls(ln.Addr().(*net.TCPAddr)) {
		fmt.Fprintf(stdout, "  %s\n", line)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// healthcheck asks the server on this machine whether it is alive (for the
// container's HEALTHCHECK, where no curl is installed).
func healthcheck(getenv func(string) string, stderr io.Writer) int {
	port := "8080"
	if a := getenv("ADDR"); a != "" {
		if _, p, err := net.SplitHostPort(a); err == nil {
			port = p
		}
	} else if p := getenv("PORT"); p != "" {
		port = p
	}
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "healthcheck: HTTP %d\n", resp.StatusCode)
		return 1
	}
	return 0
}

// redisLog sends go-redis's own messages (reconnects, pool errors) to the
// server's log at warning level.
type redisLog struct{ log *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.log.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// urls says which addresses to open: this computer's for the console and
// the projector and, when listening on all interfaces, the network
// addresses players' phones can reach (a phone cannot open localhost:
// the console warns the same way).
func urls(a *net.TCPAddr) []string {
	port := strconv.Itoa(a.Port)
	if !a.IP.IsUnspecified() {
		return []string{"Open http://" + net.JoinHostPort(a.IP.String(), port) + "/"}
	}
	out := []string{"Open http://localhost:" + port + "/ on this computer (facilitator console, projector)."}
	lan := server.LANAddresses()
	if len(lan) == 0 {
		return append(out, "No network address found: phones cannot join until this computer is on the players' Wi-Fi.")
	}
	for _, ip := range lan {
		out = append(out, "Players' phones: http://"+net.JoinHostPort(ip, port)+"/ (same Wi-Fi; localhost does not work on a phone)")
	}
	return out
}

// redactURL hides a password in a Redis URL.
func redactURL(s string) string {
	if i := strings.Index(s, "@"); i > 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "…@" + s[i+1:]
		}
	}
	return s
}

// defaultScenario is played by games created without choosing one.
const defaultScenario = "ecommerce-platform"

// newEngine loads and checks the embedded scenarios.
func newEngine() (*game.Engine, error) {
	scns, err := rules.LoadAll(scenarios.FS)
	if err != nil {
		return nil, err
	}
	return game.NewEngine(scns, defaultScenario)
}
