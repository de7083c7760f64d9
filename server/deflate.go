package server

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/live"
)

// Compression of WebSocket messages (permessage-deflate, RFC 7692). The
// WebSocket library negotiates it (in its "no context takeover" form: each
// message is compressed on its own) and inflates what clients send; the
// server compresses what it sends itself, once per message however many
// connections it goes to, and only messages long enough to gain from it:
// a snapshot or a sprint's results shrink five to ten times, a vote's
// update would not pay for the work.

const (
	// wsDeflate makes the server offer permessage-deflate to clients that
	// ask for it (browsers do, and the Go client).
	wsDeflate = true
	// deflateMin is the shortest message sent compressed.
	deflateMin = 1024
	// deflateLevel trades CPU for bytes. Each message is compressed once
	// for all the connections of an audience, and only long ones are:
	// the best compression costs little.
	deflateLevel = flate.BestCompression
)

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, deflateLevel)
	return w
}}

// deflate compresses a message as one permessage-deflate payload (the
// final empty block's 00 00 ff ff tail left out), or returns nil when
// that does not make it smaller.
func deflate(data []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(data) / 4)
	w := flateWriters.Get().(*flate.Writer)
	w.Reset(&buf)
	w.Write(data)
	w.Flush()
	flateWriters.Put(w)
	out := bytes.TrimSuffix(buf.Bytes(), []byte{0, 0, 0xff, 0xff})
	if len(out) >= len(data) {
		return nil
	}
	return out
}

// payload returns what goes on the wire for a connection: the compressed
// payload (compressed reports true) when the connection negotiated
// compression and the message gains from it, else the message itself.
func payload(m *live.Message, compress bool) (data []byte, compressed bool) {
	if !compress || len(m.Data) < deflateMin {
		return m.Data, false
	}
	if z := m.Compressed(deflate); z != nil {
		return z, true
	}
	return m.Data, false
}

// useDeflate sets a new connection up: no compression by the library
// itself, which would compress each message again for each connection
// (the server does it once, see payload). Whether the connection
// negotiated compression is read from the handshake (corkConn.deflate).
func (c *conn) useDeflate() {
	c.ws.EnableWriteCompression(false)
}

// writeData writes a data message (from the writer goroutine).
func (c *conn) writeData(m *live.Message) error {
	data, compressed := payload(m, c.cork.deflate)
	if !compressed {
		return c.ws.WriteMessage(websocket.TextMessage, data)
	}
	// A compressed frame is written as is, like the rest of a frame
	// writeNow began, under the socket's own deadline.
	bp := frameBuffers.Get().(*[]byte)
	frame := append(appendFrameHeader((*bp)[:0], len(data), true), data...)
	c.cork.SetWriteDeadline(time.Now().Add(writeWait))
	_, err := c.cork.Write(frame)
	if cap(frame) <= 64<<10 {
		*bp = frame[:0]
		frameBuffers.Put(bp)
	}
	return err
}

// errTooLarge is a client message over maxMessageSize once inflated.
var errTooLarge = errors.New("message too large once inflated")

// readMessage reads a client's message; the library bounds what arrives
// on the wire (SetReadLimit), this bounds it once inflated, so that a few
// kilobytes of compressed zeros cannot make megabytes. Too large, the
// connection closes with 1009 as for a message too large on the wire.
func (c *conn) readMessage() (int, []byte, error) {
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return typ, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, maxMessageSize+1))
	if err != nil {
		return typ, nil, err
	}
	if len(data) > maxMessageSize {
		c.cork.stopDirect()
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseMessageTooBig, ""), time.Now().Add(time.Second))
		return typ, nil, errTooLarge
	}
	return typ, data, nil
}
