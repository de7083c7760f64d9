// Command hub is the bare broadcast baseline the load generator measures
// the game server against: a plain gorilla/websocket hub with rooms, a read
// pump and a write pump per connection and one PreparedMessage per
// broadcast. It has no Redis, no rules and no documents; it only speaks
// enough of the game's WebSocket protocol (hello, snapshot, cmd, ack,
// update) for the same load generator to drive it.
//
//	go run ./cmd/hub -addr 127.0.0.1:9100
//
// Protocol, as the load generator uses it:
//
//	→ {"type":"hello","token":"hub.<room>.<team>"}
//	← {"type":"snapshot","version":V,"now":…,"you":{"role":"player","team":"<team>"},"docs":{}}
//	→ {"type":"cmd","id":"c1","cmd":"note.add","args":{…,"_to":"all"|"company"|"team","_size":N}}
//	← {"type":"update","version":V+1,"now":…,"docs":{"pad":"…"}}   to the room (or the team,
//	                                                              or the company, and the
//	                                                              "fac" team), N bytes
//	← {"type":"ack","id":"c1","version":V+1}                      to the sender
//
// Each room keeps a version counter so that the generator can match an
// update to the command that caused it, exactly as with the game. It is
// what a minimal real-time hub looks like: the structure of gorilla's chat
// example (its buffer sizes and queue length), sending text frames of one
// JSON object each instead of newline-joined batches.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

const (
	writeWait      = 10 * time.Second
	pongWait       = 60 * time.Second
	pingPeriod     = pongWait * 9 / 10
	maxMessageSize = 64 << 10
	sendQueue      = 256
	// maxPad bounds the size of a broadcast a client may ask for.
	maxPad = 64 << 10
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 1024,
	Subprotocols:    []string{"devops-challenge.v1"},
	CheckOrigin:     func(*http.Request) bool { return true },
}

type hub struct {
	mu    sync.Mutex
	rooms map[string]*room

	conns, dropped atomic.Int64
}

type room struct {
	mu      sync.Mutex
	version int64
	conns   map[*client]bool
}

type client struct {
	h    *hub
	slow atomic.Bool
	room *room
	team string
	ws   *websocket.Conn
	send chan *websocket.PreparedMessage
	dead chan struct{}
	once sync.Once
}

func (c *client) kill() { c.once.Do(func() { close(c.dead) }) }

// enqueue never blocks: a client whose queue is full is dropped.
func (c *client) enqueue(m *websocket.PreparedMessage) {
	select {
	case c.send <- m:
	default:
		if c.slow.CompareAndSwap(false, true) {
			c.h.dropped.Add(1)
		}
		c.kill()
	}
}

func (h *hub) room(id string) *room {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[id]
	if r == nil {
		r = &room{conns: map[*client]bool{}}
		h.rooms[id] = r
	}
	return r
}

type in struct {
	Type  string `json:"type"`
	Token string `json:"token"`
	ID    string `json:"id"`
	Cmd   string `json:"cmd"`
	Args  struct {
		To   string `json:"_to"`
		Size int    `json:"_size"`
	} `json:"args"`
}

type out struct {
	Type    string         `json:"type"`
	ID      string         `json:"id,omitempty"`
	Version int64          `json:"version,omitempty"`
	Now     int64          `json:"now,omitempty"`
	You     map[string]any `json:"you,omitempty"`
	Docs    map[string]any `json:"docs,omitempty"`
	Code    string         `json:"code,omitempty"`
	Message string         `json:"message,omitempty"`
}

func prepare(o out) *websocket.PreparedMessage {
	b, _ := json.Marshal(o)
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, b)
	return pm
}

// update builds an update of about size bytes.
func update(version int64, size int) *websocket.PreparedMessage {
	o := out{Type: "update", Version: version, Now: time.Now().UnixMilli(), Docs: map[string]any{"pad": ""}}
	b, _ := json.Marshal(o)
	if pad := size - len(b); pad > 0 {
		o.Docs["pad"] = strings.Repeat("x", min(pad, maxPad))
		b, _ = json.Marshal(o)
	}
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, b)
	return pm
}

