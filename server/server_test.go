package server

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"slices"
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

var wallAgenda = json.RawMessage(`[{"kind":"lobby"},{"kind":"wall","minutes":10},{"kind":"retro"}]`)

func TestLobbyOverWebSocket(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{Companies: 2})
	if len(g.Code) != 6 || strings.ContainsAny(g.Code, "0O1IL") {
		t.Fatalf("join code %q should be 6 characters without look-alikes", g.Code)
	}
	fac := connect(t, g.FacilitatorToken, true, in.url)
	if fac.You().Role != "facilitator" {
		t.Fatalf("facilitator session says %+v", fac.You())
	}
	ana, ja := joinAndConnect(t, in, strings.ToLower(g.Code), "ana", "ops")
	if ja.Team != "ops" || ja.Company < 1 {
		t.Fatalf("join answer %+v", ja)
	}
	// The facilitator sees ana arrive and come online.
	p := waitDoc(t, fac, "player/"+ja.PlayerID, func(p game.PlayerDoc) bool { return p.Connected })
	if p.Nickname != "ana" || p.Team != "ops" {
		t.Fatalf("player document %+v", p)
	}
	// The facilitator moves her; her view follows.
	if _, err := fac.Do(ctxT(t), "player.move", game.PlayerMoveArgs{PlayerID: ja.PlayerID, Team: "qa"}); err != nil {
		t.Fatal(err)
	}
	waitDoc(t, ana, "me", func(m game.MeDoc) bool { return m.Team == "qa" })
	if ana.You().Team != "qa" {
		t.Fatalf("after a move, the session's identity should follow: %+v", ana.You())
	}
	// She leaves: the facilitator sees her go offline.
	ana.Close()
	waitDoc(t, fac, "player/"+ja.PlayerID, func(p game.PlayerDoc) bool { return !p.Connected })
	// Start.
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	waitDoc(t, fac, "game", func(d game.GameDoc) bool { return d.Status == game.StatusRunning && d.Phase == 1 })
	// The HTTP snapshot shows the same.
	snap, err := in.http.Snapshot(ctxT(t), g.GameID, g.ProjectorToken)
	if err != nil {
		t.Fatal(err)
	}
	if snap.You.Role != "projector" || snap.Docs["game"] == nil || snap.Docs["player/"+ja.PlayerID] == nil {
		t.Fatalf("projector snapshot: %+v", snap)
	}
}

