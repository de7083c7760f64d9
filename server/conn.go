package server

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/internal/strictjson"
	"devopschallenge/live"
	"devopschallenge/protocol"
)

// Connection limits and timings.
const (
	// writeWait is the time allowed to write one message to a client
	// (Config.WriteWait).
	writeWait = 10 * time.Second
	// pongWait is how long a client may stay silent (no pong, no message)
	// before it is considered gone: short, so that the console stops
	// listing a phone whose Wi-Fi dropped as online within seconds.
	pongWait = 10 * time.Second
	// pingPeriod is how often pings are sent: a third of pongWait, so
	// that one lost pong does not drop a client.
	pingPeriod = pongWait / 3
	// helloWait is how long a new connection has to send its hello,
	// pings answered or not.
	helloWait = 10 * time.Second
	// maxConnsPerToken bounds the connections open at once with one token
	// (a player's tabs and devices, the projector's screens): more is a
	// script, not a class.
	maxConnsPerToken = 8
	// maxMessageSize is the largest message a client may send.
	maxMessageSize = 64 << 10
	// sendQueueSize bounds the messages waiting for a client; a client that
	// lets it fill up is disconnected.
	sendQueueSize = 256
	// socketBufferSize is the kernel send buffer of a WebSocket.
	socketBufferSize = 64 << 10
	// commandTimeout bounds the time to apply and store one command.
	commandTimeout = 10 * time.Second
	// maxCommandID is the longest command ID accepted.
	maxCommandID = 64
)

// outgoing is one item of a connection's queue: a message (encoded once
// for however many connections it goes to), a ping, or the end of a frame
// writeNow began. Each connection's writer frames a message straight from
// its bytes into a pooled write buffer (a copy and a header): for the
// small updates of a game that is cheaper than a PreparedMessage, which
// allocates a framing buffer of several kilobytes per message.
type outgoing struct {
	msg  *live.Message
	ping bool // a ping, queued by the connection's timer
	// frame, for one connection: a frame, or the end of one, that must
	// leave as is, before anything else (see enqueue).
	frame []byte
}

// message encodes a message for one connection, or an internal error in
// its place should it fail to encode (a bug: every result is plain data).
func (s *Server) message(out protocol.Out) *live.Message {
	b, err := json.Marshal(out)
	if err != nil {
		s.log.Error("encode message", "err", err)
		b, _ = json.Marshal(protocol.Out{Type: protocol.TypeError, Code: apperr.EInternal, Message: "encoding failed"})
	}
	return &live.Message{Data: b}
}

// conn is one WebSocket client, and a subscriber of its game (the runtime
// hands it the game's messages through Send). Its read pump (the
// goroutine that runs serve) reads and submits commands one at a time. A
// message for it is sent at once when nothing else is being sent and the
// socket takes it without waiting (enqueue); otherwise it waits in a
// bounded queue, which a writer goroutine, started when the queue gets a
// message and gone once it is empty, writes out. An idle connection thus
// holds one goroutine, not two, and no write buffer (they come from a
// pool, per message).
//
// Invariant: while writing is false the queue is empty and nothing writes
// a message to the socket, so enqueue may; while it is true only the
// writer does.
type conn struct {
	srv     *Server
	ws      *websocket.Conn
	cork    *corkConn // the connection under ws
	limiter *rate.Limiter

	qmu     sync.Mutex
	queue   []outgoing  // waiting messages, at most srv.cfg.SendQueue
	writing bool        // a writer goroutine is running
	dead    bool        // kill was called: flush, say goodbye, close
	pinger  *time.Timer // queues a ping every pingPeriod

	closeCode   int    // set by kill, under qmu
	closeReason string // idem
	slow        bool   // counted as a slow client dropped, under qmu

	deadlineSet time.Time // when the writer last set the write deadline (writer only)

	// Set once by the hello, then read by the read pump only.
	game  *live.Game
	actor game.Actor
	seat  string // the token's key in Server.seats, once the hello is accepted
}

// Send implements live.Subscriber.
func (c *conn) Send(m *live.Message) { c.enqueue(outgoing{msg: m}) }

// Revoke implements live.Subscriber: the player was removed.
func (c *conn) Revoke() { c.kill(protocol.CloseRevoked, "removed by the facilitator") }

