package store_test

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"devopschallenge/internal/redistest"
	"devopschallenge/store"
)

// BenchmarkAppend measures Append (version check, XADD, TTL refresh,
// publish, and in embedded mode the fsynced journal line) with 300-byte
// entries:
//
//   - one-game: one writer appending to one game, one append at a time;
//   - many-games: 16 writers over 50 games (each writer owns its games, so
//     there is no conflict), as in DESIGN.md's measurement.
//
// Besides ns/op it reports appends/s and the p50/p99 latency of one Append.
func BenchmarkAppend(b *testing.B) {
	backends := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"embedded", func(b *testing.B) store.Store {
			s, err := store.OpenEmbedded(ctxFor(b), b.TempDir(), "", "dc:", nil)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		// The embedded server without the journal (a plain client of it):
		// what the fsync costs is the difference with "embedded".
		{"miniredis-nojournal", func(b *testing.B) store.Store {
			e, err := store.OpenEmbedded(ctxFor(b), b.TempDir(), "", "dc:", nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { e.Close() })
			return store.New(redis.NewClient(&redis.Options{Addr: e.EmbeddedAddr()}), "dc:", nil)
		}},
		{"redis", func(b *testing.B) store.Store {
			s, err := store.Open(ctxFor(b), redistest.Start(b), redistest.Prefix(b), nil)
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	}
	for _, be := range backends {
		b.Run(be.name+"/one-game", func(b *testing.B) { benchAppend(b, be.open(b), 1, 1) })
		b.Run(be.name+"/many-games", func(b *testing.B) { benchAppend(b, be.open(b), 16, 50) })
	}
}

func benchAppend(b *testing.B, s store.Store, writers, games int) {
	defer s.Close()
	ctx := ctxFor(b)
	payload := bytes.Repeat([]byte("x"), 300)
	opts := store.AppendOptions{TTL: 24 * time.Hour}
	next := make([]int64, games)
	for g := range games {
		if err := s.CreateGame(ctx, fmt.Sprintf("bench%d", g), fmt.Sprintf("B%d", g), payload, opts.TTL); err != nil {
			b.Fatal(err)
		}
		next[g] = 2
	}
	lat := make([][]time.Duration, writers)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		n := b.N / writers
		if w < b.N%writers {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := make([]time.Duration, 0, n)
			for i := range n {
				g := w + (i%((games-w+writers-1)/writers))*writers // the games w, w+writers, w+2·writers…
				t0 := time.Now()
				if err := s.Append(ctx, fmt.Sprintf("bench%d", g), next[g], payload, opts); err != nil {
					b.Error(err)
					return
				}
				l = append(l, time.Since(t0))
				next[g]++
			}
			lat[w] = l
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "appends/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}
