package server

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"devopschallenge/apperr"
	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

func TestValidText(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want bool
	}{
		{`{"text":"plain"}`, true},
		{`{"text":"déjà vu, 日本, 😀"}`, true},
		{`{"text":"\u00e9 \ud83d\ude00"}`, true}, // escapes, a whole surrogate pair
		{`{"text":"a \\ud800 b"}`, true},         // an escaped backslash, then text
		{"{\"text\":\"bad \xff\xfe\xfd bytes\"}", false},
		{"{\"text\":\"cut \xe2\x82\"}", false}, // a sequence cut short
		{"{\"text\":\"overlong \xc0\xaf\"}", false},
		{"{\"text\":\"surrogate \xed\xa0\x80\"}", false}, // UTF-16 half, encoded as UTF-8
		{`{"text":"\ud800"}`, false},                     // a high half alone
		{`{"text":"\ud800x"}`, false},
		{`{"text":"\udc00"}`, false},       // a low half alone
		{`{"text":"\ud83d\u0041"}`, false}, // a high half, then no low half
		{`{"text":"\ud83d\ud83d"}`, false}, // two high halves
		{`{"text":"\u12"}`, true},          // malformed: left to the JSON decoder
		{`{"text":"end \\"}`, true},        // an escaped backslash at the end
		{`{"te\u0078t":"a"}`, true},        // escapes in a key
	} {
		if got := validText([]byte(c.msg)); got != c.want {
			t.Errorf("validText(%q) = %v, want %v", c.msg, got, c.want)
		}
	}
}

// Invalid UTF-8 (or half a surrogate pair) anywhere in a command, in any
// command, is refused with invalid and a sentence, and changes nothing.
func TestCommandsWithBadTextRefused(t *testing.T) {
	w := startWall(t)
	in, g, ja := w.in, w.g, w.ja
	before, err := in.http.Snapshot(ctxT(t), g.GameID, g.FacilitatorToken)
	if err != nil {
		t.Fatal(err)
	}
	ws := rawWS(t, in)
	ws.WriteJSON(protocol.In{Type: "hello", Token: ja.PlayerToken})
	readOut(t, ws, "snapshot")
	var types []string
	for typ := range game.CommandTypes() {
		types = append(types, typ)
	}
	sort.Strings(types)
	bad := []string{"bad \xff\xfe\xfd bytes", "cut \xe2\x82", `\ud800 alone`}
	for i, typ := range types {
		for j, text := range bad {
			msg := fmt.Sprintf(`{"type":"cmd","id":"u%d-%d","cmd":%q,"args":{"text":"%s","target":"ops","name":"%s","nickname":"%s"}}`,
				i, j, typ, text, text, text)
			if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			e := readOut(t, ws, "error")
			if e.Code != apperr.EInvalid || !strings.Contains(e.Message, "UTF-8") || !strings.Contains(e.MessageFR, "UTF-8") {
				t.Errorf("%s with %q: got %+v; want invalid, about UTF-8", typ, text, e)
			}
		}
	}
	// The same note with good text is taken (the session still works).
	ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"cmd","id":"ok","cmd":"note.add","args":{"text":"déjà \ud83d\ude00","target":"ops"}}`))
	ack := readOut(t, ws, "ack")
	// (The raw connection's presence takes a version too.)
	if ack.Version > before.Version+2 {
		t.Fatalf("the good note was stored at %d; before the bad ones the game was at %d", ack.Version, before.Version)
	}
	after, err := in.http.Snapshot(ctxT(t), g.GameID, g.FacilitatorToken)
	if err != nil {
		t.Fatal(err)
	}
	for k := range after.Docs {
		if strings.HasPrefix(k, "note/") && k != "note/"+result[game.NoteAddResult](t, ack.Result).NoteID {
			t.Errorf("a refused command left %s", k)
		}
	}
	var note game.NoteDoc
	b, _ := json.Marshal(after.Docs["note/"+result[game.NoteAddResult](t, ack.Result).NoteID])
	if json.Unmarshal(b, &note); note.Text != "déjà 😀" {
		t.Fatalf("the good note reads %q", note.Text)
	}
}

// HTTP bodies with invalid UTF-8 in any string are refused; nothing is
// created or joined.
func TestHTTPBadTextRefused(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{})
	for _, c := range []struct{ name, path, body string }{
		{"title", "/api/games", "{\"title\":\"bad \xff\xfe\xfd bytes\"}"},
		{"title, half a surrogate pair", "/api/games", `{"title":"bad \udfff"}`},
		{"scenario", "/api/games", "{\"scenario\":\"\xc3\"}"},
		{"lang", "/api/games", "{\"lang\":\"f\xe9\"}"},
		{"agenda kind", "/api/games", "{\"agenda\":[{\"kind\":\"lobby\"},{\"kind\":\"wall\xff\"}]}"},
		{"nickname", "/api/games/join", fmt.Sprintf("{\"code\":%q,\"nickname\":\"bad \xff\xfe\xfd\"}", g.Code)},
		{"team", "/api/games/join", fmt.Sprintf("{\"code\":%q,\"nickname\":\"ana\",\"team\":\"\xff\"}", g.Code)},
		{"code", "/api/games/join", "{\"code\":\"\xff\xff\xff\xff\xff\xff\",\"nickname\":\"ana\"}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Post(in.url+c.path, "application/json", strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e protocol.ErrorResponse
			json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode != 400 || e.Code != apperr.EInvalid || !strings.Contains(e.Message, "UTF-8") || e.MessageFR == "" {
				t.Fatalf("got %d %+v; want 400 invalid about UTF-8", resp.StatusCode, e)
			}
		})
	}
	snap, err := in.http.Snapshot(ctxT(t), g.GameID, g.FacilitatorToken)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Version != 1 {
		t.Fatalf("refused joins moved the game to version %d", snap.Version)
	}
}

// Binary frames are not commands: refused with an error, the connection
// goes on, nothing changes. A binary hello closes the connection.
func TestBinaryFramesRefused(t *testing.T) {
	w := startWall(t)
	in, g, ja := w.in, w.g, w.ja
	t.Run("hello", func(t *testing.T) {
		ws := rawWS(t, in)
		hello, _ := json.Marshal(protocol.In{Type: "hello", Token: ja.PlayerToken})
		ws.WriteMessage(websocket.BinaryMessage, hello)
		if e := readOut(t, ws, "error"); e.Code != apperr.EInvalid || !strings.Contains(e.Message, "text frames") || e.MessageFR == "" {
			t.Fatalf("got %+v", e)
		}
		if c := closeCode(t, ws); c != protocol.CloseBadHello {
			t.Fatalf("close code %d", c)
		}
	})
	ws := rawWS(t, in)
	ws.WriteJSON(protocol.In{Type: "hello", Token: ja.PlayerToken})
	snap := readOut(t, ws, "snapshot")
	for i, msg := range []string{
		`{"type":"cmd","id":"b1","cmd":"note.add","args":{"text":"sent as binary","target":"ops"}}`,
		"\x00\x01\x02",
		"",
	} {
		ws.WriteMessage(websocket.BinaryMessage, []byte(msg))
		e := readOut(t, ws, "error")
		if e.Code != apperr.EInvalid || !strings.Contains(e.Message, "text frames") || e.MessageFR == "" {
			t.Fatalf("binary frame %d: got %+v", i, e)
		}
	}
	ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"cmd","id":"t1","cmd":"note.add","args":{"text":"sent as text","target":"ops"}}`))
	ack := readOut(t, ws, "ack")
	after, err := in.http.Snapshot(ctxT(t), g.GameID, g.FacilitatorToken)
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for k := range after.Docs {
		if strings.HasPrefix(k, "note/") {
			notes++
		}
	}
	// The connection's presence may have moved the version before the text note.
	if notes != 1 || ack.Version > snap.Version+2 {
		t.Fatalf("%d notes, text note at %d after a snapshot at %d; want only the text note", notes, ack.Version, snap.Version)
	}
}