// enqueue queues a message without waiting; a client whose queue is full
// is disconnected, so that it never slows anyone else.
func (c *conn) enqueue(p outgoing) {
	c.qmu.Lock()
	if c.dead {
		c.qmu.Unlock()
		return
	}
	if len(c.queue) >= c.srv.cfg.SendQueue {
		c.tooSlow()
		c.qmu.Unlock()
		c.kill(protocol.CloseTooSlow, "too slow: messages were not read")
		return
	}
	if !c.writing && !p.ping {
		// Nothing is being written (so the queue is empty): try to send
		// the message now, in one system call that does not wait. That
		// spares starting the writer, and the client waiting for it to
		// be scheduled, for the usual message to a client that reads.
		// What the socket did not take goes to the writer.
		done, rest := c.cork.writeNow(payload(p.msg, c.cork.deflate))
		if done {
			c.qmu.Unlock()
			return
		}
		if rest != nil {
			p = outgoing{frame: rest}
		}
	}
	c.queue = append(c.queue, p)
	c.startWriter()
	c.qmu.Unlock()
}

// tooSlow counts the connection as a slow client dropped, once however
// many signs of it there are (a full queue, then a write timeout). Called
// with c.qmu held.
func (c *conn) tooSlow() {
	if !c.slow {
		c.slow = true
		c.srv.met.Dropped.Inc()
	}
}

// startWriter starts the writer goroutine unless it runs. Called with
// c.qmu held.
func (c *conn) startWriter() {
	if !c.writing {
		c.writing = true
		go c.writeLoop()
	}
}

// kill asks the writer to send what is queued, then close the connection
// with a code and reason. Only the first call counts.
func (c *conn) kill(code int, reason string) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.dead {
		return
	}
	c.dead = true
	c.closeCode, c.closeReason = code, reason
	if c.pinger != nil {
		c.pinger.Stop()
	}
	c.startWriter()
}

// ping queues a ping and arms the next one.
func (c *conn) ping() {
	c.enqueue(outgoing{ping: true})
	c.qmu.Lock()
	if !c.dead {
		c.pinger.Reset(pingPeriod)
	}
	c.qmu.Unlock()
}

// reusedQueue is the largest queue (in messages) a connection keeps for
// the next ones once sent.
const reusedQueue = 8

// writeLoop sends queued messages until the queue is empty, then ends; on
// a killed connection it sends what is queued (an error explaining the
// close), says goodbye and closes the socket.
func (c *conn) writeLoop() {
	// spare is the batch written last, emptied: the next queue, so that a
	// busy connection does not allocate a queue per message. The queue
	// keeps it when the writer ends if it is small.
	var spare []outgoing
	for {
		c.qmu.Lock()
		if len(c.queue) == 0 {
			if !c.dead {
				c.writing = false
				if cap(c.queue) == 0 && cap(spare) <= reusedQueue {
					c.queue = spare[:0]
				} else if cap(c.queue) > reusedQueue {
					c.queue = nil
				}
				c.qmu.Unlock()
				return
			}
			code, reason := c.closeCode, c.closeReason
			c.queue = nil
			c.qmu.Unlock()
			if code != websocket.CloseAbnormalClosure {
				msg := websocket.FormatCloseMessage(code, reason)
				c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			}
			c.ws.Close()
			return // writing stays true: no writer starts again
		}
		// Take every queued message: sent corked, they leave in one
		// system call.
		batch := c.queue
		c.queue = nil
		if cap(spare) <= reusedQueue {
			c.queue = spare[:0]
		}
		c.qmu.Unlock()
		err := c.writeAll(batch)
		clear(batch)
		spare = batch
		if err != nil {
			if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
				// The client did not read for writeWait: as slow as one
				// whose queue filled up.
				c.qmu.Lock()
				c.tooSlow()
				c.qmu.Unlock()
			}
			c.kill(websocket.CloseAbnormalClosure, "")
			c.qmu.Lock()
			c.queue = nil
			c.qmu.Unlock()
		}
	}
}

// writeAll writes messages, in one system call when there are several.
func (c *conn) writeAll(batch []outgoing) error {
	if len(batch) > 1 {
		c.cork.cork()
	}
	for i, p := range batch {
		batch[i] = outgoing{}
		if err := c.write(p); err != nil {
			c.cork.uncork()
			return err
		}
	}
	return c.cork.uncork()
}