func TestConcurrentCommandsAllApplied(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend.name, func(t *testing.T) {
			st := backend.open(t)
			in := startServer(t, st)
			g := newGame(t, in, protocol.CreateGameRequest{Agenda: wallAgenda})
			fac := connect(t, g.FacilitatorToken, false, in.url)
			const n = 50
			players := make([]*client.Session, n)
			ids := make([]string, n)
			for i := range players {
				var j protocol.JoinResponse
				players[i], j = joinAndConnect(t, in, g.Code, fmt.Sprintf("p%02d", i), "")
				ids[i] = j.PlayerID
			}
			if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
				t.Fatal(err)
			}
			// Presence settles (every player shown connected) so that only
			// the notes move the version.
			for _, id := range ids {
				waitDoc(t, fac, "player/"+id, func(p game.PlayerDoc) bool { return p.Connected })
			}
			versions := make([]int64, n)
			var wg sync.WaitGroup
			for i, p := range players {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ack, err := p.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: fmt.Sprintf("note %d", i), Target: "ops"})
					if err != nil {
						t.Error(err)
					}
					versions[i] = ack.Version
				}()
			}
			wg.Wait()
			seen := map[int64]bool{}
			for _, v := range versions {
				if seen[v] {
					t.Fatalf("version %d acked twice", v)
				}
				seen[v] = true
			}
			// The log holds every note, once, without a gap.
			entries, err := st.Entries(ctxT(t), g.GameID, 1)
			if err != nil {
				t.Fatal(err)
			}
			notes := 0
			for i, e := range entries {
				if e.Version != int64(i+1) {
					t.Fatalf("entry %d has version %d", i, e.Version)
				}
				var c game.Command
				json.Unmarshal(e.Data, &c)
				if c.Type == "note.add" {
					notes++
					if !seen[e.Version] {
						t.Fatalf("note at version %d was never acked", e.Version)
					}
				}
			}
			if notes != n {
				t.Fatalf("%d notes in the log, want %d", notes, n)
			}
			// Everyone sees all 50 notes.
			for _, s := range append(players[:3], fac) {
				if err := s.Wait(ctxT(t), func(s *client.Session) bool { return len(s.Keys("note/")) == n }); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestResentCommandAppliedOnce(t *testing.T) {
	w := startWall(t)
	fac, ana := w.fac, w.ana
	a1, err := ana.DoID(ctxT(t), "same-id", "note.add", game.NoteAddArgs{Text: "hello", Target: "devs"})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := ana.DoID(ctxT(t), "same-id", "note.add", game.NoteAddArgs{Text: "hello", Target: "devs"})
	if err != nil {
		t.Fatal(err)
	}
	if a1.Version != a2.Version {
		t.Fatalf("resent command acked at %d then %d", a1.Version, a2.Version)
	}
	// The facilitator's update may come after ana's ack: wait for it.
	if err := fac.Wait(ctxT(t), func(s *client.Session) bool { return s.Version() >= a2.Version }); err != nil {
		t.Fatal(err)
	}
	if n := len(fac.Keys("note/")); n != 1 {
		t.Fatalf("%d notes after a resend, want 1", n)
	}
}

func TestReconnectResumesWithoutGapsOrRepeats(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, false, in.url)
	bob, _ := joinAndConnect(t, in, g.Code, "bob", "")
	var mu sync.Mutex
	var versions []int64
	var types []string
	j, err := in.http.Join(ctxT(t), g.Code, "ana", "")
	if err != nil {
		t.Fatal(err)
	}
	ana, err := client.Connect(ctxT(t), client.Options{URLs: []string{in.url}, Token: j.PlayerToken, Reconnect: true,
		OnMessage: func(out *protocol.Out, _ []byte) {
			// An update without documents answers a hello sent at the
			// current version (nothing changed while away): it carries
			// that version again, and nothing to merge.
			if out.Type == protocol.TypeSnapshot || out.Type == protocol.TypeUpdate && len(out.Docs) > 0 {
				mu.Lock()
				versions = append(versions, out.Version)
				types = append(types, out.Type)
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer ana.Close()
	fac.Do(ctxT(t), "game.start", nil)
	bob.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "one", Target: "ops"})
	waitDoc(t, ana, "game", func(d game.GameDoc) bool { return d.Status == "running" })
	ana.Drop()
	for i := 0; i < 3; i++ {
		if _, err := bob.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: fmt.Sprintf("while away %d", i), Target: "ops"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ana.Wait(ctxT(t), func(s *client.Session) bool { return s.Connections() == 2 && len(s.Keys("note/")) == 4 }); err != nil {
		t.Fatal(err)
	}
	// A copy: the client calls OnMessage, which takes mu, before it
	// applies a message, so holding mu below would stall the session.
	mu.Lock()
	seen, kinds := slices.Clone(versions), slices.Clone(types)
	mu.Unlock()
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("versions went %v (types %v): an update repeated or out of order", seen, kinds)
		}
	}
	if kinds[len(kinds)-1] != protocol.TypeUpdate {
		t.Fatalf("a short absence should resume with an update, got %v", kinds)
	}
	// What she holds comes to equal a fresh snapshot (the snapshot may be
	// a moment ahead: her own return online is stored after the notes).
	snap, err := in.http.Snapshot(ctxT(t), g.GameID, j.PlayerToken)
	if err != nil {
		t.Fatal(err)
	}
	diff := func(held map[string]json.RawMessage) string {
		for k, v := range snap.Docs {
			b, _ := json.Marshal(v)
			if string(held[k]) != string(b) {
				return fmt.Sprintf("%s is %s; snapshot says %s", k, held[k], b)
			}
		}
		if len(held) != len(snap.Docs) {
			return fmt.Sprintf("the session holds %d documents, the snapshot %d", len(held), len(snap.Docs))
		}
		return ""
	}
	if err := ana.Wait(ctxT(t), func(s *client.Session) bool { return diff(s.Docs()) == "" }); err != nil {
		t.Fatalf("after resuming, %s", diff(ana.Docs()))
	}
}

func TestKickedTokenCannotComeBack(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{})
	fac := connect(t, g.FacilitatorToken, false, in.url)
	ana, ja := joinAndConnect(t, in, g.Code, "ana", "")
	if _, err := fac.Do(ctxT(t), "player.kick", game.PlayerKickArgs{PlayerID: ja.PlayerID}); err != nil {
		t.Fatal(err)
	}
	if err := ana.Wait(ctxT(t), func(s *client.Session) bool { return s.Err() != nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Connect(ctxT(t), client.Options{URLs: []string{in.url}, Token: ja.PlayerToken}); !apperr.IsCode(err, apperr.EUnauthorized) {
		t.Fatalf("a kicked token reconnecting: %v", err)
	}
	if _, err := in.http.Snapshot(ctxT(t), g.GameID, ja.PlayerToken); !apperr.IsCode(err, apperr.EUnauthorized) {
		t.Fatalf("a kicked token on HTTP: %v", err)
	}
}

// A removed player cannot join again, under the same nickname or from the
// same browser (its cookie), until the facilitator lets them back; then
// they get their seat back.
func TestRemovedPlayerIsKeptOutUntilLetBack(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{Companies: 2})
	fac := connect(t, g.FacilitatorToken, false, in.url)
	jar, _ := cookiejar.New(nil)
	phone := &client.HTTP{BaseURL: in.url, Client: &http.Client{Jar: jar}}
	first, err := phone.Join(ctxT(t), g.Code, "zoe", "qa")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fac.Do(ctxT(t), "player.kick", game.PlayerKickArgs{PlayerID: first.PlayerID}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.http.Join(ctxT(t), g.Code, "Zoe", ""); !apperr.IsCode(err, apperr.EForbidden) {
		t.Errorf("the same nickname from another client: %v; want forbidden", err)
	}
	if _, err := phone.Join(ctxT(t), g.Code, "zed", ""); !apperr.IsCode(err, apperr.EForbidden) {
		t.Errorf("another nickname from the same browser: %v; want forbidden", err)
	}
	if _, err := fac.Do(ctxT(t), "player.readmit", game.PlayerReadmitArgs{PlayerID: first.PlayerID}); err != nil {
		t.Fatal(err)
	}
	back, err := phone.Join(ctxT(t), g.Code, "zed", "")
	if err != nil {
		t.Fatalf("joining again once let back: %v", err)
	}
	if back.PlayerID != first.PlayerID || back.Team != first.Team || back.Company != first.Company {
		t.Errorf("back as %+v; want the seat of %+v", back, first)
	}
	if _, err := client.Connect(ctxT(t), client.Options{URLs: []string{in.url}, Token: back.PlayerToken}); err != nil {
		t.Errorf("the new token: %v", err)
	}
	if _, err := client.Connect(ctxT(t), client.Options{URLs: []string{in.url}, Token: first.PlayerToken}); !apperr.IsCode(err, apperr.EUnauthorized) {
		t.Errorf("the token revoked at the removal: %v", err)
	}
}

func TestSlowClientIsDroppedOthersCarryOn(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""), func(c *Config) { c.SendQueue = 4 })
	g := newGame(t, in, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, false, in.url)
	bob, _ := joinAndConnect(t, in, g.Code, "bob", "")
	j, _ := in.http.Join(ctxT(t), g.Code, "slow", "")
	// A client that says hello and then never reads, with a small receive
	// buffer (set before connecting, so the TCP window stays small).
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		nd := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
		}}
		return nd.Dial(network, addr)
	}}
	slow, _, err := d.Dial("ws"+strings.TrimPrefix(in.url, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.WriteJSON(protocol.In{Type: "hello", Token: j.PlayerToken})
	ack, err := fac.Do(ctxT(t), "cluster.create", game.ClusterCreateArgs{Name: "start"})
	if err != nil {
		t.Fatal(err)
	}
	cluster := result[game.ClusterCreateResult](t, ack.Result).ClusterID
	name := strings.Repeat("x", 55)
	var last int64
	i := 0
	for ; testutil.ToFloat64(in.srv.met.Dropped) == 0; i++ {
		if i > 50_000 {
			t.Fatal("the slow client was never dropped")
		}
		ack, err := fac.Do(ctxT(t), "cluster.rename", game.ClusterRenameArgs{ClusterID: cluster, Name: fmt.Sprintf("%s%05d", name, i)})
		if err != nil {
			t.Fatal(err)
		}
		last = ack.Version
	}
	t.Logf("dropped after %d updates", i)
	// The slow client is closed; the others got every change.
	if err := bob.Wait(ctxT(t), func(s *client.Session) bool { return s.Version() >= last }); err != nil {
		t.Fatal(err)
	}
	slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := slow.ReadMessage(); err != nil {
			break // closed (possibly before its close frame could be read)
		}
	}
}
