package store_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"devopschallenge/apperr"
	"devopschallenge/store"
)

func mustT(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantGame fails unless the game holds exactly the entries "<prefix><v>"
// for v in 1..n (the snapshot is ignored).
func wantGame(t testing.TB, s store.Store, id, prefix string, n int) {
	t.Helper()
	es, err := s.Entries(ctxFor(t), id, 1)
	mustT(t, err, "Entries")
	if len(es) != n {
		t.Fatalf("game %s has %d entries, want %d", id, len(es), n)
	}
	for i, e := range es {
		if want := fmt.Sprintf("%s%d", prefix, i+1); e.Version != int64(i+1) || string(e.Data) != want {
			t.Fatalf("game %s entry %d = {%d %q}, want {%d %q}", id, i, e.Version, e.Data, i+1, want)
		}
	}
}

// fill creates a game with entries "<prefix>1".."<prefix>n".
func fill(t testing.TB, s store.Store, id, code, prefix string, n int, opts store.AppendOptions) {
	t.Helper()
	ctx := ctxFor(t)
	mustT(t, s.CreateGame(ctx, id, code, fmt.Appendf(nil, "%s1", prefix), opts.TTL), "CreateGame")
	for v := 2; v <= n; v++ {
		o := opts
		if v%10 == 0 {
			o.Snapshot = fmt.Appendf(nil, "snapshot at %d", v)
		}
		mustT(t, s.Append(ctx, id, int64(v), fmt.Appendf(nil, "%s%d", prefix, v), o), "Append")
	}
}

func wantCodeOf(t testing.TB, s store.Store, code, id string) {
	t.Helper()
	got, err := s.LookupCode(ctxFor(t), code)
	mustT(t, err, "LookupCode "+code)
	if got != id {
		t.Fatalf("LookupCode(%s) = %q, want %q", code, got, id)
	}
}

func journalPath(dir, id string) string { return filepath.Join(dir, "games", id+".log") }

func TestEmbeddedJournalRestore(t *testing.T) {
	dir, clock := t.TempDir(), newFakeClock()
	logger, _ := testLogger(t)
	ctx := ctxFor(t)

	a := openEmbedded(t, dir, clock, logger)
	addrA := a.EmbeddedAddr()
	fill(t, a, "g1", "CODE1", "a", 30, store.AppendOptions{TTL: time.Hour})
	fill(t, a, "g2", "CODE2", "b", 5, store.AppendOptions{})
	mustT(t, a.Close(), "Close")

	b := openEmbedded(t, dir, clock, logger)
	t.Logf("first server on %s, second on %s", addrA, b.EmbeddedAddr())
	sv, snap, es, err := b.Load(ctx, "g1")
	mustT(t, err, "Load after reopen")
	if sv != 0 || snap != nil || len(es) != 30 {
		t.Fatalf("Load after reopen = (%d, %q, %d entries), want no snapshot and 30 entries", sv, snap, len(es))
	}
	wantGame(t, b, "g1", "a", 30)
	wantGame(t, b, "g2", "b", 5)
	wantCodeOf(t, b, "CODE1", "g1")
	wantCodeOf(t, b, "CODE2", "g2")
	if err := b.CreateGame(ctx, "g3", "CODE1", []byte("x"), 0); !apperr.IsCode(err, apperr.EConflict) {
		t.Fatalf("CreateGame with a restored code: %v, want a conflict", err)
	}
	if err := b.Append(ctx, "g1", 30, []byte("dup"), store.AppendOptions{}); !apperr.IsCode(err, apperr.EConflict) {
		t.Fatalf("Append of a restored version: %v, want a conflict", err)
	}
	mustT(t, b.Append(ctx, "g1", 31, []byte("a31"), store.AppendOptions{TTL: time.Hour}), "Append after reopen")
	mustT(t, b.Append(ctx, "g1", 31, []byte("a31"), store.AppendOptions{TTL: time.Hour}), "replayed Append")
	mustT(t, b.CreateGame(ctx, "g2", "CODE2", []byte("b1"), 0), "replayed CreateGame")
	mustT(t, b.Close(), "Close")

	c := openEmbedded(t, dir, clock, logger)
	closeOnCleanup(t, c)
	wantGame(t, c, "g1", "a", 31)
	wantGame(t, c, "g2", "b", 5)
	wantCodeOf(t, c, "CODE1", "g1")
}

func TestEmbeddedDataDirLocked(t *testing.T) {
	dir, clock := t.TempDir(), newFakeClock()
	logger, _ := testLogger(t)
	a := openEmbedded(t, dir, clock, logger)
	if b, err := store.OpenEmbeddedAt(ctxFor(t), dir, "", "dc:", logger, clock.Now); err == nil {
		b.Close()
		t.Fatal("a second store opened the same data directory")
	}
	mustT(t, a.Close(), "Close")
	b := openEmbedded(t, dir, clock, logger)
	mustT(t, b.Close(), "Close")
}

func TestEmbeddedTornTail(t *testing.T) {
	for _, tc := range []struct {
		name, tail, warning string
	}{
		{"truncated last line", "6 0 1234", "truncated last line"},
		{"bad checksum", "6 0 00000000 b6\n", "damaged tail"},
		{"garbage lines", "\x00\x00\x00\n\x00\x00\n", "damaged tail"},
		{"half a line without newline after a bad one", "6 0 00000000 b6\n7 0 1", "damaged tail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, clock := t.TempDir(), newFakeClock()
			logger, logs := testLogger(t)
			a := openEmbedded(t, dir, clock, logger)
			fill(t, a, "g1", "C1", "b", 5, store.AppendOptions{})
			mustT(t, a.Close(), "Close")
			path := journalPath(dir, "g1")
			good, err := os.ReadFile(path)
			mustT(t, err, "read journal")
			mustT(t, os.WriteFile(path, append(bytes.Clone(good), tc.tail...), 0o600), "damage journal")

			b := openEmbedded(t, dir, clock, logger)
			wantGame(t, b, "g1", "b", 5)
			if !strings.Contains(logs.String(), tc.warning) {
				t.Fatalf("no %q warning in the logs:\n%s", tc.warning, logs)
			}
			after, err := os.ReadFile(path)
			mustT(t, err, "read journal")
			if !bytes.Equal(after, good) {
				t.Fatalf("the damaged tail was not cut off:\n%q\nwant\n%q", after, good)
			}
			mustT(t, b.Append(ctxFor(t), "g1", 6, []byte("b6"), store.AppendOptions{}), "Append after the repair")
			mustT(t, b.Close(), "Close")

			c := openEmbedded(t, dir, clock, logger)
			closeOnCleanup(t, c)
			wantGame(t, c, "g1", "b", 6)
		})
	}
}