// A command resent with the same ID gets the same answer as the first
// time, result included: from the same connection, from two connections
// at once (same batch), and from another instance that loaded the game
// from the store.
func TestResentCommandSameResult(t *testing.T) {
	r := newRig(t)
	a := r.instance(t, "A")
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: json.RawMessage(
		`[{"kind":"lobby"},{"kind":"wall","minutes":10},{"kind":"study","minutes":10,"quiz":true},{"kind":"retro"}]`)})
	fac := connect(t, g.FacilitatorToken, false, a.url)
	ana, ja := joinAndConnect(t, a, g.Code, "ana", "dev")
	ana2 := connect(t, ja.PlayerToken, false, a.url) // a second tab
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	type step struct {
		who  string
		cmd  string
		args any
	}
	sessions := map[string]*client.Session{"ana": ana, "fac": fac}
	steps := map[string]step{}
	acks := map[string]client.Ack{}
	do := func(id string, s step) {
		t.Helper()
		first, err := sessions[s.who].DoID(ctxT(t), id, s.cmd, s.args)
		if err != nil {
			t.Fatalf("%s: %v", s.cmd, err)
		}
		if len(first.Result) == 0 {
			t.Fatalf("%s: no result in the first ack", s.cmd)
		}
		again, err := sessions[s.who].DoID(ctxT(t), id, s.cmd, s.args)
		if err != nil {
			t.Fatalf("%s resent: %v", s.cmd, err)
		}
		if again.Version != first.Version || !reflect.DeepEqual(normal(t, again.Result), normal(t, first.Result)) {
			t.Errorf("%s: first ack %d %v, resent %d %v", s.cmd, first.Version, first.Result, again.Version, again.Result)
		}
		steps[id], acks[id] = s, first
	}
	do("same-id-1", step{"ana", "note.add", game.NoteAddArgs{Text: "hello", Target: "ops"}})
	do("same-id-2", step{"fac", "cluster.create", game.ClusterCreateArgs{Name: "Release"}})
	twoTabsOneAnswer(t, ana, ana2)
	if _, err := fac.Do(ctxT(t), "phase.next", nil); err != nil {
		t.Fatal(err)
	}
	quiz := waitDoc(t, ana, "quiz", func(q game.QuizDoc) bool { return len(q.Questions) > 0 })
	do("same-id-3", step{"ana", "card.add", game.CardAddArgs{Kind: "finding", Text: "first"}})
	cardID := result[game.CardAddResult](t, acks["same-id-3"].Result).CardID
	card := waitDoc(t, ana, "card/"+cardID, func(c game.CardDoc) bool { return c.Rev > 0 })
	do("same-id-4", step{"ana", "card.edit", game.CardEditArgs{CardID: cardID, Rev: card.Rev, Text: "second"}})
	q := quiz.Questions[0]
	do("same-id-5", step{"ana", "quiz.answer", game.QuizAnswerArgs{QuestionID: q.ID, OptionID: q.Options[0].ID}})

	// Another instance loads the game from the store and answers the
	// resent commands the same way.
	b := r.instance(t, "B")
	sessions = map[string]*client.Session{"ana": connect(t, ja.PlayerToken, false, b.url), "fac": connect(t, g.FacilitatorToken, false, b.url)}
	for id, s := range steps {
		ack, err := sessions[s.who].DoID(ctxT(t), id, s.cmd, s.args)
		if err != nil {
			t.Fatalf("%s resent to B: %v", id, err)
		}
		if first := acks[id]; ack.Version != first.Version || !reflect.DeepEqual(normal(t, ack.Result), normal(t, first.Result)) {
			t.Errorf("%s: first ack %d %v, resent to B %d %v", id, first.Version, first.Result, ack.Version, ack.Result)
		}
	}
}

