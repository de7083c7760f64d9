// Package redistest runs real redis-server processes for tests.
//
// Start returns the URL of a server shared by the whole test binary (use
// Prefix to keep each test's keys apart); StartDedicated runs a private one
// that a test may kill, stall and restart. The servers listen on a free
// loopback port, keep their files in a temporary directory, and use the
// append-only file (appendonly yes, no RDB snapshots), as production does;
// dedicated ones also sync it at every write (appendfsync always, as
// docker-compose.yml runs Redis), so that a kill -9 loses nothing Redis
// acknowledged (with the default everysec it may lose the last second).
//
// When redis-server is not on PATH the tests that need it are skipped,
// unless REQUIRE_REDIS=1 is set, which turns that into a failure (for CI).
//
// For the shared server to be stopped when the tests end, call Main from
// TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }
//
// Without it the server is still killed when the test binary exits (on
// Linux, through the parent-death signal).
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a redis-server process run for tests.
type Server struct {
	bin  string
	dir  string
	port int
	sync bool // appendfsync always

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

var (
	sharedOnce sync.Once
	shared     *Server
	sharedErr  error
	sharedDir  string
	prefixSeq  atomic.Int64
)

// Start returns the URL (redis://127.0.0.1:<port>) of the redis-server
// shared by the test binary, starting it on first use.
func Start(t testing.TB) string {
	t.Helper()
	bin := lookPath(t)
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "redistest-")
		if sharedErr != nil {
			return
		}
		shared, sharedErr = start(bin, sharedDir, 0, false)
	})
	if sharedErr != nil {
		t.Fatalf("redistest: %v", sharedErr)
	}
	return shared.URL()
}

// Prefix returns a key prefix unique to this test in the test binary, such
// as "t12-TestAppend:".
func Prefix(t testing.TB) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '/' {
			return r
		}
		return '_'
	}, t.Name())
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	return fmt.Sprintf("t%d-%s:", prefixSeq.Add(1), name)
}

// Main runs the tests and then stops the shared server, if one was
// started. It returns m.Run's exit code.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.kill()
	}
	if sharedDir != "" {
		_ = os.RemoveAll(sharedDir)
	}
	return code
}

// StartDedicated starts a redis-server for this test only, stopped when
// the test ends.
func StartDedicated(t testing.TB) *Server {
	t.Helper()
	s, err := start(lookPath(t), t.TempDir(), 0, true)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(s.kill)
	return s
}

// URL returns the server's URL, redis://127.0.0.1:<port>.
func (s *Server) URL() string { return "redis://" + s.Addr() }

// Addr returns the server's address, 127.0.0.1:<port>.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Dir returns the server's working directory (its AOF is in there).
func (s *Server) Dir() string { return s.dir }

// Restart kills the server with SIGKILL, as a crash would, and starts it
// again on the same port and directory; it returns once the server answers
// (having reloaded its append-only file).
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.kill()
	n, err := start(s.bin, s.dir, s.port, s.sync)
	if err != nil {
		t.Fatalf("redistest: restart: %v", err)
	}
	s.mu.Lock()
	s.cmd, s.done = n.cmd, n.done
	s.mu.Unlock()
}

// Stop kills the server (SIGKILL) and waits for it to exit.
func (s *Server) Stop() { s.kill() }

// Pause stops the server with SIGSTOP, as a stalled host would: it keeps
// its connections open and answers nothing until Resume.
func (s *Server) Pause(t testing.TB) { t.Helper(); s.signal(t, stopSignal) }

// Resume continues a server stopped by Pause (SIGCONT).
func (s *Server) Resume(t testing.TB) { t.Helper(); s.signal(t, contSignal) }

func (s *Server) signal(t testing.TB, sig os.Signal) {
	t.Helper()
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil || sig == nil {
		t.Fatalf("redistest: cannot send %v to the redis-server process on this system", sig)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatalf("redistest: send %v: %v", sig, err)
	}
}

func (s *Server) kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// lookPath finds redis-server, or skips (or fails, with REQUIRE_REDIS=1)
// the test.
func lookPath(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err == nil {
		return bin
	}
	if os.Getenv("REQUIRE_REDIS") == "1" {
		t.Fatalf("redis-server not on PATH and REQUIRE_REDIS=1: %v", err)
	}
	t.Skip("redis-server not on PATH; install it or set REQUIRE_REDIS=1 to make this a failure")
	return ""
}

// start runs redis-server in dir on port (0: a free port, retried a few
// times if another process takes it first), syncing its AOF at every write
// if sync, and waits until it answers.
func start(bin, dir string, port int, sync bool) (*Server, error) {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		p := port
		if p == 0 {
			var err error
			if p, err = freePort(); err != nil {
				return nil, err
			}
		}
		s := &Server{bin: bin, dir: dir, port: p, sync: sync}
		err := s.run()
		if err == nil {
			return s, nil
		}
		lastErr = err
		if port != 0 {
			break // the port is imposed: retrying elsewhere is no use
		}
	}
	return nil, lastErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// run starts the process and waits for it to answer PING.
func (s *Server) run() error {
	logFile := filepath.Join(s.dir, "redis.log")
	fsync := "everysec"
	if s.sync {
		fsync = "always"
	}
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--appendonly", "yes",
		"--appendfsync", fsync,
		"--save", "",
		"--logfile", logFile,
		"--daemonize", "no",
	)
	done := make(chan struct{})
	if err := startProcess(cmd, done); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	s.cmd, s.done = cmd, done

	deadline := time.Now().Add(15 * time.Second)
	for {
		err := pingOnce(s.Addr())
		if err == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server exited on port %d: %s", s.port, tail(logFile))
		default:
		}
		if time.Now().After(deadline) {
			s.kill()
			return fmt.Errorf("redis-server on port %d did not answer within 15s (%v): %s", s.port, err, tail(logFile))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startProcess starts cmd from a goroutine locked to its OS thread, which
// stays alive waiting for the process: on Linux the process gets the
// parent-death signal when that thread ends, so a crashed or killed test
// binary leaves no redis-server behind. done is closed when it exits.
func startProcess(cmd *exec.Cmd, done chan struct{}) error {
	setParentDeathSignal(cmd)
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		err := cmd.Start()
		errc <- err
		if err == nil {
			_ = cmd.Wait()
		}
		close(done)
	}()
	return <-errc
}

// pingOnce sends PING and expects +PONG, or -LOADING while the server
// reads its AOF (reported as an error: not ready yet).
func pingOnce(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return errors.New("not ready: " + strings.TrimSpace(line))
	}
	return nil
}

// tail returns the end of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