func TestEmbeddedCorruptJournal(t *testing.T) {
	dir, clock := t.TempDir(), newFakeClock()
	logger, logs := testLogger(t)
	a := openEmbedded(t, dir, clock, logger)
	fill(t, a, "g1", "C1", "a", 5, store.AppendOptions{})
	fill(t, a, "g2", "C2", "b", 5, store.AppendOptions{})
	mustT(t, a.Close(), "Close")

	// Flip one data byte of entry 3: valid entries follow, so this is not
	// a torn write.
	path := journalPath(dir, "g1")
	b, err := os.ReadFile(path)
	mustT(t, err, "read journal")
	i := bytes.Index(b, []byte(" a3\n"))
	if i < 0 {
		t.Fatalf("entry 3 not found in %q", b)
	}
	b[i+1] = 'x'
	mustT(t, os.WriteFile(path, b, 0o600), "corrupt journal")

	c := openEmbedded(t, dir, clock, logger)
	closeOnCleanup(t, c)
	_, _, _, err = c.Load(ctxFor(t), "g1")
	if !apperr.IsCode(err, apperr.ENotFound) {
		t.Fatalf("Load of the game with a corrupt journal: %v, want not found", err)
	}
	wantGame(t, c, "g2", "b", 5)
	if !strings.Contains(logs.String(), "corrupt journal") {
		t.Fatalf("no corruption error in the logs:\n%s", logs)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the corrupt journal is still at %s (%v)", path, err)
	}
	kept, _ := filepath.Glob(path + ".corrupt-*")
	if len(kept) != 1 {
		t.Fatalf("the corrupt journal was not set aside: %v", kept)
	}
}

func TestEmbeddedIncompleteCreation(t *testing.T) {
	// Crashes during CreateGame's rename-into-place can only leave a
	// temporary file; a hand-made file with a header alone (or half a
	// header) is treated the same: never acknowledged, deleted.
	dir, clock := t.TempDir(), newFakeClock()
	logger, _ := testLogger(t)
	mustT(t, os.MkdirAll(filepath.Join(dir, "games"), 0o700), "mkdir")
	files := map[string]string{
		"h1.log":     `{"journal":1,"game":"h1","code":"X1"}` + "\n",
		"h2.log":     `{"journal":1,"ga`,
		"h3.log.tmp": `{"journal":1,"game":"h3","code":"X3"}` + "\n1 0 00000000 x\n",
	}
	for name, content := range files {
		mustT(t, os.WriteFile(filepath.Join(dir, "games", name), []byte(content), 0o600), "write")
	}
	s := openEmbedded(t, dir, clock, logger)
	closeOnCleanup(t, s)
	for name := range files {
		if _, err := os.Stat(filepath.Join(dir, "games", name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was not deleted (%v)", name, err)
		}
	}
	for _, id := range []string{"h1", "h2", "h3"} {
		if _, _, _, err := s.Load(ctxFor(t), id); !apperr.IsCode(err, apperr.ENotFound) {
			t.Errorf("Load(%s) = %v, want not found", id, err)
		}
	}
}

func TestEmbeddedExpiry(t *testing.T) {
	dir, clock := t.TempDir(), newFakeClock()
	logger, _ := testLogger(t)
	ctx := ctxFor(t)

	a := openEmbedded(t, dir, clock, logger)
	fill(t, a, "short", "C1", "s", 3, store.AppendOptions{TTL: time.Hour})
	fill(t, a, "forever", "C2", "f", 3, store.AppendOptions{})
	fill(t, a, "refreshed", "C3", "r", 3, store.AppendOptions{TTL: time.Hour})
	clock.Advance(50 * time.Minute)
	a.Tick()
	mustT(t, a.Append(ctx, "refreshed", 4, []byte("r4"), store.AppendOptions{TTL: time.Hour}), "Append")
	mustT(t, a.Close(), "Close")

	// Stopped for 20 minutes: "short" expired meanwhile (at +60 min).
	clock.Advance(20 * time.Minute)
	b := openEmbedded(t, dir, clock, logger)
	closeOnCleanup(t, b)
	if _, _, _, err := b.Load(ctx, "short"); !apperr.IsCode(err, apperr.ENotFound) {
		t.Fatalf("Load of a game that expired while stopped: %v, want not found", err)
	}
	if _, err := os.Stat(journalPath(dir, "short")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the expired journal was kept (%v)", err)
	}
	mustT(t, b.CreateGame(ctx, "other", "C1", []byte("x"), 0), "CreateGame with the expired game's code")
	wantGame(t, b, "forever", "f", 3)
	wantGame(t, b, "refreshed", "r", 4)
	wantCodeOf(t, b, "C3", "refreshed")

	// While running: "refreshed" expires at +110 min, its journal with it.
	clock.Advance(39 * time.Minute)
	b.Tick()
	wantGame(t, b, "refreshed", "r", 4)
	clock.Advance(2 * time.Minute)
	b.Tick()
	if _, _, _, err := b.Load(ctx, "refreshed"); !apperr.IsCode(err, apperr.ENotFound) {
		t.Fatalf("Load of an expired game: %v, want not found", err)
	}
	if _, err := os.Stat(journalPath(dir, "refreshed")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the expired journal was kept (%v)", err)
	}
	wantGame(t, b, "forever", "f", 3)
}

func TestEmbeddedExpiryWallClock(t *testing.T) {
	// The real OpenEmbedded: TTLs follow the wall clock by themselves.
	dir := t.TempDir()
	logger, _ := testLogger(t)
	s, err := store.OpenEmbedded(ctxFor(t), dir, "", "dc:", logger)
	mustT(t, err, "OpenEmbedded")
	closeOnCleanup(t, s)
	fill(t, s, "g1", "C1", "a", 2, store.AppendOptions{TTL: 300 * time.Millisecond})
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := os.Stat(journalPath(dir, "g1"))
		_, _, _, lerr := s.Load(ctxFor(t), "g1")
		if errors.Is(err, os.ErrNotExist) && apperr.IsCode(lerr, apperr.ENotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the game did not expire: journal %v, Load %v", err, lerr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEmbeddedConcurrentJournal(t *testing.T) {
	// Appends finishing out of order, and entries appended by another
	// client of the embedded server, all end up in the journal in order.
	dir, clock := t.TempDir(), newFakeClock()
	logger, _ := testLogger(t)
	ctx := ctxFor(t)
	a := openEmbedded(t, dir, clock, logger)
	fill(t, a, "g1", "C1", "x", 1, store.AppendOptions{})

	var wg sync.WaitGroup
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := int64(2); ; {
				err := a.Append(ctx, "g1", v, fmt.Appendf(nil, "w%d", w), store.AppendOptions{TTL: time.Hour})
				if err == nil {
					return
				}
				if !apperr.IsCode(err, apperr.EConflict) {
					t.Errorf("Append: %v", err)
					return
				}
				es, err := a.Entries(ctx, "g1", v)
				if err != nil {
					t.Errorf("Entries: %v", err)
					return
				}
				v += int64(len(es))
			}
		}()
	}
	wg.Wait()

	// A plain client of the same server: its entries are not journaled
	// until the embedded store appends after them.
	peer := store.New(redis.NewClient(&redis.Options{Addr: a.EmbeddedAddr()}), "dc:", logger)
	mustT(t, peer.Append(ctx, "g1", 52, []byte("peer52"), store.AppendOptions{}), "peer Append")
	mustT(t, peer.Append(ctx, "g1", 53, []byte("peer53"), store.AppendOptions{}), "peer Append")
	mustT(t, a.Append(ctx, "g1", 54, []byte("own54"), store.AppendOptions{}), "Append")
	// A game created by the plain client has no journal: the embedded
	// store's first append writes it whole from Redis.
	mustT(t, peer.CreateGame(ctx, "g2", "C2", []byte("p1"), 0), "peer CreateGame")
	mustT(t, peer.Append(ctx, "g2", 2, []byte("p2"), store.AppendOptions{}), "peer Append")
	mustT(t, a.Append(ctx, "g2", 3, []byte("p3"), store.AppendOptions{}), "Append")
	mustT(t, peer.Close(), "peer Close")
	want, err := a.Entries(ctx, "g1", 1)
	mustT(t, err, "Entries")
	mustT(t, a.Close(), "Close")

	b := openEmbedded(t, dir, clock, logger)
	closeOnCleanup(t, b)
	got, err := b.Entries(ctx, "g1", 1)
	mustT(t, err, "Entries after reopen")
	if len(got) != 54 || len(want) != 54 {
		t.Fatalf("got %d entries after reopen, %d before, want 54", len(got), len(want))
	}
	for i := range want {
		if got[i].Version != want[i].Version || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Fatalf("entry %d after reopen = %+v, want %+v", i, got[i], want[i])
		}
	}
	wantGame(t, b, "g2", "p", 3)
	wantCodeOf(t, b, "C2", "g2")
}

// TestEmbeddedCrash kills a process that appends as fast as it can
// (SIGKILL, no chance to clean up) and checks that every append it
// acknowledged is there after a restart.
func TestEmbeddedCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestEmbeddedCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), "STORE_CRASH_DIR="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	mustT(t, err, "pipe")
	mustT(t, cmd.Start(), "start child")
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	acked := map[string]int64{} // game → last acknowledged version
	sc := bufio.NewScanner(out)
	n := 0
	for n < 300 && sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "ACK" {
			v, _ := strconv.ParseInt(f[2], 10, 64)
			acked[f[1]] = v
			n++
		}
	}
	if n < 300 {
		t.Fatalf("the child stopped after %d acks: %v", n, sc.Err())
	}
	mustT(t, cmd.Process.Kill(), "kill child")
	_ = cmd.Wait()

	logger, _ := testLogger(t)
	s, err := store.OpenEmbedded(ctxFor(t), dir, "", "dc:", logger)
	mustT(t, err, "OpenEmbedded after the crash")
	closeOnCleanup(t, s)
	for id, v := range acked {
		es, err := s.Entries(ctxFor(t), id, 1)
		mustT(t, err, "Entries")
		if int64(len(es)) < v {
			t.Fatalf("game %s: %d entries after the crash, but %d were acknowledged", id, len(es), v)
		}
		for i, e := range es {
			if want := fmt.Sprintf("%s-%d", id, i+1); e.Version != int64(i+1) || string(e.Data) != want {
				t.Fatalf("game %s entry %d = {%d %q}, want {%d %q}", id, i, e.Version, e.Data, i+1, want)
			}
		}
	}
}

// TestEmbeddedCrashChild is the process TestEmbeddedCrash kills.
func TestEmbeddedCrashChild(t *testing.T) {
	dir := os.Getenv("STORE_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestEmbeddedCrash")
	}
	s, err := store.OpenEmbedded(context.Background(), dir, "", "dc:", nil)
	mustT(t, err, "OpenEmbedded")
	ctx := context.Background()
	var mu sync.Mutex
	ack := func(id string, v int64) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf("ACK %s %d\n", id, v)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("crash%d", w)
			mustT(t, s.CreateGame(ctx, id, "CODE"+id, []byte(id+"-1"), time.Hour), "CreateGame")
			ack(id, 1)
			for v := int64(2); ; v++ {
				mustT(t, s.Append(ctx, id, v, fmt.Appendf(nil, "%s-%d", id, v), store.AppendOptions{TTL: time.Hour}), "Append")
				ack(id, v)
			}
		}()
	}
	wg.Wait()
}