func (c *conn) write(p outgoing) error {
	// Each message gets writeWait, give or take a second: moving the
	// deadline (a timer in the runtime) at every message costs more.
	if now := time.Now(); now.Sub(c.deadlineSet) > time.Second {
		c.ws.SetWriteDeadline(now.Add(c.srv.cfg.WriteWait))
		c.deadlineSet = now
	}
	if p.ping {
		return c.ws.WriteMessage(websocket.PingMessage, nil)
	}
	if p.frame != nil {
		// Written as is, under the socket's own deadline, which the
		// WebSocket library moves at each frame it writes (pongs too):
		// set it here.
		c.cork.SetWriteDeadline(time.Now().Add(c.srv.cfg.WriteWait))
		_, err := c.cork.Write(p.frame)
		return err
	}
	return c.writeData(p.msg)
}

// serve runs the read pump: the hello, then commands until the client
// leaves.
func (c *conn) serve() {
	c.srv.met.Connections.Inc()
	c.srv.track(c, true)
	defer func() {
		c.srv.track(c, false)
		c.srv.met.Connections.Dec()
		c.kill(websocket.CloseNormalClosure, "")
		if g := c.game; g != nil {
			g.Detach(c)
		}
	}()
	c.qmu.Lock()
	c.pinger = time.AfterFunc(pingPeriod, c.ping)
	c.qmu.Unlock()

	c.ws.SetReadLimit(maxMessageSize)
	c.ws.SetReadDeadline(time.Now().Add(helloWait))
	c.ws.SetCloseHandler(func(code int, _ string) error {
		// As the library's own handler, but no message may be sent
		// directly once the close frame is.
		c.cork.stopDirect()
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
		return nil
	})
	if !c.hello() {
		return
	}
	defer c.srv.releaseSeat(c.seat)
	// Pongs keep the connection open once it has said hello, not before:
	// the hello's deadline holds whatever the client answers.
	c.ws.SetPongHandler(func(string) error { c.ws.SetReadDeadline(time.Now().Add(pongWait)); return nil })
	for {
		typ, data, err := c.readMessage()
		if err != nil {
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(pongWait))
		if typ != websocket.TextMessage {
			c.reply(errorOut(c.srv.log, "", errBinaryFrame()))
			continue
		}
		if string(data) == pingRequest {
			c.reply(protocol.Out{Type: protocol.TypePong, Now: time.Now().UnixMilli()})
			continue
		}
		c.command(data)
	}
}

// pingRequest is a browser's heartbeat (browsers cannot send WebSocket
// pings): answered with a pong, it lets the page see a dead connection.
const pingRequest = `{"type":"ping"}`

// reply queues a message for this connection only.
func (c *conn) reply(out protocol.Out) { c.enqueue(outgoing{msg: c.srv.message(out)}) }

