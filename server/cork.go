package server

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"net"
	"net/http"
	"sync"
	"syscall"
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
	raw    syscall.RawConn // the TCP socket, for writeNow; nil for others
	mu     sync.Mutex
	corked bool
	buf    *[]byte
	// noDirect stops writeNow for good: a write failed (a frame may have
	// been cut short) or a close frame was sent. Guarded by mu.
	noDirect bool
	// deflate is set when the handshake (the first write) agreed on
	// permessage-deflate; read once the upgrade is done.
	deflate, greeted bool
}

// deflateAgreed is how the WebSocket library's handshake answer says it
// agreed on compression.
var deflateAgreed = []byte("\r\nSec-WebSocket-Extensions: permessage-deflate")

// Write implements net.Conn.
func (k *corkConn) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.greeted {
		k.greeted = true
		k.deflate = bytes.Contains(p, deflateAgreed)
	}
	if !k.corked {
		n, err := k.Conn.Write(p)
		if err != nil {
			k.noDirect = true
		}
		return n, err
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
	if err != nil {
		k.noDirect = true
	}
	return err
}

// stopDirect stops writeNow for good; called before a close frame is
// sent, after which no data frame may follow.
func (k *corkConn) stopDirect() {
	k.mu.Lock()
	k.noDirect = true
	k.mu.Unlock()
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
	if tc, ok := c.(*net.TCPConn); ok {
		if raw, err := tc.SyscallConn(); err == nil {
			w.conn.raw = raw
		}
	}
	return w.conn, rw, nil
}

// frameBuffers lends writeNow the buffer it frames a message in.
var frameBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeNow tries to send data as one unfragmented WebSocket text frame
// (its payload compressed or not)
// (server frames are not masked) without waiting: one non-blocking system
// call, made by the caller rather than by a writer goroutine. It never
// waits, not even for mu: when another goroutine is writing (the read
// pump answering a ping can block on a full socket for a second), it
// gives up. It reports done when the whole frame left; rest, when the
// socket took only the start of the frame, is the end of it, which the
// caller must write next, before any other frame; neither means nothing
// was written (the socket was busy or full, a write failed before, a close
// frame was sent, or it is not a TCP socket).
//
// The caller must make sure that no message is being written through the
// WebSocket library meanwhile (its frames may take two writes); mu keeps
// the library's control frames, written from the read pump, whole.
func (k *corkConn) writeNow(data []byte, compressed bool) (done bool, rest []byte) {
	if k.raw == nil || !k.mu.TryLock() {
		return false, nil
	}
	defer k.mu.Unlock()
	if k.corked || k.noDirect {
		return false, nil
	}
	bp := frameBuffers.Get().(*[]byte)
	frame := append(appendFrameHeader((*bp)[:0], len(data), compressed), data...)
	// Control, not Write: a RawConn's Write first checks the socket's
	// write deadline, which the WebSocket library moves at each frame it
	// writes (a pong gets one second), and this write never waits anyway.
	// Writes to the socket are serialised by mu.
	n := 0
	var werr error
	err := k.raw.Control(func(fd uintptr) {
		n, werr = syscall.Write(int(fd), frame)
	})
	switch {
	case err != nil || (werr != nil && werr != syscall.EAGAIN && werr != syscall.EINTR):
		k.noDirect = true // closed or broken: the writer will find out
	case n == len(frame):
		done = true
	case n > 0:
		rest = append([]byte(nil), frame[n:]...) // frame goes back to the pool
	}
	if cap(frame) <= 64<<10 {
		*bp = frame[:0]
		frameBuffers.Put(bp)
	}
	return done, rest
}

// appendFrameHeader appends the header of an unmasked final text frame
// whose payload is n bytes long (RFC 6455, section 5.2), marked as
// compressed (RSV1, RFC 7692) or not.
func appendFrameHeader(b []byte, n int, compressed bool) []byte {
	finText := byte(0x81)
	if compressed {
		finText |= 0x40
	}
	switch {
	case n < 126:
		return append(b, finText, byte(n))
	case n <= 0xffff:
		return append(b, finText, 126, byte(n>>8), byte(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, finText, 127), uint64(n))
	}
}
