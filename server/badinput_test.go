package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

func TestHTTPBadInput(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{})
	other := newGame(t, in, protocol.CreateGameRequest{})
	post := func(path, body string) (int, protocol.ErrorResponse) {
		resp, err := http.Post(in.url+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e protocol.ErrorResponse
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e
	}
	cases := []struct {
		name, path, body string
		status           int
		code, want       string
	}{
		{"malformed JSON", "/api/games", `{"title":`, 400, apperr.EInvalid, "not valid JSON"},
		{"unknown field", "/api/games", `{"titel":"x"}`, 400, apperr.EInvalid, "Unknown field"},
		{"two objects", "/api/games", `{} {}`, 400, apperr.EInvalid, "single JSON object"},
		{"wrong type", "/api/games", `{"companies":"two"}`, 400, apperr.EInvalid, "wrong type"},
		{"too many companies", "/api/games", `{"companies":99}`, 400, apperr.EInvalid, "companies"},
		{"bad agenda", "/api/games", `{"agenda":[{"kind":"lobby"},{"kind":"party"}]}`, 400, apperr.EInvalid, "unknown kind"},
		{"agenda not a list", "/api/games", `{"agenda":{"kind":"wall"}}`, 400, apperr.EInvalid, "list of phases"},
		{"short code", "/api/games/join", `{"code":"AB","nickname":"x"}`, 400, apperr.EInvalid, "6 letters"},
		{"unknown code", "/api/games/join", `{"code":"ZZZZZZ","nickname":"x"}`, 404, apperr.ENotFound, "No game has the code ZZZZZZ"},
		{"empty nickname", "/api/games/join", fmt.Sprintf(`{"code":%q,"nickname":" "}`, g.Code), 400, apperr.EInvalid, "must not be empty"},
		{"long nickname", "/api/games/join", fmt.Sprintf(`{"code":%q,"nickname":%q}`, g.Code, strings.Repeat("n", 40)), 400, apperr.EInvalid, "too long"},
		{"control chars", "/api/games/join", fmt.Sprintf(`{"code":%q,"nickname":"a\u0000b"}`, g.Code), 400, apperr.EInvalid, "control character"},
		{"bad team", "/api/games/join", fmt.Sprintf(`{"code":%q,"nickname":"a","team":"boss"}`, g.Code), 400, apperr.EInvalid, "Unknown team"},
		{"huge body", "/api/games", `{"title":"` + strings.Repeat("x", 100_000) + `"}`, 413, apperr.EInvalid, "too large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, e := post(c.path, c.body)
			if status != c.status || e.Code != c.code || !strings.Contains(e.Message, c.want) || e.MessageFR == "" {
				t.Fatalf("got %d %+v; want %d %s containing %q", status, e, c.status, c.code, c.want)
			}
		})
	}
	checkSnapshotTokens(t, in, g, other)
	// Nothing above changed the game: still no player.
	snap, err := in.http.Snapshot(ctxT(t), g.GameID, g.FacilitatorToken)
	if err != nil {
		t.Fatal(err)
	}
	for k := range snap.Docs {
		if strings.HasPrefix(k, "player/") {
			t.Fatalf("a refused request added %s", k)
		}
	}
	if snap.Version != 1 {
		t.Fatalf("refused requests moved the version to %d", snap.Version)
	}
}

// checkSnapshotTokens asks for game g's snapshot with tokens of every
// kind, good and bad (other is another game).
func checkSnapshotTokens(t *testing.T, in *instance, g, other protocol.CreateGameResponse) {
	t.Helper()
	get := func(id, auth string) (int, string) {
		req, _ := http.NewRequest("GET", in.url+"/api/games/"+id, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e protocol.ErrorResponse
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Code
	}
	for _, c := range []struct {
		name, id, auth string
		status         int
	}{
		{"no token", g.GameID, "", 401},
		{"garbage token", g.GameID, "Bearer nonsense", 401},
		{"wrong secret", g.GameID, "Bearer " + g.GameID + "." + strings.Repeat("A", 43), 401},
		{"other game's token", g.GameID, "Bearer " + other.FacilitatorToken, 403},
		{"unknown game", "no-such-game", "Bearer no-such-game." + strings.Repeat("A", 43), 404},
		{"good token", g.GameID, "Bearer " + g.FacilitatorToken, 200},
	} {
		if status, code := get(c.id, c.auth); status != c.status {
			t.Errorf("%s: got %d %s, want %d", c.name, status, code, c.status)
		}
	}
}

// rawWS opens a bare WebSocket to the server.
func rawWS(t *testing.T, in *instance) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(in.url, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// readOut reads messages until one of the given type arrives.
func readOut(t *testing.T, ws *websocket.Conn, typ string) protocol.Out {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, raw, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		var out protocol.Out
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		if out.Type == typ {
			return out
		}
	}
}

func closeCode(t *testing.T, ws *websocket.Conn) int {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return ce.Code
			}
			return -1
		}
	}
}

