// Package server is the transport of DevOps Challenge: the JSON API
// (create, join, snapshot, exports), the WebSocket connections through
// which clients send commands and receive updates, the static UI, the
// vocabulary and LAN addresses the UI asks for, health and metrics. It
// checks who a client is and what it sent, and hands the rest to the live
// runtime (package live), which holds the games: it never touches a game's
// state but through the runtime's API.
package server

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/live"
	"devopschallenge/protocol"
	"devopschallenge/store"
)

// Config is what a Server needs.
type Config struct {
	// Engine applies the rules; Store keeps the games.
	Engine *game.Engine
	Store  store.Store
	Logger *slog.Logger
	// Instance identifies this process among the servers sharing a Redis.
	Instance string
	// UI holds the frontend files (index.html…) and Assets the static
	// assets (vendor libraries, styles); either may be nil.
	UI, Assets fs.FS
	// JoinRate and JoinBurst limit joins and game creations per client
	// address (per second, and at once).
	JoinRate  float64
	JoinBurst int
	// CommandRate and CommandBurst limit commands per connection.
	CommandRate  float64
	CommandBurst int
	// Runtime tunes snapshots, expiry and unloading (its Instance is set
	// from Instance).
	Runtime live.Options
	// TrustProxy makes the client address come from X-Forwarded-For (only
	// behind a trusted reverse proxy).
	TrustProxy bool
	// SendQueue bounds the messages waiting for one client (default
	// sendQueueSize); a client that lets it fill up is disconnected.
	SendQueue int
	// WriteWait is how long a client may take to read a message before
	// it is dropped as too slow (default writeWait).
	WriteWait time.Duration
	// SocketBuffer bounds the kernel's send buffer of each WebSocket
	// (default socketBufferSize), so that what a client does not read is
	// noticed, and dropped, before megabytes pile up for it.
	SocketBuffer int
}

// Server is one instance of the game server.
type Server struct {
	cfg  Config
	log  *slog.Logger
	met  *Metrics
	rt   *live.Runtime
	echo *echo.Echo
	http *http.Server

	mu    sync.Mutex
	conns map[*conn]bool // open WebSocket connections, guarded by mu
	seats map[string]int // connections per token (game and token hash), guarded by mu
	wg    sync.WaitGroup // read pumps still running
	down  bool           // shutting down, guarded by mu
	probe *probe         // the readiness check of Redis in flight, guarded by mu
}

// probe is one check that Redis answers, shared by the /readyz requests
// that arrive while it runs: a stalled Redis costs one waiting call, not
// one per request.
type probe struct {
	done chan struct{} // closed once err is set
	err  error
}

// New builds a server from its configuration.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil || cfg.Store == nil {
		return nil, errors.New("server: Engine and Store are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.JoinRate <= 0 {
		cfg.JoinRate = 2
	}
	if cfg.JoinBurst <= 0 {
		cfg.JoinBurst = 40
	}
	if cfg.CommandRate <= 0 {
		cfg.CommandRate = 10
	}
	if cfg.CommandBurst <= 0 {
		cfg.CommandBurst = 30
	}
	if cfg.SocketBuffer <= 0 {
		cfg.SocketBuffer = socketBufferSize
	}
	if cfg.SendQueue <= 0 {
		cfg.SendQueue = sendQueueSize
	}
	if cfg.WriteWait <= 0 {
		cfg.WriteWait = writeWait
	}
	if cfg.Instance == "" {
		return nil, errors.New("server: Instance is required")
	}
	cfg.Runtime.Instance = cfg.Instance
	met := NewMetrics()
	s := &Server{cfg: cfg, log: cfg.Logger, met: met, conns: map[*conn]bool{}, seats: map[string]int{}}
	rt, err := live.New(cfg.Engine, cfg.Store, cfg.Logger, met.Registry, cfg.Runtime)
	if err != nil {
		return nil, err
	}
	s.rt = rt
	s.echo = s.routes()
	s.http = &http.Server{Handler: s.echo, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, closes every WebSocket with "going
// away" (clients reconnect, possibly to another instance), waits for them
// to finish and stops the runtime. It returns when done or when ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.down = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	// Shutdown before or during Serve is fine: Serve then returns at once.
	err := s.http.Shutdown(ctx)
	for _, c := range conns {
		c.kill(1001, "server restarting; reconnect") // CloseGoingAway
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	s.rt.Close()
	return err
}

// track records open connections for Shutdown.
func (s *Server) track(c *conn, open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if open {
		s.conns[c] = true
	} else {
		delete(s.conns, c)
	}
}

// claimSeat counts one more connection with a token; it answers false,
// counting nothing, when the token already has maxConnsPerToken.
func (s *Server) claimSeat(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seats[key] >= maxConnsPerToken {
		return false
	}
	s.seats[key]++
	return true
}

// releaseSeat counts one connection with a token less.
func (s *Server) releaseSeat(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seats[key]--; s.seats[key] <= 0 {
		delete(s.seats, key)
	}
}

// securityHeaders sets a strict Content-Security-Policy (no inline
// scripts) and friends on every response.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	if s.cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			code := apperr.EInvalid
			switch he.Code {
			case http.StatusNotFound:
				code = apperr.ENotFound
			case http.StatusMethodNotAllowed:
				code = apperr.EInvalid
			case http.StatusRequestEntityTooLarge:
				code = apperr.EInvalid
			case http.StatusTooManyRequests:
				code = apperr.ERateLimited
			case http.StatusUnauthorized:
				code = apperr.EUnauthorized
			case http.StatusForbidden:
				code = apperr.EForbidden
			default:
				if he.Code >= 500 {
					code = apperr.EInternal
					s.log.Error("http error", "err", err)
				}
			}
			msg, msgFR := httpErrorText(he.Code, c.Request().Method)
			c.JSON(he.Code, protocol.ErrorResponse{Code: code, Message: msg, MessageFR: msgFR})
			return
		}
		writeError(c, s.log, err)
	}
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(s.requestLog)

	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.ready)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.met.Registry, promhttp.HandlerOpts{})))
	e.GET("/ws", s.websocket)

	// Each of these has its own bucket per address: a class behind one
	// school proxy that keeps checking a code is not locked out of joining.
	createLimit, joinLimit, codeLimit := s.addressLimiter(), s.addressLimiter(), s.addressLimiter()
	api := e.Group("/api", middleware.BodyLimit("64K"), noStore)
	api.GET("/scenarios", s.scenarios)
	s.vocabRoutes(api)
	api.POST("/games", s.createGame, createLimit)
	api.POST("/games/join", s.join, joinLimit)
	api.GET("/codes/:code", s.codeInfo, codeLimit)
	api.GET("/games/:id", s.snapshot)
	s.exportRoutes(api)
	s.uiRoutes(e)
	return e
}

