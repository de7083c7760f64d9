package server

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"testing"
)

// recordConn is a net.Conn that records each Write call.
type recordConn struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
}

func (r *recordConn) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func (r *recordConn) calls() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.writes
}

// Corked writes leave together, in order, when uncorked; uncorked writes
// go straight through; a large burst is written out before it passes
// corkMax.
func TestCorkConn(t *testing.T) {
	rec := &recordConn{}
	k := &corkConn{Conn: rec}
	k.Write([]byte("a"))
	if got := rec.calls(); len(got) != 1 || string(got[0]) != "a" {
		t.Fatalf("an uncorked write gave %q", got)
	}
	k.cork()
	k.Write([]byte("b"))
	k.Write([]byte("c"))
	if got := rec.calls(); len(got) != 1 {
		t.Fatalf("corked writes reached the socket early: %q", got)
	}
	if err := k.uncork(); err != nil {
		t.Fatal(err)
	}
	if got := rec.calls(); len(got) != 2 || string(got[1]) != "bc" {
		t.Fatalf("after uncork the socket got %q, want a then bc", got)
	}
	if k.buf != nil {
		t.Fatal("an uncorked connection still holds a buffer")
	}
	if err := k.uncork(); err != nil || len(rec.calls()) != 2 {
		t.Fatal("a second uncork wrote again")
	}

	k.cork()
	big := strings.Repeat("x", corkMax/3+1)
	for range 3 {
		k.Write([]byte(big))
	}
	if got := rec.calls(); len(got) != 3 || len(got[2]) != 3*len(big) {
		t.Fatalf("a burst past corkMax was not written out (%d calls)", len(got))
	}
	k.Write([]byte("end"))
	k.uncork()
	if got := rec.calls(); len(got) != 4 || string(got[3]) != "end" {
		t.Fatalf("the rest of the burst: %d calls", len(got))
	}
}