// hello reads the first message, identifies the client and sends what it
// missed. It returns false when the connection must end.
func (c *conn) hello() bool {
	typ, data, err := c.readMessage()
	if err != nil {
		return false
	}
	if typ != websocket.TextMessage {
		c.refuse(protocol.CloseBadHello, errBinaryFrame())
		return false
	}
	if !validText(data) {
		c.refuse(protocol.CloseBadHello, errBadText())
		return false
	}
	var in protocol.In
	if err := json.Unmarshal(data, &in); err != nil || in.Type != protocol.TypeHello {
		c.refuse(protocol.CloseBadHello, apperr.Errorf(apperr.EInvalid,
			`The first message must be {"type":"hello","token":"…"}.`, `Le premier message doit être {"type":"hello","token":"…"}.`))
		return false
	}
	gameID, hash, err := parseToken(in.Token)
	if err != nil {
		c.refuse(protocol.CloseRevoked, err)
		return false
	}
	seat := gameID + "/" + hash
	if !c.srv.claimSeat(seat) {
		c.refuse(websocket.CloseTryAgainLater, apperr.Errorf(apperr.ERateLimited,
			"This seat is open in too many tabs or devices at once (%d); close one and try again.",
			"Cette place est ouverte dans trop d'onglets ou d'appareils à la fois (%d) ; fermez-en un et réessayez.", maxConnsPerToken))
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	g, err := c.srv.rt.Open(ctx, gameID)
	if err == nil {
		c.actor, err = g.Attach(ctx, c, in.Version, func(s *game.State) (game.Actor, error) { return identify(s, hash) })
	}
	if err != nil {
		c.srv.releaseSeat(seat)
		if apperr.IsCode(err, apperr.ENotFound) || apperr.IsCode(err, apperr.EUnauthorized) {
			c.refuse(protocol.CloseRevoked, err)
		} else {
			c.refuse(websocket.CloseTryAgainLater, err)
		}
		return false
	}
	c.seat = seat
	c.game = g
	c.ws.SetReadDeadline(time.Now().Add(pongWait))
	return true
}

// refuse sends an error and closes the connection with the given code.
func (c *conn) refuse(code int, err error) {
	c.reply(errorOut(c.srv.log, "", err))
	c.kill(code, apperr.AsError(err).Message)
}

// command decodes, checks and submits one command, then acks or refuses
// it.
func (c *conn) command(data []byte) {
	in, err := decodeCommand(data)
	if err != nil {
		c.reply(errorOut(c.srv.log, in.ID, err))
		return
	}
	if !c.limiter.Allow() {
		c.srv.rt.Metrics().Commands.WithLabelValues("any", apperr.ERateLimited).Inc()
		c.reply(errorOut(c.srv.log, in.ID, apperr.Errorf(apperr.ERateLimited,
			"Too many commands at once; wait a moment and try again.", "Trop de commandes d'un coup ; attendez un instant et réessayez.")))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := game.Command{ID: in.ID, Type: in.Cmd, Actor: c.actor, At: time.Now().UnixMilli(), Args: in.Args}
	ack, err := c.game.Submit(ctx, cmd)
	if err != nil {
		c.reply(errorOut(c.srv.log, in.ID, err))
		return
	}
	c.reply(protocol.Out{Type: protocol.TypeAck, ID: in.ID, Version: ack.Version, Result: ack.Result})
}

// decodeCommand decodes and checks a command message from a client. On
// error, the returned message still carries the command ID when one could
// be read, so that the error can name it.
func decodeCommand(data []byte) (protocol.In, error) {
	var in protocol.In
	if err := strictjson.Decode(data, &in, strictjson.Subject{EN: "the message", FR: "le message"}); err != nil {
		return protocol.In{ID: idOf(data)}, err
	}
	if !validText(data) {
		return in, errBadText()
	}
	return in, checkCommand(&in)
}

// idOf reads a message's id, if it has a readable one, so that a refusal
// can name the command it answers.
func idOf(data []byte) string {
	var env struct {
		ID string `json:"id"`
	}
	json.Unmarshal(data, &env)
	return env.ID
}

// checkCommand validates the envelope of a command message.
func checkCommand(in *protocol.In) error {
	switch {
	case in.Type != protocol.TypeCmd:
		return apperr.Errorf(apperr.EInvalid, `Unknown message type %q; send {"type":"cmd",…}.`, `Type de message inconnu %q ; envoyez {"type":"cmd",…}.`, in.Type)
	case in.ID == "" || len(in.ID) > maxCommandID || !utf8.ValidString(in.ID):
		return apperr.Errorf(apperr.EInvalid, "Every command needs an id of 1 to %d characters.", "Chaque commande doit avoir un id de 1 à %d caractères.", maxCommandID)
	case in.Cmd == "":
		return apperr.Errorf(apperr.EInvalid, "The command name (cmd) is missing.", "Le nom de la commande (cmd) manque.")
	}
	if len(in.Args) > 0 && in.Args[0] != '{' {
		if string(in.Args) != "null" {
			return apperr.Errorf(apperr.EInvalid, "The args of a command must be a JSON object.", "Les args d'une commande doivent être un objet JSON.")
		}
	}
	return nil
}

// writeBuffers lends connections a write buffer for the time of one
// message, instead of each holding one for its whole life.
var writeBuffers sync.Pool

var upgrader = websocket.Upgrader{
	// Clients send small messages (commands of a few hundred bytes): 512 B
	// reads most in one go, and larger ones in several reads.
	ReadBufferSize:  512,
	WriteBufferSize: 4096,
	WriteBufferPool: &writeBuffers,
	Subprotocols:    []string{protocol.Subprotocol},
	// Compression, negotiated with clients that ask (deflate.go).
	EnableCompression: wsDeflate,
	// Browsers from other origins must not open sockets with a stolen
	// token; non-browser clients send no Origin.
	CheckOrigin: sameOrigin,
}

func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := parseURL(origin)
	return err == nil && u.Host == r.Host
}