func (h *hub) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &client{h: h, ws: ws, send: make(chan *websocket.PreparedMessage, sendQueue), dead: make(chan struct{})}
	h.conns.Add(1)
	go c.writePump()
	go c.readPump()
}

func (c *client) readPump() {
	defer func() {
		c.h.conns.Add(-1)
		if c.room != nil {
			c.room.mu.Lock()
			delete(c.room.conns, c)
			c.room.mu.Unlock()
		}
		c.kill()
	}()
	c.ws.SetReadLimit(maxMessageSize)
	c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { c.ws.SetReadDeadline(time.Now().Add(pongWait)); return nil })
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(pongWait))
		var m in
		if err := json.Unmarshal(data, &m); err != nil {
			c.enqueue(prepare(out{Type: "error", Code: "invalid", Message: "not JSON"}))
			continue
		}
		switch {
		case m.Type == "hello" && c.room == nil:
			// token: hub.<room>.<team>
			parts := strings.SplitN(m.Token, ".", 3)
			if len(parts) != 3 || parts[0] != "hub" {
				c.enqueue(prepare(out{Type: "error", Code: "unauthorized", Message: "token must be hub.<room>.<team>"}))
				return
			}
			r := c.h.room(parts[1])
			c.team = parts[2]
			r.mu.Lock()
			c.room = r
			r.conns[c] = true
			v := r.version
			r.mu.Unlock()
			c.enqueue(prepare(out{Type: "snapshot", Version: v, Now: time.Now().UnixMilli(),
				You: map[string]any{"role": "player", "team": c.team}, Docs: map[string]any{}}))
		case m.Type == "cmd" && c.room != nil:
			r := c.room
			r.mu.Lock()
			r.version++
			v := r.version
			msg := update(v, m.Args.Size)
			for o := range r.conns {
				if o.team == "fac" || m.Args.To == "all" || (m.Args.To == "team" && o.team == c.team) ||
					(m.Args.To == "company" && sameCompany(o.team, c.team)) {
					o.enqueue(msg)
				}
			}
			r.mu.Unlock()
			c.enqueue(prepare(out{Type: "ack", ID: m.ID, Version: v}))
		default:
			c.enqueue(prepare(out{Type: "error", ID: m.ID, Code: "invalid", Message: "unexpected message"}))
		}
	}
}

func (c *client) writePump() {
	t := time.NewTicker(pingPeriod)
	defer func() {
		t.Stop()
		c.ws.Close()
	}()
	for {
		select {
		case m := <-c.send:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WritePreparedMessage(m); err != nil {
				if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() && c.slow.CompareAndSwap(false, true) {
					c.h.dropped.Add(1)
				}
				c.kill()
				return
			}
		case <-t.C:
			c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				c.kill()
				return
			}
		case <-c.dead:
			c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4008, "too slow"), time.Now().Add(time.Second))
			return
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9100", "listen address (loopback)")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("hub: -addr %q: %v", *addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		log.Fatalf("hub: listen on a loopback address, not %q", host)
	}
	h := &hub{rooms: map[string]*room{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", h.serveWS)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "hub_connections %d\nhub_slow_clients_dropped_total %d\ngo_goroutines %d\n",
			h.conns.Load(), h.dropped.Load(), runtime.NumGoroutine())
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("hub listening on http://%s (pid %s)\n", ln.Addr(), strconv.Itoa(os.Getpid()))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// sameCompany reports whether two "<company>/<team>" names are of one
// company.
func sameCompany(a, b string) bool {
	i, j := strings.IndexByte(a, '/'), strings.IndexByte(b, '/')
	return i > 0 && j > 0 && a[:i] == b[:j]
}
