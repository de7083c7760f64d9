package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/client"
	"devopschallenge/protocol"
)

// When the test binary runs with DC_RUN_MAIN set, it is the server itself
// (so that a test can send it SIGTERM like a real process manager would).
func TestMain(m *testing.M) {
	if os.Getenv("DC_RUN_MAIN") == "1" {
		os.Exit(run(strings.Fields(os.Getenv("DC_ARGS")), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestConfigRefusesBadValues(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-addr", "nonsense"}, nil, "use host:port"},
		{[]string{"-addr", ":99999"}, nil, "from 0 to 65535"},
		{nil, map[string]string{"PORT": "http"}, "must be a number"},
		{nil, map[string]string{"FINISHED_TTL_DAYS": "-1"}, "FINISHED_TTL_DAYS must be a number of days"},
		{nil, map[string]string{"IDLE_TTL_DAYS": "forever"}, "IDLE_TTL_DAYS must be a number of days"},
		{nil, map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL must be"},
		{nil, map[string]string{"REDIS_URL": "localhost:6379"}, "must start with redis://"},
		{nil, map[string]string{"EMBEDDED_REDIS_ADDR": "0.0.0.0:6379"}, "must be a loopback"},
		{[]string{"extra"}, nil, "unexpected argument"},
		// A bad flag's error names the flag, a bad variable's the variable.
		{[]string{"-finished-ttl-days", "-1"}, nil, "-finished-ttl-days must be a number of days"},
		{[]string{"-log-level", "loud"}, map[string]string{"LOG_LEVEL": "debug"}, "-log-level must be"},
		{[]string{"-redis", "localhost:6379"}, nil, "-redis must start with redis://"},
		{[]string{"-embedded-redis-addr", "0.0.0.0:1"}, nil, "-embedded-redis-addr must be a loopback"},
		{[]string{"-addr", "nonsense"}, nil, `-addr "nonsense"`},
		{nil, map[string]string{"ADDR": "x"}, `ADDR "x"`},
		{[]string{"-bogus"}, nil, "flag provided but not defined: -bogus"},
		{[]string{"-trust-proxy=maybe"}, nil, "-trust-proxy"},
	}
	for _, c := range cases {
		getenv := func(k string) string { return c.env[k] }
		_, err := parseConfig(c.args, getenv, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("args %v env %v: got %v, want an error containing %q", c.args, c.env, err, c.want)
		}
	}
	cfg, err := parseConfig(nil, func(k string) string { return map[string]string{"PORT": "9000"}[k] }, io.Discard)
	if err != nil || cfg.addr != ":9000" || cfg.dataDir != "./data" || cfg.redisURL != "" {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
}

func TestBadConfigExitsWithASentence(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-log-level", "shout"}, `-log-level must be debug, info, warn or error, not "shout"`},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"serve", "-addr"}, "flag needs an argument: -addr"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != 2 {
			t.Fatalf("%v: exit code %d, want 2", c.args, code)
		}
		// One sentence and where to look, not the whole usage.
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if !strings.Contains(lines[0], c.want) || len(lines) != 2 || !strings.Contains(lines[1], "-h") || stdout.Len() > 0 {
			t.Errorf("%v: stderr %q", c.args, stderr.String())
		}
	}
}

// -h lists the commands of the binary and the server's options, on
// standard output, and exits 0.
func TestHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"serve", "-h"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit code %d", args, code)
		}
		for _, want := range []string{"scenario validate FILE", "simulate", "healthcheck", "serve", "-addr", "-redis", "-log-level", "LOG_LEVEL"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v: the help lacks %q:\n%s", args, want, stdout.String())
			}
		}
	}
}

func TestScenarioCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"scenario", "validate", "scenarios/ecommerce-platform.yaml"}, &out, &errb); code != 0 || strings.TrimSpace(out.String()) != "OK" {
		t.Fatalf("validate: %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"scenario", "validate", "no-such-file.yaml"}, &out, &errb); code == 0 {
		t.Fatal("validating a missing file should fail")
	}
}

// The server started as a process stops on SIGTERM within 10 seconds,
// closing WebSockets with "going away" so that clients reconnect.
func TestSIGTERMClosesConnectionsAndExits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DC_RUN_MAIN=1", "DC_ARGS=-addr "+addr+" -data "+t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !strings.Contains(lines.Text(), "DevOps Challenge is running") {
		t.Fatalf("first line: %q", lines.Text())
	}
	go io.Copy(io.Discard, stdout)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h := &client.HTTP{BaseURL: "http://" + addr}
	g, err := h.CreateGame(ctx, protocol.CreateGameRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteJSON(protocol.In{Type: "hello", Token: g.FacilitatorToken})
	var first protocol.Out
	if err := ws.ReadJSON(&first); err != nil || first.Type != "snapshot" {
		t.Fatalf("hello answer %+v %v", first, err)
	}

	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var closeErr error
	for closeErr == nil {
		_, _, closeErr = ws.ReadMessage()
	}
	if ce, ok := closeErr.(*websocket.CloseError); !ok || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("the WebSocket should close with 1001 going away, got %v", closeErr)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit within 10 s of SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
}
