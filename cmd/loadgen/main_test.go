//go:build linux

package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The generator only ever loads this machine: any other address is
// refused before anything connects.
func TestRefusesNonLoopback(t *testing.T) {
	me := fmt.Sprint(os.Getpid())
	for _, args := range [][]string{
		{"-game", "http://10.0.0.8:8080", "-game-pids", me},
		{"-game", "http://127.0.0.1:8080,http://example.org:8080", "-game-pids", me},
		{"-hub", "http://192.168.1.2:9100", "-hub-pid", me},
		{"-game", "http://127.0.0.1:8080", "-game-pids", me, "-redis-url", "redis://10.1.1.1:6379/0"},
	} {
		if _, err := parseFlags(args); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("%v: got %v, want a refusal naming loopback", args, err)
		}
	}
	o, err := parseFlags([]string{"-game", "http://127.0.0.1:8080/,http://[::1]:8081", "-game-pids", me, "-spread", "games"})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.game.urls) != 2 || o.game.urls[0] != "http://127.0.0.1:8080" || !o.cfg.byGame {
		t.Errorf("parsed %+v", o)
	}
}

func TestBadFlags(t *testing.T) {
	me := fmt.Sprint(os.Getpid())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-game", "http://127.0.0.1:8080"}, "-game-pids"},
		{[]string{"-game", "http://127.0.0.1:8080", "-game-pids", me, "-spread", "teams"}, "-spread"},
		{[]string{"-game", "http://127.0.0.1:8080", "-game-pids", me, "-phases", "wall,retro"}, "retro"},
		{[]string{"-game", "http://127.0.0.1:8080", "-game-pids", "0"}, "PID"},
		{[]string{}, "-game"},
	} {
		if _, err := parseFlags(c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error about %s", c.args, err, c.want)
		}
	}
}

// Who must receive an effect before it counts as delivered: everyone,
// one company's players and the facilitator, or one team and the
// facilitator; never the slow readers.
func TestAudiences(t *testing.T) {
	g := &gameRun{}
	fac := &conn{g: g, role: roleFacilitator}
	proj := &conn{g: g, role: roleProjector}
	a := &conn{g: g, role: rolePlayer, team: "1/dev"}
	b := &conn{g: g, role: rolePlayer, team: "1/ops"}
	c := &conn{g: g, role: rolePlayer, team: "2/dev"}
	slow := &conn{g: g, role: rolePlayer, team: "1/dev", slow: true}
	g.conns = []*conn{fac, proj, a, b, c, slow}
	g.count()
	for _, x := range []struct {
		aud  audience
		want int
		in   []*conn
		out  []*conn
	}{
		{audience{}, 5, []*conn{fac, proj, a, b, c}, nil},
		{audience{company: "1"}, 3, []*conn{fac, a, b}, []*conn{proj, c}},
		{audience{team: "1/dev"}, 2, []*conn{fac, a}, []*conn{proj, b, c}},
	} {
		if got := g.expected(x.aud); got != x.want {
			t.Errorf("%s %+v: expected %d receivers, want %d", x.aud.scope(), x.aud, got, x.want)
		}
		for _, k := range x.in {
			if !x.aud.includes(k) {
				t.Errorf("%+v should include %s %s", x.aud, k.role, k.team)
			}
		}
		for _, k := range x.out {
			if x.aud.includes(k) {
				t.Errorf("%+v should not include %s %s", x.aud, k.role, k.team)
			}
		}
	}
}

// With a game's connections on two servers, an effect's latency is also
// recorded per side: to the last receiver on the sender's server and to
// the last one on the other server, keyed by whether the sender is on the
// game's home server.
func TestLatencyByServer(t *testing.T) {
	const home, other = "http://127.0.0.1:1", "http://127.0.0.1:2"
	var w window
	w.start.Store(1)
	w.end.Store(1 << 62)
	rec := newRecorder(&w, clock{})
	g := &gameRun{home: home}
	fac := &conn{g: g, role: roleFacilitator, url: home}
	a := &conn{g: g, role: rolePlayer, team: "1/dev", url: home}
	b := &conn{g: g, role: rolePlayer, team: "1/dev", url: other}
	c := &conn{g: g, role: rolePlayer, team: "1/ops", url: other}
	g.conns = []*conn{fac, a, b, c}
	g.count()
	g.tr = newTracker(g, rec)
	ms := int64(time.Millisecond)

	// Sent by a (home) at 10 ms to everyone: home side done at 14 ms
	// (fac), other side at 40 ms (c).
	g.tr.received(a, 1, 12*ms, 100)
	g.tr.received(fac, 1, 14*ms, 100)
	g.tr.received(b, 1, 20*ms, 100)
	g.tr.acked(a, 1, 10*ms, "note", audience{}, true, 13*ms)
	g.tr.received(c, 1, 40*ms, 100)
	// Sent by b (away) at 50 ms to team 1/dev: b at 53, a and fac at 57.
	g.tr.received(b, 2, 53*ms, 100)
	g.tr.received(a, 2, 57*ms, 100)
	g.tr.received(fac, 2, 57*ms, 100)
	g.tr.acked(b, 2, 50*ms, "card", audience{team: "1/dev"}, true, 54*ms)
	// Sent by a to a team only it and the facilitator see, both at home:
	// no split.
	g.tr.received(a, 3, 61*ms, 100)
	g.tr.received(fac, 3, 62*ms, 100)
	g.tr.acked(a, 3, 60*ms, "card", audience{team: "1/qa"}, true, 61*ms)

	want := map[string]float64{"home/same": 4, "home/other": 30, "away/same": 3, "away/other": 7}
	if len(rec.byServer) != len(want) {
		t.Errorf("recorded %v, want the keys of %v", rec.byServer, want)
	}
	for k, v := range want {
		if got := rec.byServer[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s: recorded %v, want [%v]", k, got, v)
		}
	}
	if all := rec.latencies; len(all) != 3 || all[0] != 30 || all[1] != 7 || all[2] != 2 {
		t.Errorf("overall latencies %v, want [30 7 2]", all)
	}
}
