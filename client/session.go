package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

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

// Frame is a message from the server with its documents left encoded.
type Frame struct {
	Type    string                     `json:"type"`
	Version int64                      `json:"version"`
	Now     int64                      `json:"now"`
	You     *protocol.You              `json:"you"`
	Docs    map[string]json.RawMessage `json:"docs"`
	ID      string                     `json:"id"`
	Result  map[string]any             `json:"result"`
	Code    string                     `json:"code"`
	Message string                     `json:"message"`
	// MessageFR is the French error message.
	MessageFR string `json:"messageFr"`
	// Raw is the whole message as received.
	Raw []byte `json:"-"`
}

// frameHead is a Frame without its documents.
type frameHead struct {
	Type      string         `json:"type"`
	Version   int64          `json:"version"`
	Now       int64          `json:"now"`
	You       *protocol.You  `json:"you"`
	ID        string         `json:"id"`
	Result    map[string]any `json:"result"`
	Code      string         `json:"code"`
	Message   string         `json:"message"`
	MessageFR string         `json:"messageFr"`
}

// scanHead fills f from a message without decoding its documents: a
// single pass over the top-level object, strings without escapes and
// integers read directly, result and you decoded with encoding/json, docs
// only skipped. It reports false (f unspecified) for anything it does not
// handle, and the caller then decodes the message the ordinary way.
func scanHead(b []byte, f *Frame) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		key, j, ok := plainString(b, i)
		if !ok {
			return false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		end, ok := skipValue(b, i)
		if !ok {
			return false
		}
		val := bytes.TrimRight(b[i:end], " \t\n\r")
		switch key {
		case "type", "id", "code", "message", "messageFr":
			v, k, ok := plainString(b, i)
			if !ok || k != i+len(val) {
				return false
			}
			switch key {
			case "type":
				f.Type = v
			case "id":
				f.ID = v
			case "code":
				f.Code = v
			case "message":
				f.Message = v
			default:
				f.MessageFR = v
			}
		case "version", "now":
			n, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil {
				return false
			}
			if key == "version" {
				f.Version = n
			} else {
				f.Now = n
			}
		case "result":
			if err := json.Unmarshal(val, &f.Result); err != nil {
				return false
			}
		case "you":
			if err := json.Unmarshal(val, &f.You); err != nil {
				return false
			}
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			return skipSpace(b, i+1) == len(b)
		}
		if b[i] != ',' {
			return false
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string without escapes starting at b[i] and
// returns it and the index after its closing quote.
func plainString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return string(b[i+1 : j]), j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// skipValue returns the index after the JSON value starting at b[i]. It
// checks the nesting of brackets and the ends of strings, not the rest of
// the grammar (the server's messages are valid JSON; a malformed one makes
// the caller decode it properly, which reports the error).
func skipValue(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return 0, false
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i, true
			}
			i++
		default:
			i++
		}
		if depth == 0 && i < len(b) && (b[i] == ',' || b[i] == '}' || b[i] == ']') {
			return i, true
		}
	}
	if depth == 0 {
		return i, true
	}
	return 0, false
}

// receive decodes a message, calls the hooks and returns the frame.
func (s *Session) receive(raw []byte) (*Frame, error) {
	f := &Frame{Raw: raw}
	if s.opt.IgnoreDocs {
		if !scanHead(raw, f) {
			var h frameHead
			if err := json.Unmarshal(raw, &h); err != nil {
				return nil, err
			}
			*f = Frame{Type: h.Type, Version: h.Version, Now: h.Now, You: h.You, ID: h.ID, Result: h.Result,
				Code: h.Code, Message: h.Message, MessageFR: h.MessageFR, Raw: raw}
		}
	} else if err := json.Unmarshal(raw, f); err != nil {
		return nil, err
	}
	if s.opt.OnFrame != nil {
		s.opt.OnFrame(f)
	}
	if s.opt.OnMessage != nil {
		var out protocol.Out
		if err := json.Unmarshal(raw, &out); err == nil {
			s.opt.OnMessage(&out, raw)
		}
	}
	return f, nil
}

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

func wsURL(base, gameID string) string {
	base = strings.TrimRight(base, "/")
	switch {
	case strings.HasPrefix(base, "https://"):
		base = "wss://" + strings.TrimPrefix(base, "https://")
	case strings.HasPrefix(base, "http://"):
		base = "ws://" + strings.TrimPrefix(base, "http://")
	}
	if gameID != "" {
		return base + "/ws?game=" + url.QueryEscape(gameID)
	}
	return base + "/ws"
}

