package live

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/store"
)

// One writer per game. When several instances share a Redis, each game has
// an owner: the instance holding the game's lease in the store. Only the
// owner appends to the game's log; the other instances send it their
// clients' commands over the owner's pub/sub channel and wait for the
// answer. Without it, instances whose players share a game append over
// each other: the store refuses one of every colliding pair, which then
// reloads and retries, and under load the retries feed on themselves.
//
// An answer comes one of two ways, both into the same channel: an accepted
// command with an ID is answered by its entry, which every instance
// holding the game receives anyway (settle, called by the game's goroutine
// once the entry's update went to the local subscribers); anything else
// (a refusal, a command sent before, one without an ID) by the owner's
// own message, after which the sender's game catches up to the answer's
// version. Either way the client gets the update before the ack, as with
// a command stored here.
//
// The lease is taken by the first instance that writes the game, renewed by
// its appends (same round trip, once half of it has run), and ends after
// leaseTTL without any, or at once when the owner unloads the game or
// shuts down; an owner that died is detected when nobody listens on its
// channel any more, and the sender takes the lease over. The lease is only
// advice: the store's version check keeps the log whole whenever two
// instances write anyway.

const (
	// leaseTTL is how long a game's lease lasts after its owner's last
	// append.
	leaseTTL = 10 * time.Second
	// leaseMargin: an instance treats a lease as ended this long before
	// the store does (the round trip, clocks).
	leaseMargin = time.Second
	// forwardTry is how long an instance waits for the owner's answer
	// before asking the store again who owns the game and sending again
	// (the command ID makes a second delivery harmless).
	forwardTry = 3 * time.Second
	// serveTimeout bounds the time to store a command another instance
	// sent.
	serveTimeout = 10 * time.Second
)

// fwdMsg is a message between instances: a command sent to a game's owner
// ("cmd") or the owner's answer ("ack").
type fwdMsg struct {
	Kind string `json:"k"`
	// Req matches an answer to its command; From is the sender's instance.
	Req  uint64 `json:"req"`
	From string `json:"from,omitempty"`
	// Game and Cmd: the command (kind "cmd").
	Game string        `json:"game,omitempty"`
	Cmd  *game.Command `json:"cmd,omitempty"`
	// The answer: version and result, or the error.
	V   int64          `json:"v,omitempty"`
	Res map[string]any `json:"res,omitempty"`
	Err *apperr.Error  `json:"err,omitempty"`
	// Gone: the instance is shutting down; ask the store again.
	Gone bool `json:"gone,omitempty"`
	// Lease is what the owner's lease has left, in ms (0: unknown).
	Lease int64 `json:"lease,omitempty"`
	// ByEntry, on a command: the sender takes the command's entry as the
	// answer to an accepted command; the owner answers only the others
	// (refused, sent before, failed). Saves a message per command.
	// Senders that do not set it get an answer for every command.
	ByEntry bool `json:"byEntry,omitempty"`
}

// awaitKey names a command sent to a game's owner whose entry answers it.
type awaitKey struct {
	game  string
	actor game.Actor
	id    string
}

// router sends commands to the owners of games and serves those other
// instances send to this one.
type router struct {
	owners store.Owners
	seq    atomic.Uint64
	mu     sync.Mutex
	// waiting holds the answers awaited, by request; byEntry, the same
	// for the commands whose entry answers them. Guarded by mu; nByEntry
	// is byEntry's length, read without the lock to skip it when empty.
	waiting  map[uint64]chan *fwdMsg
	byEntry  map[awaitKey]chan *fwdMsg
	nByEntry atomic.Int64
}

// listen starts receiving the messages other instances send to this one.
func (r *Runtime) listen() error {
	if !r.shared || r.opt.NoForward {
		return nil
	}
	o, ok := r.st.(store.Owners)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.router = &router{owners: o, waiting: map[uint64]chan *fwdMsg{}, byEntry: map[awaitKey]chan *fwdMsg{}}
	return o.Listen(ctx, r.opt.Instance, r.onMessage)
}

// route stores a command through the game's owner: here when this
// instance owns the game (or there are no owners), else by sending it to
// the owner.
func (g *Game) route(ctx context.Context, c game.Command) (Ack, error) {
	r := g.rt
	take := ""
	for {
		owner := r.opt.Instance
		if r.router != nil {
			var err error
			if owner, err = g.writer(ctx, take); err != nil {
				r.met.StoreErrors.Inc()
				if ctx.Err() != nil {
					return Ack{}, errNotStored()
				}
				return Ack{}, storeFault(err)
			}
		}
		if owner == r.opt.Instance {
			a, _, err := g.commitHere(c)
			return a, err
		}
		ans, err := g.forward(ctx, owner, c)
		switch {
		case errors.Is(err, errNobody):
			// The owner is gone without releasing its lease: take it.
			take = owner
			g.forget()
			continue
		case errors.Is(err, errNoAnswer):
			take = ""
			g.forget()
			if ctx.Err() != nil {
				return Ack{}, errNotStored() // it may have been stored or not
			}
			continue
		case err != nil:
			return Ack{}, err
		}
		if ans.Err != nil {
			return Ack{}, ans.Err
		}
		return Ack{ans.V, ans.Res}, nil
	}
}

