package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// The connection: dialling an instance and saying hello, reading messages
// until the connection ends, reconnecting with backoff (to the next URL)
// and writing a message.

// wsURL is the WebSocket address of a server's base URL.
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

// dial connects to the current URL, says hello and waits for the answer;
// then it installs the connection, resends the commands still unanswered
// and starts the reader.
func (s *Session) dial(ctx context.Context) error {
	s.mu.Lock()
	url := s.opt.URLs[s.urlIdx%len(s.opt.URLs)]
	version := s.version
	s.mu.Unlock()
	d := s.dialer()
	ws, _, err := d.DialContext(ctx, wsURL(url, s.opt.GameID), s.opt.Header)
	if err != nil {
		return err
	}
	out, err := s.hello(ctx, ws, version)
	if err != nil {
		ws.Close()
		return err
	}
	ws.SetPingHandler(func(data string) error {
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
	})
	s.mu.Lock()
	s.ws = ws
	s.online = true
	s.sessions++
	s.apply(out)
	resend := s.unansweredLocked()
	s.mu.Unlock()
	for _, m := range resend {
		s.write(m)
	}
	go s.read(ws)
	return nil
}

// dialer is the WebSocket dialer the Options ask for.
func (s *Session) dialer() websocket.Dialer {
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
	return d
}

// hello sends the hello message on a new connection (resuming from
// version) and returns the server's first answer, the snapshot. A refusal
// is returned as a *apperr.Error, and remembered as fatal when the token
// or the game is unknown. The caller closes ws on error.
func (s *Session) hello(ctx context.Context, ws *websocket.Conn, version int64) (*Frame, error) {
	hello, _ := json.Marshal(protocol.In{Type: protocol.TypeHello, Token: s.opt.Token, Version: version})
	ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	s.wmu.Lock()
	err := ws.WriteMessage(websocket.TextMessage, hello)
	s.wmu.Unlock()
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		ws.SetReadDeadline(dl)
	} else {
		ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	}
	_, raw, err := ws.ReadMessage()
	if err != nil {
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("client: connection refused: %d %s", ce.Code, ce.Text)
		}
		return nil, err
	}
	ws.SetReadDeadline(time.Time{})
	out, err := s.receive(raw)
	if err != nil {
		return nil, err
	}
	if out.Type == protocol.TypeError {
		e := &apperr.Error{Code: out.Code, Message: out.Message, MessageFR: out.MessageFR}
		if out.Code == apperr.EUnauthorized || out.Code == apperr.ENotFound {
			s.mu.Lock()
			s.fatal = e
			s.mu.Unlock()
		}
		return nil, e
	}
	return out, nil
}

// unansweredLocked returns the commands sent and never answered, in ID
// order, to send again on a new connection: the server applies a command
// ID once. Called with s.mu held.
func (s *Session) unansweredLocked() [][]byte {
	var resend [][]byte
	ids := make([]string, 0, len(s.pending))
	for id := range s.pending {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		resend = append(resend, s.pending[id].msg)
	}
	return resend
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
