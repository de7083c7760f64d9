package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// A connection that never says hello is closed once helloWait is over,
// however faithfully it answers the server's pings.
func TestNoHelloIsClosedWhateverThePongs(t *testing.T) {
	in := startServer(t, embeddedStore(t, t.TempDir()))
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(in.url, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	// The library's own ping handler answers every ping with a pong.
	start := time.Now()
	ws.SetReadDeadline(time.Now().Add(3 * helloWait))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			break
		}
	}
	if d := time.Since(start); d > helloWait+pingPeriod {
		t.Errorf("a connection without hello stayed open %s (helloWait %s)", d.Round(100*time.Millisecond), helloWait)
	}
}

// One token opens at most maxConnsPerToken connections at once; the next
// is refused with a sentence, and a place freed is taken again.
func TestConnectionsPerToken(t *testing.T) {
	in := startServer(t, embeddedStore(t, t.TempDir()))
	g := newGame(t, in, protocol.CreateGameRequest{Title: "Tabs"})
	j, err := in.http.Join(ctxT(t), g.Code, "tabs", "")
	if err != nil {
		t.Fatal(err)
	}
	// hello opens a connection with the token and returns it with its
	// first answer (a snapshot, or an error).
	hello := func() (*websocket.Conn, protocol.Out) {
		t.Helper()
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(in.url, "http")+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		if err := ws.WriteJSON(protocol.In{Type: protocol.TypeHello, Token: j.PlayerToken}); err != nil {
			t.Fatal(err)
		}
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no answer to the hello: %v", err)
		}
		var out protocol.Out
		json.Unmarshal(data, &out)
		return ws, out
	}
	var open []*websocket.Conn
	for i := 0; i < maxConnsPerToken; i++ {
		ws, out := hello()
		if out.Type != protocol.TypeSnapshot {
			t.Fatalf("connection %d: %s %s %s; want a snapshot", i+1, out.Type, out.Code, out.Message)
		}
		open = append(open, ws)
	}
	_, out := hello()
	if out.Type != protocol.TypeError || out.Code != apperr.ERateLimited || !strings.Contains(out.Message, "too many tabs") || out.MessageFR == "" {
		t.Fatalf("connection %d with one token: %s %s %q; want rate_limited with a sentence", maxConnsPerToken+1, out.Type, out.Code, out.Message)
	}
	// A tab closes: its place is free again (the server notices the close
	// asynchronously, hence the retries).
	open[0].Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, out := hello()
		if out.Type == protocol.TypeSnapshot {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed connection's place was not freed: %s %s", out.Type, out.Message)
		}
	}
}
