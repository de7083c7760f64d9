package server

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// corkMax is the most bytes a corked connection holds before writing
// them out anyway.
const corkMax = 32 << 10

// corkBuffers lends corked connections their buffer for the time of one
// burst: an idle connection holds none.
var corkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// corkConn is the network connection under a WebSocket. While corked, the
// frames written to it are gathered and leave in one system call when the
// writer uncorks it: a writer that finds several messages queued sends
// them together. Writing to the socket is most of a server's CPU under
// load, and each call costs about the same whatever its size.
//
// Invariant: buf is nil unless corked; mu guards both, and is held during
// the writes to the socket so that bytes leave in the order written (the
// WebSocket library may write a control frame from another goroutine).
type corkConn struct {
	net.Conn
	mu     sync.Mutex
	corked bool
	buf    *[]byte
}

// Write implements net.Conn.
func (k *corkConn) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.corked {
		return k.Conn.Write(p)
	}
	*k.buf = append(*k.buf, p...)
	if len(*k.buf) >= corkMax {
		if err := k.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// cork starts gathering writes.
func (k *corkConn) cork() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.corked {
		k.corked = true
		k.buf = corkBuffers.Get().(*[]byte)
	}
}

// uncork writes what was gathered and stops gathering.
func (k *corkConn) uncork() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.corked {
		return nil
	}
	err := k.flushLocked()
	k.corked = false
	if cap(*k.buf) <= 4*corkMax {
		*k.buf = (*k.buf)[:0]
		corkBuffers.Put(k.buf)
	}
	k.buf = nil
	return err
}

func (k *corkConn) flushLocked() error {
	if len(*k.buf) == 0 {
		return nil
	}
	_, err := k.Conn.Write(*k.buf)
	*k.buf = (*k.buf)[:0]
	return err
}

// corkingWriter hands the WebSocket upgrader a corkConn when it takes the
// connection over.
type corkingWriter struct {
	http.ResponseWriter
	hj   http.Hijacker
	conn *corkConn
}

// Hijack implements http.Hijacker.
func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := w.hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: c}
	return w.conn, rw, nil
}
