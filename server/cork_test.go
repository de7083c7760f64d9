package server

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"devopschallenge/protocol"

	"github.com/gorilla/websocket"
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

// writeNow sends whole frames a WebSocket client reads as the messages
// given, whatever their length; of a frame the socket cannot take at once
// it returns the part not sent, and once that is written the stream is
// still whole. It never waits: not for a socket another goroutine is
// writing to, and it stops for good once a close frame was sent.
func TestWriteNow(t *testing.T) {
	ws, k, c := directSocket(t)
	sizes := []int{0, 1, 125, 126, 300, 65535, 65536, 1 << 20}
	msgs := make([][]byte, len(sizes))
	for i, n := range sizes {
		msgs[i] = bytes.Repeat([]byte{byte('a' + i)}, n)
	}
	last := len(msgs) - 1
	// The client reads every message as it comes, except that it waits
	// for start before reading the last one, so that the socket fills.
	start := make(chan struct{})
	readUpTo, read := readInOrder(ws, msgs, start)
	send := func(i int) (done bool) {
		done, rest := k.writeNow(msgs[i], false)
		switch {
		case done:
		case rest != nil:
			// As the connection's writer does: the rest, whole, first.
			if i == last {
				close(start)
			}
			if err := c.write(outgoing{frame: rest}); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("message %d (%d bytes): nothing written to a socket that was not full", i, len(msgs[i]))
		}
		return done
	}
	for i := range last {
		if !send(i) && len(msgs[i]) < 1000 {
			t.Errorf("a message of %d bytes was not sent at once to an empty socket", len(msgs[i]))
		}
		select {
		case <-readUpTo: // the reader reads in order: message i
		case err := <-read:
			t.Fatalf("the client stopped before message %d: %v", i, err)
		}
	}
	if send(last) {
		t.Error("a 1 MB frame was not cut short by a 16 KB socket buffer that nobody read")
		close(start)
	}
	if err := <-read; err != nil {
		t.Fatal(err)
	}

	// Another goroutine writing (a pong to a client that does not read
	// can take a second): writeNow does not wait for it.
	k.mu.Lock()
	done, rest := k.writeNow([]byte("x"), false)
	k.mu.Unlock()
	if done || rest != nil {
		t.Error("writeNow wrote while another goroutine held the socket")
	}
	// Once a close frame is on its way, no data frame may follow.
	k.stopDirect()
	if done, rest := k.writeNow([]byte("x"), false); done || rest != nil {
		t.Error("writeNow wrote after the close frame")
	}
}

// directSocket opens a WebSocket to a test server and returns the client's
// end, the server's corked connection (with a 16 KB send buffer) and a
// conn to write through it.
func directSocket(t *testing.T) (*websocket.Conn, *corkConn, *conn) {
	got := make(chan *corkConn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &corkingWriter{ResponseWriter: w, hj: w.(http.Hijacker)}
		if _, err := upgrader.Upgrade(cw, r, nil); err != nil {
			t.Error(err)
			return
		}
		got <- cw.conn
	}))
	t.Cleanup(srv.Close)
	d := websocket.Dialer{ReadBufferSize: 1024, Subprotocols: []string{protocol.Subprotocol}}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	k := <-got
	if k.raw == nil {
		t.Fatal("the TCP socket under the WebSocket was not kept for direct writes")
	}
	k.Conn.(*net.TCPConn).SetWriteBuffer(16 << 10)
	// The WebSocket library leaves the socket's write deadline where its
	// last frame put it: a pong's, one second after it, may be long
	// gone. Neither path may depend on it.
	k.SetWriteDeadline(time.Now().Add(-time.Second))
	// (The writer set its deadline a moment ago, so it will not set it again.)
	c := &conn{srv: &Server{cfg: Config{WriteWait: writeWait}}, cork: k, deadlineSet: time.Now()}

	return ws, k, c
}

// readInOrder reads msgs from ws, each checked, waiting for start before
// the last one; it reports each index read, then nil (or the first error)
// on read.
func readInOrder(ws *websocket.Conn, msgs [][]byte, start <-chan struct{}) (readUpTo <-chan int, read <-chan error) {
	done := make(chan error, 1)
	upTo := make(chan int, len(msgs))
	go func() {
		for i, want := range msgs {
			if i == len(msgs)-1 {
				<-start
			}
			typ, b, err := ws.ReadMessage()
			if err != nil {
				done <- err
				return
			}
			if typ != websocket.TextMessage || !bytes.Equal(b, want) {
				done <- fmt.Errorf("message %d: type %d, %d bytes, want text of %d bytes", i, typ, len(b), len(want))
				return
			}
			upTo <- i
		}
		done <- nil
	}()
	return upTo, done
}

func TestFrameHeader(t *testing.T) {
	for _, c := range []struct {
		n    int
		z    bool
		want []byte
	}{
		{0, false, []byte{0x81, 0}},
		{125, false, []byte{0x81, 125}},
		{126, false, []byte{0x81, 126, 0, 126}},
		{65535, false, []byte{0x81, 126, 0xff, 0xff}},
		{65536, false, []byte{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
		{300, true, []byte{0xc1, 126, 1, 0x2c}}, // RSV1: compressed
	} {
		if got := appendFrameHeader(nil, c.n, c.z); !bytes.Equal(got, c.want) {
			t.Errorf("header of %d bytes: % x, want % x", c.n, got, c.want)
		}
	}
}