// normal is v as JSON sees it (numbers as float64).
func normal(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	json.Unmarshal(b, &x)
	return x
}

// Slow clients are counted once each, whether their queue filled up,
// their socket stopped taking writes, or both.
func TestSlowClientsCountedOnce(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""), func(c *Config) { c.SendQueue, c.WriteWait = 4, 300*time.Millisecond })
	g := newGame(t, in, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, false, in.url)
	const slow = 5
	var socks []*websocket.Conn
	for i := 0; i < slow; i++ {
		j, err := in.http.Join(ctxT(t), g.Code, fmt.Sprintf("slow%d", i), "")
		if err != nil {
			t.Fatal(err)
		}
		// Says hello, then never reads, with a small receive buffer.
		d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
			nd := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
				return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
			}}
			return nd.Dial(network, addr)
		}}
		ws, _, err := d.Dial("ws"+strings.TrimPrefix(in.url, "http")+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.WriteJSON(protocol.In{Type: "hello", Token: j.PlayerToken})
		socks = append(socks, ws)
	}
	open := func() float64 { return testutil.ToFloat64(in.srv.met.Connections) }
	ack, err := fac.Do(ctxT(t), "cluster.create", game.ClusterCreateArgs{Name: "start"})
	if err != nil {
		t.Fatal(err)
	}
	cluster := result[game.ClusterCreateResult](t, ack.Result).ClusterID
	// Updates until every slow client is gone (only the facilitator left).
	for i := 0; open() > 1; i++ {
		if i > 50_000 {
			t.Fatalf("%v connections still open", open())
		}
		if _, err := fac.Do(ctxT(t), "cluster.rename", game.ClusterRenameArgs{ClusterID: cluster, Name: fmt.Sprintf("%s%05d", strings.Repeat("x", 50), i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Their writers ran into the write timeout too by now (they were
	// blocked on full sockets when the queues filled).
	if n := testutil.ToFloat64(in.srv.met.Dropped); n != slow {
		t.Fatalf("devops_challenge_slow_clients_dropped_total = %v for %d slow clients", n, slow)
	}
}

// Every error code the server maps to an HTTP status is in the table of
// docs/protocol.md, with that status.
func TestErrorCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	for code, status := range httpStatus {
		if row := fmt.Sprintf("| `%s` | %d |", code, status); !strings.Contains(string(doc), row) {
			t.Errorf("docs/protocol.md has no row %q", row)
		}
	}
}

// twoTabsOneAnswer has two sessions of a player send the same command at
// once: one note, the same answer for both.
func twoTabsOneAnswer(t *testing.T, tabs ...*client.Session) {
	t.Helper()
	var wg sync.WaitGroup
	twin := make([]client.Ack, len(tabs))
	for i, s := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ack, err := s.DoID(ctxT(t), "twin", "note.add", game.NoteAddArgs{Text: "twice", Target: "devs"})
			if err != nil {
				t.Error(err)
			}
			twin[i] = ack
		}()
	}
	wg.Wait()
	if twin[0].Version != twin[1].Version || fmt.Sprint(twin[0].Result) != fmt.Sprint(twin[1].Result) || twin[0].Result["noteId"] == nil {
		t.Errorf("the same command from two tabs: %+v and %+v", twin[0], twin[1])
	}
}
