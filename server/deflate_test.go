package server

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// recordingConn keeps every byte a client reads, to look at the frames
// as they were on the wire.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got = append(r.got, p[:n]...)
	r.mu.Unlock()
	return n, err
}

// wireFrame is a server frame as it was on the wire.
type wireFrame struct {
	compressed bool
	opcode     byte
	size       int // payload bytes on the wire
}

// frames parses the server's frames after the handshake.
func (r *recordingConn) frames() []wireFrame {
	r.mu.Lock()
	b := append([]byte(nil), r.got...)
	r.mu.Unlock()
	i := strings.Index(string(b), "\r\n\r\n")
	if i < 0 {
		return nil
	}
	b = b[i+4:]
	var out []wireFrame
	for len(b) >= 2 {
		f := wireFrame{compressed: b[0]&0x40 != 0, opcode: b[0] & 0x0f}
		n, head := int(b[1]&0x7f), 2
		switch n {
		case 126:
			if len(b) < 4 {
				return out
			}
			n, head = int(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			if len(b) < 10 {
				return out
			}
			n, head = int(binary.BigEndian.Uint64(b[2:])), 10
		}
		if len(b) < head+n {
			return out
		}
		f.size = n
		out = append(out, f)
		b = b[head+n:]
	}
	return out
}

// dialRecording opens a WebSocket as the Go client does, offering
// compression or not, and records what it reads.
func dialRecording(t *testing.T, url string, compress bool) (*websocket.Conn, *recordingConn) {
	t.Helper()
	rec := &recordingConn{}
	d := websocket.Dialer{Subprotocols: []string{protocol.Subprotocol}, EnableCompression: compress,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			rec.Conn = c
			return rec, err
		}}
	ws, _, err := d.DialContext(ctxT(t), strings.Replace(url, "http", "ws", 1)+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws, rec
}

func readWS(t *testing.T, ws *websocket.Conn) protocol.Out {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var out protocol.Out
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A client that offers compression gets the snapshot compressed, once,
// with the same content; small messages stay plain; its compressed
// commands are understood. A client that does not gets plain frames.
func TestWebSocketCompression(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{Agenda: wallAgenda})
	j, err := in.http.Join(ctxT(t), g.Code, "ana", "")
	if err != nil {
		t.Fatal(err)
	}
	fac := connect(t, g.FacilitatorToken, false, in.url)
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	hello, _ := json.Marshal(protocol.In{Type: protocol.TypeHello, Token: j.PlayerToken})
	var snaps [2]map[string]json.RawMessage
	var wires [2]wireFrame
	var socks [2]*websocket.Conn
	var recs [2]*recordingConn
	for i, compress := range []bool{false, true} {
		socks[i], recs[i] = dialRecording(t, in.url, compress)
		socks[i].WriteMessage(websocket.TextMessage, hello)
		snap := readWS(t, socks[i])
		if snap.Type != protocol.TypeSnapshot {
			t.Fatalf("first message: %s", snap.Type)
		}
		snaps[i] = map[string]json.RawMessage{}
		for k, v := range snap.Docs {
			if !strings.HasPrefix(k, "player/") { // presence moves meanwhile
				snaps[i][k], _ = json.Marshal(v)
			}
		}
		fr := recs[i].frames()
		if len(fr) == 0 {
			t.Fatal("no frame recorded")
		}
		wires[i] = fr[0]
	}
	for i, compress := range []bool{false, true} {
		ws, rec := socks[i], recs[i]
		// A command, compressed by a client that compresses.
		id := fmt.Sprintf("c%d", i)
		cmd, _ := json.Marshal(protocol.In{Type: protocol.TypeCmd, ID: id, Cmd: "note.add",
			Args: json.RawMessage(`{"text":"` + strings.Repeat("Deploys wait. ", 9) + `","target":"ops"}`)})
		ws.WriteMessage(websocket.TextMessage, cmd)
		for {
			out := readWS(t, ws)
			if out.ID == id {
				if out.Type != protocol.TypeAck {
					t.Fatalf("compress=%v: the command got %s %s", compress, out.Type, out.Message)
				}
				break
			}
		}
		for _, f := range rec.frames() {
			if f.compressed && (!compress || f.size < 64) {
				t.Errorf("compress=%v: a compressed frame of %d bytes", compress, f.size)
			}
		}
	}
	if fmt.Sprint(snaps[0]) != fmt.Sprint(snaps[1]) || len(snaps[0]) < 5 {
		t.Error("the compressed snapshot differs from the plain one")
	}
	if wires[0].compressed || !wires[1].compressed || wires[1].size*3 > wires[0].size {
		t.Errorf("snapshot on the wire: plain %+v, compressed %+v", wires[0], wires[1])
	}
	t.Logf("snapshot: %d bytes plain, %d compressed", wires[0].size, wires[1].size)

	// The Go client offers compression on request and reads such frames.
	s, err := client.Connect(ctxT(t), client.Options{URLs: []string{in.url}, Token: j.PlayerToken, Compression: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var me game.MeDoc
	if !s.Doc("me", &me) || me.Nickname != "ana" {
		t.Errorf("the Go client with compression: %+v", me)
	}
}

// A small compressed message that inflates beyond the size limit closes
// the connection (1009) instead of taking memory.
func TestInflatedMessagesAreBounded(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{Agenda: wallAgenda})
	ws, _ := dialRecording(t, in.url, true)
	hello, _ := json.Marshal(protocol.In{Type: protocol.TypeHello, Token: g.FacilitatorToken})
	ws.WriteMessage(websocket.TextMessage, hello)
	readWS(t, ws)
	bomb := `{"type":"cmd","id":"x","cmd":"note.add","args":{"text":"` + strings.Repeat("a", 200<<10) + `"}}`
	if err := ws.WriteMessage(websocket.TextMessage, []byte(bomb)); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
			t.Fatalf("after a message of 200 KB inflated: %v; want close 1009", err)
		}
		return
	}
}