var (
	errNobody   = errors.New("nobody listens for the game's owner")
	errNoAnswer = errors.New("the game's owner did not answer")
)

// writer returns the game's owner: from the lease this instance remembers
// or, when it has ended, from the store (claiming the lease when it is
// free, or held by takeFrom).
func (g *Game) writer(ctx context.Context, takeFrom string) (string, error) {
	g.ownMu.Lock()
	if takeFrom == "" && g.owner != "" && time.Now().Before(g.ownerUntil) {
		owner := g.owner
		g.ownMu.Unlock()
		return owner, nil
	}
	g.ownMu.Unlock()
	r := g.rt
	start := time.Now()
	owner, left, err := r.router.owners.Claim(ctx, g.id, r.opt.Instance, leaseTTL, takeFrom)
	r.met.Claims.Inc()
	if err != nil {
		return "", err
	}
	g.ownMu.Lock()
	g.owner, g.ownerUntil = owner, start.Add(min(left, leaseTTL)-leaseMargin)
	g.ownMu.Unlock()
	return owner, nil
}

// forget drops the remembered owner.
func (g *Game) forget() {
	g.ownMu.Lock()
	g.owner = ""
	g.ownMu.Unlock()
}

// renewed records that an append that started at start kept this
// instance's lease (appends carry the lease and leave it at least half of
// leaseTTL; see store.AppendOptions).
func (g *Game) renewed(start time.Time) {
	g.ownMu.Lock()
	if g.owner == g.rt.opt.Instance {
		g.ownerUntil = start.Add(leaseTTL/2 - leaseMargin)
	}
	g.ownMu.Unlock()
}

// leaseLeft is what this instance's lease on the game has left, if it
// holds it (else 0).
func (g *Game) leaseLeft() time.Duration {
	g.ownMu.Lock()
	defer g.ownMu.Unlock()
	if g.owner != g.rt.opt.Instance {
		return 0
	}
	return max(time.Until(g.ownerUntil), 0)
}

// await registers the wait for the answer to a command sent to a game's
// owner; byEntry (when the command can be answered by its entry) is false
// if the same command is already awaited by its entry. done unregisters.
func (rt *router) await(gameID string, c game.Command) (req uint64, answer chan *fwdMsg, byEntry bool, done func()) {
	req = rt.seq.Add(1)
	answer = make(chan *fwdMsg, 1)
	k := awaitKey{gameID, c.Actor, c.ID}
	byEntry = c.ID != ""
	rt.mu.Lock()
	rt.waiting[req] = answer
	if byEntry {
		if _, dup := rt.byEntry[k]; dup {
			byEntry = false // the same command sent twice at once: the owner answers
		} else {
			rt.byEntry[k] = answer
			rt.nByEntry.Add(1)
		}
	}
	rt.mu.Unlock()
	return req, answer, byEntry, func() {
		rt.mu.Lock()
		delete(rt.waiting, req)
		if byEntry {
			delete(rt.byEntry, k)
			rt.nByEntry.Add(-1)
		}
		rt.mu.Unlock()
	}
}

// forward sends a command to the game's owner and waits for its answer,
// at most forwardTry.
func (g *Game) forward(ctx context.Context, owner string, c game.Command) (*fwdMsg, error) {
	r := g.rt
	req, answer, byEntry, done := r.router.await(g.id, c)
	defer done()
	b, err := json.Marshal(fwdMsg{Kind: "cmd", Req: req, From: r.opt.Instance, Game: g.id, Cmd: &c, ByEntry: byEntry})
	if err != nil {
		return nil, err
	}
	heard, err := r.router.owners.Send(ctx, owner, b)
	if err != nil {
		r.met.StoreErrors.Inc()
		return nil, storeFault(err)
	}
	if !heard {
		return nil, errNobody
	}
	r.met.Forwarded.Inc()
	t := time.NewTimer(forwardTry)
	defer t.Stop()
	var ans *fwdMsg
	select {
	case ans = <-answer:
	case <-t.C:
		return nil, errNoAnswer
	case <-ctx.Done():
		return nil, errNoAnswer
	}
	if ans.Kind == "entry" {
		return ans, nil // applied here already
	}
	if ans.Gone {
		return nil, errNobody
	}
	if ans.Lease > 0 {
		g.ownMu.Lock()
		if g.owner == owner {
			g.ownerUntil = time.Now().Add(time.Duration(ans.Lease)*time.Millisecond - leaseMargin)
		}
		g.ownMu.Unlock()
	}
	if ans.V > 0 && ans.Err == nil {
		// The entry was published before the answer, on the same
		// connection: it is in the inbox (or the stream, if the inbox
		// overflowed).
		if err := g.catchUpTo(ctx, ans.V); err != nil {
			return nil, errNoAnswer
		}
	}
	return ans, nil
}