// addressLimiter limits the requests of one address (JoinRate a second,
// bursts of JoinBurst); a refusal says when to try again (Retry-After).
func (s *Server) addressLimiter() echo.MiddlewareFunc {
	wait := max(1, int(math.Ceil(1/s.cfg.JoinRate)))
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(s.cfg.JoinRate), Burst: s.cfg.JoinBurst, ExpiresIn: 10 * time.Minute}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
			return writeError(c, s.log, apperr.Errorf(apperr.ERateLimited,
				"Too many attempts from your address; wait %d s and try again.",
				"Trop de tentatives depuis votre adresse ; attendez %d s et réessayez.", wait))
		},
	})
}

// noStore keeps API answers out of caches: they carry tokens and what
// one seat may see.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requestLog logs each HTTP request without its query string (tokens
// never travel in URLs, but nothing else needs logging either).
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		lvl := slog.LevelDebug
		if status >= 500 {
			lvl = slog.LevelWarn
		}
		s.log.Log(c.Request().Context(), lvl, "http", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", status, "ms", time.Since(start).Milliseconds())
		return nil
	}
}

// readyWait is the longest /readyz waits for Redis: it answers within
// it, 503 when Redis has not answered by then.
const readyWait = 1500 * time.Millisecond

func (s *Server) ready(c echo.Context) error {
	s.mu.Lock()
	down := s.down
	p := s.probe
	if p == nil && !down {
		p = &probe{done: make(chan struct{})}
		s.probe = p
		go s.runProbe(p)
	}
	s.mu.Unlock()
	if down {
		return c.String(http.StatusServiceUnavailable, "shutting down\n")
	}
	t := time.NewTimer(readyWait)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		return c.String(http.StatusServiceUnavailable, "redis does not answer\n")
	case <-c.Request().Context().Done():
		return nil
	}
	if p.err != nil {
		return c.String(http.StatusServiceUnavailable, "redis unreachable\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

// runProbe pings Redis for the /readyz requests waiting on p.
func (s *Server) runProbe(p *probe) {
	ctx, cancel := context.WithTimeout(context.Background(), readyWait)
	defer cancel()
	p.err = s.cfg.Store.Ping(ctx)
	if p.err != nil {
		s.rt.Metrics().StoreErrors.Inc()
	}
	s.mu.Lock()
	s.probe = nil
	s.mu.Unlock()
	close(p.done)
}

func (s *Server) websocket(c echo.Context) error {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		return writeError(c, s.log, apperr.Errorf(apperr.EInternal, "The server is restarting; try again.", "Le serveur redémarre ; réessayez."))
	}
	cw := &corkingWriter{ResponseWriter: c.Response(), hj: c.Response()}
	ws, err := upgrader.Upgrade(cw, c.Request(), nil)
	if err != nil {
		return nil // the upgrader already answered
	}
	if tc, ok := cw.conn.Conn.(*net.TCPConn); ok {
		tc.SetWriteBuffer(s.cfg.SocketBuffer)
	}
	cn := &conn{srv: s, ws: ws, cork: cw.conn, limiter: rate.NewLimiter(rate.Limit(s.cfg.CommandRate), s.cfg.CommandBurst)}
	cn.useDeflate()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		cn.serve()
	}()
	return nil
}

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }
