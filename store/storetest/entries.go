package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/store"
)

// The contract on a game's log: creating a game and finding it by its
// code, appending in order and refusing the wrong version, replays that
// write once, missing games, snapshots, any data but a newline, and
// concurrent appenders from two instances.

func testCreateAndLookup(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	must(t, s.CreateGame(ctx, "g1", "ABCD", []byte(`{"first":true}`), 0), "CreateGame")
	id, err := s.LookupCode(ctx, "ABCD")
	must(t, err, "LookupCode")
	if id != "g1" {
		t.Fatalf("LookupCode = %q, want g1", id)
	}
	_, err = s.LookupCode(ctx, "abcd")
	wantCode(t, err, apperr.ENotFound, "LookupCode with another case")
	sv, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 0 || snap != nil {
		t.Fatalf("Load snapshot = (%d, %q), want (0, nil)", sv, snap)
	}
	wantEntries(t, es, 1, `{"first":true}`)
	for _, from := range []int64{-1, 0, 1} {
		es, err = s.Entries(ctx, "g1", from)
		must(t, err, "Entries")
		wantEntries(t, es, 1, `{"first":true}`)
	}
}

func testCreateConflicts(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	create(t, s, "g1", "ABCD", 1)

	wantCode(t, s.CreateGame(ctx, "g2", "ABCD", []byte("other"), time.Hour), apperr.EConflict, "CreateGame with a taken code")
	_, _, _, err := s.Load(ctx, "g2")
	wantCode(t, err, apperr.ENotFound, "Load of the refused game")
	es, err := s.Entries(ctx, "g2", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1)

	wantCode(t, s.CreateGame(ctx, "g1", "WXYZ", []byte("again"), 0), apperr.EConflict, "CreateGame of an existing game")
	_, err = s.LookupCode(ctx, "WXYZ")
	wantCode(t, err, apperr.ENotFound, "LookupCode of the code of a refused game")
	id, err := s.LookupCode(ctx, "ABCD")
	must(t, err, "LookupCode")
	if id != "g1" {
		t.Fatalf("LookupCode = %q, want g1", id)
	}
	_, _, es, err = s.Load(ctx, "g1")
	must(t, err, "Load")
	wantEntries(t, es, 1, "e1")
}

func testAppendInOrder(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	create(t, s, "g1", "C1", 20)
	es, err := s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, names(1, 20)...)
	es, err = s.Entries(ctx, "g1", 7)
	must(t, err, "Entries from 7")
	wantEntries(t, es, 7, names(7, 20)...)
	es, err = s.Entries(ctx, "g1", 20)
	must(t, err, "Entries from 20")
	wantEntries(t, es, 20, "e20")
	es, err = s.Entries(ctx, "g1", 21)
	must(t, err, "Entries from 21")
	wantEntries(t, es, 21)
	sv, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 0 || snap != nil {
		t.Fatalf("Load snapshot = (%d, %q), want none", sv, snap)
	}
	wantEntries(t, es, 1, names(1, 20)...)
}

func testAppendWrongVersion(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	create(t, s, "g1", "C1", 1)
	for _, v := range []int64{-1, 0, 1, 3, 10} {
		err := s.Append(ctx, "g1", v, []byte("bad"), store.AppendOptions{Snapshot: []byte("bad"), TTL: time.Hour})
		wantCode(t, err, apperr.EConflict, fmt.Sprintf("Append of version %d to a game at version 1", v))
	}
	must(t, s.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{Snapshot: []byte("s2")}), "Append v2")
	err := s.Append(ctx, "g1", 2, []byte("bad"), store.AppendOptions{Snapshot: []byte("bad")})
	wantCode(t, err, apperr.EConflict, "second Append of version 2")
	sv, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 2 || string(snap) != "s2" {
		t.Fatalf("Load snapshot = (%d, %q), want (2, s2)", sv, snap)
	}
	wantEntries(t, es, 3)
	es, err = s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, "e1", "e2")
}

// testReplays checks the idempotency that makes go-redis's retries safe: a
// call repeated with the same data succeeds without writing twice.
func testReplays(t *testing.T, env Env) {
	a, ctx := env.Store, ctxFor(t)
	b := env.Peer(t)
	got := watch(b)
	must(t, b.Subscribe(ctx, "g1"), "Subscribe")

	must(t, a.CreateGame(ctx, "g1", "C1", []byte("e1"), time.Hour), "CreateGame")
	must(t, a.CreateGame(ctx, "g1", "C1", []byte("e1"), time.Hour), "replayed CreateGame")
	wantCode(t, a.CreateGame(ctx, "g1", "C1", []byte("other"), 0), apperr.EConflict, "CreateGame with another first entry")
	wantCode(t, a.CreateGame(ctx, "g1", "C2", []byte("e1"), 0), apperr.EConflict, "CreateGame with another code")
	wantReceived(t, got, "g1", 1, "e1")

	must(t, a.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{Snapshot: []byte("s2")}), "Append")
	must(t, a.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{Snapshot: []byte("other"), TTL: time.Hour}), "replayed Append")
	must(t, b.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{}), "replayed Append from another instance")
	wantCode(t, a.Append(ctx, "g1", 2, []byte("e2 "), store.AppendOptions{}), apperr.EConflict, "Append of other data")
	must(t, a.Append(ctx, "g1", 3, []byte("e3"), store.AppendOptions{}), "Append")
	// Published once: entry 3 comes right after entry 2.
	wantReceived(t, got, "g1", 2, "e2")
	wantReceived(t, got, "g1", 3, "e3")

	sv, snap, es, err := a.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 2 || string(snap) != "s2" {
		t.Fatalf("Load snapshot = (%d, %q), want (2, s2): a replay must not write", sv, snap)
	}
	wantEntries(t, es, 3, "e3")
	es, err = a.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, "e1", "e2", "e3")
}

func testMissingGame(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	for _, id := range []string{"nope", "", "a/b", "x}y", "{x}", ".hidden", string(bytes.Repeat([]byte("a"), 129))} {
		for _, v := range []int64{1, 2} {
			wantCode(t, s.Append(ctx, id, v, []byte("x"), store.AppendOptions{TTL: time.Hour}), apperr.ENotFound,
				fmt.Sprintf("Append to missing game %q", id))
		}
		_, _, _, err := s.Load(ctx, id)
		wantCode(t, err, apperr.ENotFound, fmt.Sprintf("Load of missing game %q", id))
		es, err := s.Entries(ctx, id, 1)
		must(t, err, "Entries of a missing game")
		wantEntries(t, es, 1)
	}
	_, err := s.LookupCode(ctx, "NOPE")
	wantCode(t, err, apperr.ENotFound, "LookupCode of an unknown code")
	_, err = s.LookupCode(ctx, "")
	wantCode(t, err, apperr.ENotFound, "LookupCode of an empty code")
	if err := s.CreateGame(ctx, "bad/id", "C", []byte("x"), 0); err == nil || apperr.ErrorCode(err) != apperr.EInternal {
		t.Fatalf("CreateGame with an invalid ID: got %v, want an internal error", err)
	}
}

func testSnapshots(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	create(t, s, "g1", "C1", 2)
	must(t, s.Append(ctx, "g1", 3, []byte("e3"), store.AppendOptions{Snapshot: []byte("s3")}), "Append v3")
	must(t, s.Append(ctx, "g1", 4, []byte("e4"), store.AppendOptions{}), "Append v4")
	must(t, s.Append(ctx, "g1", 5, []byte("e5"), store.AppendOptions{}), "Append v5")
	sv, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 3 || string(snap) != "s3" {
		t.Fatalf("Load snapshot = (%d, %q), want (3, s3)", sv, snap)
	}
	wantEntries(t, es, 4, "e4", "e5")

	big := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
	must(t, s.Append(ctx, "g1", 6, []byte("e6"), store.AppendOptions{Snapshot: big}), "Append v6")
	sv, snap, es, err = s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 6 || !bytes.Equal(snap, big) {
		t.Fatalf("Load snapshot = (%d, %d bytes), want (6, %d bytes)", sv, len(snap), len(big))
	}
	wantEntries(t, es, 7)
	es, err = s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, names(1, 6)...)
}

func testDataRoundTrip(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	var all []byte
	for b := 0; b < 256; b++ {
		if b != '\n' {
			all = append(all, byte(b))
		}
	}
	datas := []string{"", " ", "  two  spaces ", string(all), "é✓ 😀", `{"a":"b c","n":[1,2]}`, "\r\x00\xff"}
	must(t, s.CreateGame(ctx, "g1", "code with spaces ✓", []byte(datas[0]), 0), "CreateGame")
	for i, d := range datas[1:] {
		must(t, s.Append(ctx, "g1", int64(i+2), []byte(d), store.AppendOptions{Snapshot: []byte(d)}), "Append")
	}
	es, err := s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, datas...)
	sv, snap, _, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != int64(len(datas)) || string(snap) != datas[len(datas)-1] {
		t.Fatalf("Load snapshot = (%d, %q)", sv, snap)
	}
	id, err := s.LookupCode(ctx, "code with spaces ✓")
	must(t, err, "LookupCode")
	if id != "g1" {
		t.Fatalf("LookupCode = %q", id)
	}

	// A newline is refused, as an internal error, and nothing is written.
	err = s.Append(ctx, "g1", int64(len(datas)+1), []byte("a\nb"), store.AppendOptions{})
	if err == nil || apperr.ErrorCode(err) != apperr.EInternal {
		t.Fatalf("Append of data with a newline: got %v, want an internal error", err)
	}
	err = s.CreateGame(ctx, "g2", "C2", []byte("a\nb"), 0)
	if err == nil || apperr.ErrorCode(err) != apperr.EInternal {
		t.Fatalf("CreateGame with a newline: got %v, want an internal error", err)
	}
	es, err = s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, datas...)
	_, _, _, err = s.Load(ctx, "g2")
	wantCode(t, err, apperr.ENotFound, "Load of a refused game")
	_, err = s.LookupCode(ctx, "C2")
	wantCode(t, err, apperr.ENotFound, "LookupCode of a refused game's code")
}

func testConcurrentAppenders(t *testing.T, env Env) {
	a, ctx := env.Store, ctxFor(t)
	b := env.Peer(t)
	create(t, a, "g1", "C1", 1)
	const writers = 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload := fmt.Appendf(nil, "writer %d", w)
			v := int64(2)
			for {
				err := s.Append(ctx, "g1", v, payload, store.AppendOptions{TTL: time.Hour})
				if err == nil {
					return
				}
				if !apperr.IsCode(err, apperr.EConflict) {
					errs <- err
					return
				}
				// Catch up from the stream and try at the next version.
				es, err := s.Entries(ctx, "g1", v)
				if err != nil {
					errs <- err
					return
				}
				v += int64(len(es))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("appender: %v", err)
	}
	es, err := a.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	if len(es) != writers+1 {
		t.Fatalf("got %d entries, want %d", len(es), writers+1)
	}
	seen := map[string]bool{}
	for i, e := range es {
		if e.Version != int64(i+1) {
			t.Fatalf("entry %d has version %d", i, e.Version)
		}
		if i > 0 {
			if seen[string(e.Data)] {
				t.Fatalf("payload %q stored twice", e.Data)
			}
			seen[string(e.Data)] = true
		}
	}
	for w := 0; w < writers; w++ {
		if !seen[fmt.Sprintf("writer %d", w)] {
			t.Fatalf("payload of writer %d missing", w)
		}
	}
}