// dial connects to the current URL, says hello and waits for the answer.
func (s *Session) dial(ctx context.Context) error {
	s.mu.Lock()
	url := s.opt.URLs[s.urlIdx%len(s.opt.URLs)]
	version := s.version
	s.mu.Unlock()
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Subprotocols: []string{protocol.Subprotocol}, EnableCompression: s.opt.Compression}
	if n := s.opt.RecvBuffer; n > 0 {
		d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			var nd net.Dialer
			c, err := nd.DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				err = tc.SetReadBuffer(n)
			}
			return c, err
		}
	}
	ws, _, err := d.DialContext(ctx, wsURL(url, s.opt.GameID), s.opt.Header)
	if err != nil {
		return err
	}
	hello, _ := json.Marshal(protocol.In{Type: protocol.TypeHello, Token: s.opt.Token, Version: version})
	ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	s.wmu.Lock()
	err = ws.WriteMessage(websocket.TextMessage, hello)
	s.wmu.Unlock()
	if err != nil {
		ws.Close()
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		ws.SetReadDeadline(dl)
	} else {
		ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	}
	_, raw, err := ws.ReadMessage()
	if err != nil {
		ws.Close()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return fmt.Errorf("client: connection refused: %d %s", ce.Code, ce.Text)
		}
		return err
	}
	ws.SetReadDeadline(time.Time{})
	out, err := s.receive(raw)
	if err != nil {
		ws.Close()
		return err
	}
	if out.Type == protocol.TypeError {
		ws.Close()
		e := &apperr.Error{Code: out.Code, Message: out.Message, MessageFR: out.MessageFR}
		if out.Code == apperr.EUnauthorized || out.Code == apperr.ENotFound {
			s.mu.Lock()
			s.fatal = e
			s.mu.Unlock()
		}
		return e
	}
	ws.SetPingHandler(func(data string) error {
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
	})
	s.mu.Lock()
	s.ws = ws
	s.online = true
	s.sessions++
	s.apply(out)
	// Resend what was never answered: the server applies a command ID once.
	var resend [][]byte
	ids := make([]string, 0, len(s.pending))
	for id := range s.pending {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		resend = append(resend, s.pending[id].msg)
	}
	s.mu.Unlock()
	for _, m := range resend {
		s.write(m)
	}
	go s.read(ws)
	return nil
}

// read receives messages until the connection ends, then reconnects if
// asked to.
func (s *Session) read(ws *websocket.Conn) {
	for {
		_, raw, err := ws.ReadMessage()
		if err != nil {
			s.lost(ws, err)
			return
		}
		out, err := s.receive(raw)
		if err != nil {
			continue
		}
		s.mu.Lock()
		s.apply(out)
		s.mu.Unlock()
	}
}

// apply folds one message into the session. Called with s.mu held.
// Documents are kept as the server encoded them (Docs normalises them).
func (s *Session) apply(out *Frame) {
	switch out.Type {
	case protocol.TypeSnapshot:
		s.docs = make(map[string]json.RawMessage, len(out.Docs))
		for k, v := range out.Docs {
			if !isNull(v) {
				s.docs[k] = v
			}
		}
		s.version = out.Version
		if out.You != nil {
			s.you = *out.You
		}
	case protocol.TypeUpdate:
		if out.Version <= s.version && len(out.Docs) > 0 {
			return // already seen
		}
		for k, v := range out.Docs {
			if isNull(v) {
				delete(s.docs, k)
			} else {
				s.docs[k] = v
			}
		}
		s.version = max(s.version, out.Version)
	case protocol.TypeAck, protocol.TypeError:
		if p, ok := s.pending[out.ID]; ok && out.ID != "" {
			delete(s.pending, out.ID)
			p.done <- protocol.Out{Type: out.Type, ID: out.ID, Version: out.Version, Result: out.Result,
				Code: out.Code, Message: out.Message, MessageFR: out.MessageFR}
		}
		if out.Type == protocol.TypeError && out.ID == "" && (out.Code == apperr.EUnauthorized) {
			s.fatal = &apperr.Error{Code: out.Code, Message: out.Message, MessageFR: out.MessageFR}
		}
	}
	s.notify()
}

// notify wakes the waiters of Wait. Called with s.mu held.
func (s *Session) notify() {
	if s.watched {
		close(s.changed)
		s.changed = make(chan struct{})
		s.watched = false
	}
}

// lost handles the end of a connection.
func (s *Session) lost(ws *websocket.Conn, err error) {
	ws.Close()
	var ce *websocket.CloseError
	s.mu.Lock()
	if s.ws == ws {
		s.online = false
	}
	if errors.As(err, &ce) && (ce.Code == protocol.CloseRevoked || ce.Code == protocol.CloseBadHello) && s.fatal == nil {
		s.fatal = fmt.Errorf("client: the server closed the session: %s", ce.Text)
	}
	stop := s.closed || s.fatal != nil || !s.opt.Reconnect
	s.urlIdx++
	s.notify()
	s.mu.Unlock()
	if stop {
		return
	}
	go s.reconnect()
}

