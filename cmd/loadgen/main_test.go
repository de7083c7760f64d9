//go:build linux

package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
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