func TestWebSocketBadInput(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""), func(c *Config) { c.CommandRate, c.CommandBurst = 1, 5 })
	g := newGame(t, in, protocol.CreateGameRequest{Agenda: wallAgenda})
	_, ja := joinAndConnect(t, in, g.Code, "ana", "dev")

	t.Run("hello must come first", func(t *testing.T) {
		ws := rawWS(t, in)
		ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"cmd","id":"1","cmd":"game.start"}`))
		if e := readOut(t, ws, "error"); e.Code != apperr.EInvalid {
			t.Fatalf("got %+v", e)
		}
		if c := closeCode(t, ws); c != protocol.CloseBadHello {
			t.Fatalf("close code %d", c)
		}
	})
	t.Run("bad token", func(t *testing.T) {
		ws := rawWS(t, in)
		ws.WriteJSON(protocol.In{Type: "hello", Token: g.GameID + "." + strings.Repeat("B", 43)})
		if e := readOut(t, ws, "error"); e.Code != apperr.EUnauthorized {
			t.Fatalf("got %+v", e)
		}
		if c := closeCode(t, ws); c != protocol.CloseRevoked {
			t.Fatalf("close code %d", c)
		}
	})

	ws := rawWS(t, in)
	ws.WriteJSON(protocol.In{Type: "hello", Token: ja.PlayerToken})
	readOut(t, ws, "snapshot")
	cases := []struct {
		name string
		msg  string
		code string
		want string
	}{
		{"not JSON", `{"type":`, apperr.EInvalid, "not valid JSON"},
		{"unknown message type", `{"type":"hack","id":"1"}`, apperr.EInvalid, "Unknown message type"},
		{"no id", `{"type":"cmd","cmd":"note.add"}`, apperr.EInvalid, "needs an id"},
		{"no command", `{"type":"cmd","id":"a"}`, apperr.EInvalid, "missing"},
		{"unknown command", `{"type":"cmd","id":"b","cmd":"game.win"}`, apperr.EInvalid, "Unknown command"},
		{"args not an object", `{"type":"cmd","id":"c","cmd":"note.add","args":[1]}`, apperr.EInvalid, "JSON object"},
		{"a number for the id", `{"type":"cmd","id":5,"cmd":"note.add"}`, apperr.EInvalid, `field "id" has the wrong type: it takes a text`},
		{"an unknown field", `{"type":"cmd","id":"u","cmd":"note.add","extra":1}`, apperr.EInvalid, `Unknown field "extra"`},
		{"facilitator command", `{"type":"cmd","id":"d","cmd":"game.start"}`, apperr.EForbidden, "Only the facilitator"},
		{"server's own command", `{"type":"cmd","id":"s","cmd":"deadline","args":{"seq":1}}`, apperr.EForbidden, "sent by the server itself"},
		{"wrong phase", `{"type":"cmd","id":"e","cmd":"note.add","args":{"text":"hi","target":"ops"}}`, apperr.EConflict, "not possible during the lobby"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws.WriteMessage(websocket.TextMessage, []byte(c.msg))
			e := readOut(t, ws, "error")
			if e.Code != c.code || !strings.Contains(e.Message, c.want) {
				t.Fatalf("got %s %q; want %s containing %q", e.Code, e.Message, c.code, c.want)
			}
		})
	}
	t.Run("rate limit", func(t *testing.T) {
		var limited bool
		for i := 0; i < 10 && !limited; i++ {
			// Always refused (she is in dev already), so every answer is an error.
			ws.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"type":"cmd","id":"r%d","cmd":"player.team","args":{"team":"dev"}}`, i)))
			e := readOut(t, ws, "error")
			limited = e.Code == apperr.ERateLimited
		}
		if !limited {
			t.Fatal("10 commands at once with a burst of 5 were never rate limited")
		}
	})
	t.Run("oversized message closes the connection", func(t *testing.T) {
		ws.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), maxMessageSize+1))
		// The server answers 1009 and closes; the client may see the close
		// frame or, having still been sending, a reset.
		if c := closeCode(t, ws); c != websocket.CloseMessageTooBig && c != -1 {
			t.Fatalf("close code %d", c)
		}
		// The server is fine: the same player connects again.
		s := connect(t, ja.PlayerToken, false, in.url)
		if s.You().PlayerID != ja.PlayerID {
			t.Fatalf("reconnected as %+v", s.You())
		}
	})
}
