package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/game"
	"devopschallenge/protocol"
)

// TestHeartbeat checks both ends of a dead connection: a browser's ping
// message gets a pong (its page can tell a dead socket), and a client
// that stops answering the server's pings (a phone whose Wi-Fi dropped)
// is dropped within pongWait, so that the console stops listing the
// player as online.
func TestHeartbeat(t *testing.T) {
	in := startServer(t, embeddedStore(t, t.TempDir()))
	g := newGame(t, in, protocol.CreateGameRequest{Title: "Heartbeat"})
	fac := connect(t, g.FacilitatorToken, true, in.url)
	j, err := in.http.Join(ctxT(t), g.Code, "wifi", "")
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(in.url, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	// The connection answers nothing: no pong to the server's pings.
	ws.SetPingHandler(func(string) error { return nil })
	if err := ws.WriteJSON(protocol.In{Type: protocol.TypeHello, Token: j.PlayerToken}); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for pong := false; !pong; {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no pong to a ping: %v", err)
		}
		var out protocol.Out
		json.Unmarshal(data, &out)
		pong = out.Type == protocol.TypePong && out.Now > 0
	}
	key := "player/" + j.PlayerID
	waitDoc(t, fac, key, func(p game.PlayerDoc) bool { return p.Connected })
	start := time.Now()
	// Keep reading (pings go unanswered) until the server gives up.
	go func() {
		ws.SetReadDeadline(time.Now().Add(3 * pongWait))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	waitDoc(t, fac, key, func(p game.PlayerDoc) bool { return !p.Connected })
	t.Logf("silent client listed offline after %s (pongWait %s)", time.Since(start).Round(100*time.Millisecond), pongWait)
}