// reconnect retries with exponential backoff and jitter until it succeeds,
// the session is closed or the token is refused.
func (s *Session) reconnect() {
	backoff := 50 * time.Millisecond
	for {
		s.mu.Lock()
		stop := s.closed || s.fatal != nil
		s.mu.Unlock()
		if stop {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.dial(ctx)
		cancel()
		if err == nil {
			return
		}
		s.mu.Lock()
		s.urlIdx++
		s.mu.Unlock()
		time.Sleep(backoff/2 + rand.N(backoff/2+1))
		backoff = min(backoff*2, 3*time.Second)
	}
}

func (s *Session) write(msg []byte) error {
	s.mu.Lock()
	ws, online := s.ws, s.online
	s.mu.Unlock()
	if !online {
		return nil // sent again after reconnecting
	}
	// gorilla allows one concurrent writer; the session serialises writes.
	s.wmu.Lock()
	defer s.wmu.Unlock()
	ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return ws.WriteMessage(websocket.TextMessage, msg)
}

// NewID returns a fresh command ID for this session.
func (s *Session) NewID() string { return "c" + strconv.FormatInt(s.seq.Add(1), 10) }

// Do sends a command and waits for its acknowledgement; a refusal comes
// back as a *apperr.Error.
func (s *Session) Do(ctx context.Context, cmd string, args any) (Ack, error) {
	return s.DoID(ctx, s.NewID(), cmd, args)
}

// DoID is Do with a chosen command ID. A command answered unavailable
// (the server's store did not answer) is sent again with the same ID,
// with growing pauses, until it gets another answer or ctx ends (the
// server applies an ID once, so this is safe); then the last unavailable
// error is returned.
func (s *Session) DoID(ctx context.Context, id, cmd string, args any) (Ack, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return Ack{}, err
	}
	msg, _ := json.Marshal(protocol.In{Type: protocol.TypeCmd, ID: id, Cmd: cmd, Args: raw})
	backoff := 100 * time.Millisecond
	for {
		out, err := s.send(ctx, id, msg)
		if err != nil {
			return Ack{}, err
		}
		if out.Type != protocol.TypeError {
			return Ack{Version: out.Version, Result: out.Result}, nil
		}
		e := &apperr.Error{Code: out.Code, Message: out.Message, MessageFR: out.MessageFR}
		if e.Code != apperr.EUnavailable {
			return Ack{}, e
		}
		t := time.NewTimer(backoff/2 + rand.N(backoff/2+1))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return Ack{}, e
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// send sends a command message and waits for its answer (an ack or an
// error).
func (s *Session) send(ctx context.Context, id string, msg []byte) (protocol.Out, error) {
	p := &pending{msg: msg, done: make(chan protocol.Out, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return protocol.Out{}, ErrClosed
	}
	if s.fatal != nil {
		err := s.fatal
		s.mu.Unlock()
		return protocol.Out{}, err
	}
	s.pending[id] = p
	s.mu.Unlock()
	if err := s.write(msg); err != nil && !s.opt.Reconnect {
		s.forget(id)
		return protocol.Out{}, err
	}
	select {
	case out := <-p.done:
		return out, nil
	case <-ctx.Done():
		s.forget(id)
		return protocol.Out{}, ctx.Err()
	}
}

func (s *Session) forget(id string) {
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
}

// Send sends a command without waiting for its answer (the load generator
// watches answers through OnMessage).
func (s *Session) Send(id, cmd string, args any) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	msg, _ := json.Marshal(protocol.In{Type: protocol.TypeCmd, ID: id, Cmd: cmd, Args: raw})
	return s.write(msg)
}

// SendRaw sends any bytes as one text message (for tests of bad input).
func (s *Session) SendRaw(msg []byte) error { return s.write(msg) }

// Version is the game version the session has reached.
func (s *Session) Version() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// You is who the server says this session is.
func (s *Session) You() protocol.You {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.you
}

// Doc decodes the document key into v and reports whether it exists.
func (s *Session) Doc(key string, v any) bool {
	s.mu.Lock()
	raw, ok := s.docs[key]
	s.mu.Unlock()
	if !ok {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

// Keys lists the documents whose key starts with prefix, sorted.
func (s *Session) Keys(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.docs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Docs returns a copy of every document the session holds, each
// normalised as encoding/json encodes it once decoded (object keys sorted).
func (s *Session) Docs() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]json.RawMessage, len(s.docs))
	for k, v := range s.docs {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			out[k] = v
			continue
		}
		out[k], _ = json.Marshal(x)
	}
	return out
}

// isNull reports whether an encoded document is JSON null (absent or no
// longer visible).
func isNull(v json.RawMessage) bool {
	return len(v) == 0 || string(bytes.TrimSpace(v)) == "null"
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

// Wait blocks until cond holds (checked at every change) or ctx ends.
func (s *Session) Wait(ctx context.Context, cond func(*Session) bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.watched = true
		s.mu.Unlock()
		if cond(s) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("client: condition not met: %w", ctx.Err())
		}
	}
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
