package redistest_test

import (
	"bufio"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"devopschallenge/internal/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

// do sends one inline command and returns the first reply line.
func do(t *testing.T, addr, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(line, "$") && line != "$-1\r\n" {
		line, err = r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
	}
	return strings.TrimSpace(line)
}

func TestSharedServer(t *testing.T) {
	u1, u2 := redistest.Start(t), redistest.Start(t)
	if u1 != u2 {
		t.Fatalf("Start returned %s then %s; want one shared server", u1, u2)
	}
	if got := do(t, strings.TrimPrefix(u1, "redis://"), "PING"); got != "+PONG" {
		t.Fatalf("PING = %q", got)
	}
	if p1, p2 := redistest.Prefix(t), redistest.Prefix(t); p1 == p2 {
		t.Fatalf("Prefix returned %q twice", p1)
	}
}

func TestRestartKeepsAOF(t *testing.T) {
	s := redistest.StartDedicated(t)
	if got := do(t, s.Addr(), "SET k v"); got != "+OK" {
		t.Fatalf("SET = %q", got)
	}
	s.Restart(t)
	if got := do(t, s.Addr(), "GET k"); got != "v" {
		t.Fatalf("after a restart GET = %q, want v", got)
	}
}