// settle answers the command this instance sent to the game's owner, if
// it waits for it, with its entry: applied here at version v with result
// res. Called by the game's goroutine after the entry's update went to the
// local subscribers (so the ack follows the update).
func (r *Runtime) settle(gameID string, c game.Command, v int64, res map[string]any) {
	rt := r.router
	if rt == nil || rt.nByEntry.Load() == 0 || c.ID == "" {
		return
	}
	rt.mu.Lock()
	answer := rt.byEntry[awaitKey{gameID, c.Actor, c.ID}]
	rt.mu.Unlock()
	if answer != nil {
		select {
		case answer <- &fwdMsg{Kind: "entry", V: v, Res: res}:
		default: // answered already
		}
	}
}

// onMessage receives what other instances send to this one. It runs on the
// store's pub/sub goroutine: commands are served on goroutines of their own.
func (r *Runtime) onMessage(b []byte) {
	var msg fwdMsg
	if err := json.Unmarshal(b, &msg); err != nil {
		r.log.Warn("unreadable message from another instance; dropped", "err", err)
		return
	}
	switch msg.Kind {
	case "ack":
		r.router.mu.Lock()
		answer := r.router.waiting[msg.Req]
		r.router.mu.Unlock()
		if answer != nil {
			select {
			case answer <- &msg:
			default: // answered already (a command sent twice)
			}
		}
	case "cmd":
		if msg.Cmd == nil || msg.From == "" || msg.Game == "" {
			r.log.Warn("incomplete command from another instance; dropped", "from", msg.From, "game", msg.Game)
			return
		}
		r.spawn(func() { r.serve(&msg) })
	default:
		r.log.Warn("unknown message from another instance; dropped", "kind", msg.Kind)
	}
}

// serve stores a command another instance sent, and answers it.
func (r *Runtime) serve(msg *fwdMsg) {
	ctx, cancel := context.WithTimeout(r.ctx, serveTimeout)
	defer cancel()
	reply := fwdMsg{Kind: "ack", Req: msg.Req}
	g, err := r.Open(ctx, msg.Game)
	if err == nil {
		g.touch() // in use from elsewhere: keep it loaded
		var a Ack
		var fresh bool
		a, fresh, err = g.commitHere(*msg.Cmd)
		reply.V, reply.Res = a.Version, a.Result
		if err == nil && fresh && msg.ByEntry && msg.Cmd.ID != "" {
			return // stored now, so published: its entry answers the sender
		}
		reply.Lease = g.leaseLeft().Milliseconds()
	}
	if err != nil {
		r.mu.Lock()
		reply.Gone = r.closed // not stored: the sender should find the new owner
		r.mu.Unlock()
		if apperr.ErrorCode(err) == apperr.EInternal && !reply.Gone {
			r.log.Error("command sent by another instance failed", "game", msg.Game, "from", msg.From, "cmd", msg.Cmd.Type, "err", err)
		}
		reply.Err = apperr.AsError(err)
	}
	// The answer goes out even while this instance shuts down.
	sctx, cancel := context.WithTimeout(context.Background(), forwardTry)
	defer cancel()
	b, err := json.Marshal(reply)
	if err == nil {
		_, err = r.router.owners.Send(sctx, msg.From, b)
	}
	if err != nil {
		r.met.StoreErrors.Inc()
		r.log.Warn("cannot answer another instance", "to", msg.From, "err", err)
	}
}

// release ends this instance's lease on the game, if it holds it.
func (r *Runtime) release(ctx context.Context, g *Game) {
	if r.router == nil {
		return
	}
	g.ownMu.Lock()
	mine := g.owner == r.opt.Instance
	g.owner = ""
	g.ownMu.Unlock()
	if !mine || ctx.Err() != nil {
		return
	}
	if err := r.router.owners.Release(ctx, g.id, r.opt.Instance); err != nil {
		r.met.StoreErrors.Inc()
		r.log.Warn("cannot release a game's lease", "game", g.id, "err", err)
	}
}
