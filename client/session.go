package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/protocol"
)

// The session: its options, its state and the locks that guard it, opening
// and closing it. The connection (conn.go), the messages it reads
// (frame.go), the documents it keeps and the waits on them (docs.go) and
// the commands it sends (command.go) are in their own files.
//
// A Session is safe for concurrent use. mu guards its state (the fields
// after it); wmu serialises writes on the connection. The two are never
// held together: write reads the connection under mu, releases it, then
// writes under wmu. One reader goroutine per connection (read) takes mu
// only to apply a message; the Options' hooks and Wait's conditions run
// without any lock held.

// Options configure a Session.
type Options struct {
	// URLs are the server instances ("http://host:port"); the session
	// connects to the first and, after losing a connection, tries them in
	// turn starting with the next one.
	URLs []string
	// Token is the facilitator, projector or player token.
	Token string
	// Reconnect makes the session reconnect by itself after a dropped
	// connection (never after its token was refused).
	Reconnect bool
	// OnMessage, when set, is called for every message received, from the
	// session's reader goroutine, before the session applies it.
	OnMessage func(out *protocol.Out, raw []byte)
	// OnFrame is OnMessage without decoding the documents: it is called
	// likewise (before OnMessage when both are set), with the documents
	// left as the server encoded them. It is much cheaper for a client
	// that only watches versions and acknowledgements (the load
	// generator). The frame is only valid during the call.
	OnFrame func(f *Frame)
	// IgnoreDocs makes the session skip the documents: it keeps none (Doc,
	// Keys and Docs find nothing) and frames come without them. For
	// clients that only watch versions and answers (the load generator).
	IgnoreDocs bool
	// RecvBuffer, when positive, sets the socket's receive buffer: a
	// client that stops reading then fills the server's buffers in seconds
	// (tests of slow clients).
	RecvBuffer int
	// Header is sent with the WebSocket handshake.
	Header http.Header
	// Compression negotiates permessage-deflate (RFC 7692), as browsers
	// do: the server then sends its longer messages compressed, and the
	// session compresses what it sends.
	Compression bool
	// GameID, when set, is added to the WebSocket URL (/ws?game=ID): a
	// hint for a load balancer in front of several instances, so that it
	// can keep a game's connections on one instance. The server itself
	// goes by the token.
	GameID string
}

// Ack is a server's acknowledgement of a command.
type Ack struct {
	Version int64
	Result  map[string]any
}

// ErrClosed is returned by calls on a closed session.
var ErrClosed = errors.New("client: session closed")

// Session is a WebSocket session with a game. It keeps the documents the
// token may see, applying snapshots and updates in version order.
type Session struct {
	opt Options
	seq atomic.Int64
	wmu sync.Mutex // serialises writes: gorilla allows one writer at a time

	mu       sync.Mutex
	ws       *websocket.Conn
	docs     map[string]json.RawMessage
	version  int64
	you      protocol.You
	pending  map[string]*pending // commands sent and not yet answered
	changed  chan struct{}       // closed at every change someone waits for, then replaced
	watched  bool                // Wait holds changed
	urlIdx   int
	closed   bool
	fatal    error // set when the server refused the token
	online   bool
	sessions int // connections made, for tests of reconnection
}

// pending is a command sent and not yet answered: its message, sent again
// after a reconnection, and where its answer goes.
type pending struct {
	msg  []byte
	done chan protocol.Out
}

// Connect opens a session and waits for the first snapshot.
func Connect(ctx context.Context, opt Options) (*Session, error) {
	if len(opt.URLs) == 0 {
		return nil, errors.New("client: no server URL")
	}
	s := &Session{opt: opt, docs: map[string]json.RawMessage{}, pending: map[string]*pending{}, changed: make(chan struct{})}
	if err := s.dial(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Online reports whether the session is connected now.
func (s *Session) Online() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.online
}

// Connections counts the connections the session made (1 plus its
// reconnections).
func (s *Session) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Err returns why the server refused the session, if it did.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fatal
}

// Drop closes the network connection abruptly, as a lost network would;
// with Reconnect the session comes back by itself.
func (s *Session) Drop() {
	s.mu.Lock()
	ws := s.ws
	s.mu.Unlock()
	if ws != nil {
		ws.UnderlyingConn().Close()
	}
}

// Close ends the session.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ws := s.ws
	s.mu.Unlock()
	if ws == nil {
		return nil
	}
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	return ws.Close()
}
