package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// The event benchmark's load: 240 players joined over the API, notes and
// votes sent at a steady rate, and when each note reaches a Go client.

// benchSeat is a joined player: where it plays and its connection.
type benchSeat struct {
	protocol.JoinResponse
	s *client.Session
}

// joinMany joins n players and connects each with the Go client.
func joinMany(ctx context.Context, tb testing.TB, url, code string, n int) []*client.Session {
	seats := joinSeats(ctx, tb, url, code, n)
	out := make([]*client.Session, n)
	for i, s := range seats {
		out[i] = s.s
	}
	return out
}

// joinSeats joins n players and connects each with the Go client.
func joinSeats(ctx context.Context, tb testing.TB, url, code string, n int) []benchSeat {
	tb.Helper()
	h := &client.HTTP{BaseURL: url}
	out := make([]benchSeat, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			j, err := h.Join(ctx, code, "p"+strconv.Itoa(i), "")
			out[i].JoinResponse = j
			if err == nil {
				out[i].s, err = client.Connect(ctx, client.Options{URLs: []string{url}, Token: j.PlayerToken, IgnoreDocs: true})
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for _, s := range out {
			s.s.Close()
		}
	})
	return out
}

type sentCounts struct{ notes, commands int }

// drive sends notes (four in five commands) and votes at rate a second
// from random players for d, and waits for every answer.
func drive(ctx context.Context, tb testing.TB, sessions []*client.Session, clusters []string, rate int, d time.Duration) sentCounts {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	var c sentCounts
	notes := make([]int, len(sessions))
	votes := make([]int, len(sessions))
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		<-tick.C
		i := rng.IntN(len(sessions))
		var cmd string
		var args any
		switch {
		case c.commands%5 != 4 && notes[i] < game.MaxNotesPerPlayer && c.notes < game.MaxNotes:
			notes[i]++
			text := fmt.Sprintf("Deploys wait for the change board ⟦%d@%d⟧", c.notes, time.Now().UnixMilli())
			cmd, args = "note.add", game.NoteAddArgs{Text: text, Target: []string{"devs", "ops"}[c.notes%2]}
			c.notes++
		case votes[i] < game.VotesPerPlayer:
			cmd, args = "cluster.vote", game.ClusterVoteArgs{ClusterID: clusters[votes[i]]}
			votes[i]++
		default:
			continue
		}
		c.commands++
		wg.Add(1)
		go func(s *client.Session) {
			defer wg.Done()
			if _, err := s.Do(ctx, cmd, args); err != nil {
				mu.Lock()
				failed = append(failed, fmt.Sprintf("%s: %v", cmd, err))
				mu.Unlock()
			}
		}(sessions[i])
	}
	wg.Wait()
	if len(failed) > 0 {
		tb.Fatalf("%d commands refused, first: %s", len(failed), slices.Min(failed))
	}
	return c
}

// logLoad logs the machine's load average (Linux), which the figures
// follow on shared cores.
func logLoad(tb testing.TB, when string) {
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		tb.Logf("load average %s: %s", when, strings.Join(strings.Fields(string(b))[:3], ", "))
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// arrivals records when each benchmark note first reaches a Go client.
type arrivals struct {
	mu   sync.Mutex
	seen map[string]bool
	lags []float64
}

func newArrivals() *arrivals { return &arrivals{seen: map[string]bool{}} }

var markRe = regexp.MustCompile(`⟦(\d+)@(\d+)⟧`)

func (a *arrivals) scan(raw []byte) {
	if !bytes.Contains(raw, []byte("⟦")) {
		return
	}
	now := time.Now().UnixMilli()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range markRe.FindAllSubmatch(raw, -1) {
		if id := string(m[1]); !a.seen[id] {
			a.seen[id] = true
			sent, _ := strconv.ParseInt(string(m[2]), 10, 64)
			a.lags = append(a.lags, float64(now-sent))
		}
	}
}

func (a *arrivals) quantiles() (p50, p99 float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := slices.Clone(a.lags)
	slices.Sort(l)
	if len(l) == 0 {
		return 0, 0
	}
	return l[len(l)/2], l[min(len(l)-1, len(l)*99/100)]
}
