package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/store"
)

// One writer per game. When several instances share a Redis, each game has
// an owner: the instance holding the game's lease in the store. Only the
// owner appends to the game's log; the other instances send it their
// clients' commands over the owner's pub/sub channel and wait for the
// answer: the command's entry, which every instance holding the game
// receives anyway, when the owner accepts it; the owner's own message when
// it refuses it. Without it, instances whose players share a game append over
// each other: the store refuses one of every colliding pair, which then
// reloads and retries, and under load the retries feed on themselves.
//
// The lease is taken by the first instance that writes the game, renewed by
// its appends (same round trip, once half of it has run), and ends after leaseTTL without
// any, or at once when the owner unloads the game or shuts down; an owner
// that died is detected when nobody listens on its channel any more, and
// the sender takes the lease over. The lease is only advice: the store's
// version check keeps the log whole whenever two instances write anyway.

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
	// ByEntry, on a command: the sender takes the command's entry, which
	// it receives as every instance does, as the answer to an accepted
	// command; the owner answers only the others (refused, sent before,
	// failed). Saves a message per command. Senders that do not set it
	// get an answer for every command.
	ByEntry bool `json:"byEntry,omitempty"`
}

// awaitKey names a command sent to a game's owner whose entry answers it.
type awaitKey struct {
	game  string
	actor game.Actor
	id    string
}

// settle answers the command this instance sent to the game's owner, if
// it waits for it, with its entry: applied here at version v with result
// res. Called with the game's lock held, after the entry's update went to
// the local connections (so the ack follows the update).
func (m *Manager) settle(gameID string, c game.Command, v int64, res map[string]any) {
	if m.nAwaited.Load() == 0 || c.ID == "" {
		return
	}
	k := awaitKey{gameID, c.Actor, c.ID}
	m.waitMu.Lock()
	answer := m.awaited[k]
	m.waitMu.Unlock()
	if answer != nil {
		select {
		case answer <- &fwdMsg{Kind: "entry", V: v, Res: res}:
		default: // answered already
		}
	}
}

// listen starts receiving the messages other instances send to this one.
func (m *Manager) listen() error {
	if !m.shared || m.opt.NoForward {
		return nil
	}
	o, ok := m.st.(store.Owners)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := o.Listen(ctx, m.opt.Instance, m.onMessage); err != nil {
		return err
	}
	m.owners = o
	return nil
}

// route submits a command through the game's owner: here when this
// instance owns the game, else by sending it to the owner.
func (m *Manager) route(ctx context.Context, lg *liveGame, c game.Command) (int64, map[string]any, error) {
	take := ""
	for {
		owner, err := lg.writer(ctx, take)
		if err != nil {
			m.met.RedisErrors.Inc()
			if ctx.Err() != nil {
				return 0, nil, errTimedOut()
			}
			return 0, nil, storeFault(err)
		}
		if owner == m.opt.Instance {
			return m.submit(lg, c)
		}
		r, err := m.forward(ctx, lg, owner, c)
		switch {
		case errors.Is(err, errNobody):
			// The owner is gone without releasing its lease: take it.
			take = owner
			lg.forget()
			continue
		case errors.Is(err, errNoAnswer):
			take = ""
			lg.forget()
			if ctx.Err() != nil {
				return 0, nil, errTimedOut()
			}
			continue
		case err != nil:
			return 0, nil, err
		}
		if r.Err != nil {
			return r.V, nil, r.Err
		}
		return r.V, r.Res, nil
	}
}

var (
	errNobody   = errors.New("nobody listens for the game's owner")
	errNoAnswer = errors.New("the game's owner did not answer")
)

// errTimedOut: the command could not reach the game's owner, or its
// answer did not come, in time (the store, or the owner, does not answer):
// it may have been stored or not; resending it is safe.
func errTimedOut() error { return errNotStored() }

// writer returns the game's owner: from the lease this instance remembers
// or, when it has ended, from the store (claiming the lease when it is
// free, or held by takeFrom).
func (lg *liveGame) writer(ctx context.Context, takeFrom string) (string, error) {
	lg.ownMu.Lock()
	if takeFrom == "" && lg.owner != "" && time.Now().Before(lg.ownerUntil) {
		owner := lg.owner
		lg.ownMu.Unlock()
		return owner, nil
	}
	lg.ownMu.Unlock()
	m := lg.m
	start := time.Now()
	owner, left, err := m.owners.Claim(ctx, lg.id, m.opt.Instance, leaseTTL, takeFrom)
	m.claims.Inc()
	if err != nil {
		return "", err
	}
	lg.ownMu.Lock()
	lg.owner, lg.ownerUntil = owner, start.Add(min(left, leaseTTL)-leaseMargin)
	lg.ownMu.Unlock()
	return owner, nil
}

// forget drops the remembered owner.
func (lg *liveGame) forget() {
	lg.ownMu.Lock()
	lg.owner = ""
	lg.ownMu.Unlock()
}

// renewed records that an append that started at start kept this
// instance's lease (appends carry the lease and leave it at least half of
// leaseTTL; see store.AppendOptions and commitOnce).
func (lg *liveGame) renewed(start time.Time) {
	lg.ownMu.Lock()
	if lg.owner == lg.m.opt.Instance {
		lg.ownerUntil = start.Add(leaseTTL/2 - leaseMargin)
	}
	lg.ownMu.Unlock()
}

// leaseLeft is what this instance's lease on the game has left, if it
// holds it (else 0).
func (lg *liveGame) leaseLeft() time.Duration {
	lg.ownMu.Lock()
	defer lg.ownMu.Unlock()
	if lg.owner != lg.m.opt.Instance {
		return 0
	}
	return max(time.Until(lg.ownerUntil), 0)
}

// forward sends a command to the game's owner and waits for its answer,
// at most forwardTry. An accepted command with an ID is answered by its
// entry as this instance applies it (settle); any other answer comes from
// the owner, and for an accepted command the entry is applied here before
// returning. Either way the client gets the update before the ack, as
// with a command stored here.
func (m *Manager) forward(ctx context.Context, lg *liveGame, owner string, c game.Command) (*fwdMsg, error) {
	req := m.reqSeq.Add(1)
	answer := make(chan *fwdMsg, 1)
	// A command with an ID is answered by its entry when accepted (the
	// entry names actor and ID); one without, always by the owner.
	byEntry := c.ID != ""
	k := awaitKey{lg.id, c.Actor, c.ID}
	m.waitMu.Lock()
	m.waiting[req] = answer
	if byEntry {
		if _, dup := m.awaited[k]; dup {
			byEntry = false // the same command sent twice at once: the owner answers
		} else {
			m.awaited[k] = answer
			m.nAwaited.Add(1)
		}
	}
	m.waitMu.Unlock()
	defer func() {
		m.waitMu.Lock()
		delete(m.waiting, req)
		if byEntry {
			delete(m.awaited, k)
			m.nAwaited.Add(-1)
		}
		m.waitMu.Unlock()
	}()
	b, err := json.Marshal(fwdMsg{Kind: "cmd", Req: req, From: m.opt.Instance, Game: lg.id, Cmd: &c, ByEntry: byEntry})
	if err != nil {
		return nil, err
	}
	heard, err := m.owners.Send(ctx, owner, b)
	if err != nil {
		m.met.RedisErrors.Inc()
		return nil, storeFault(err)
	}
	if !heard {
		return nil, errNobody
	}
	m.forwarded.Inc()
	t := time.NewTimer(forwardTry)
	defer t.Stop()
	var r *fwdMsg
	select {
	case r = <-answer:
	case <-t.C:
		return nil, errNoAnswer
	case <-ctx.Done():
		return nil, errNoAnswer
	}
	if r.Kind == "entry" {
		return r, nil // applied here already
	}
	if r.Gone {
		return nil, errNobody
	}
	if r.Lease > 0 {
		lg.ownMu.Lock()
		if lg.owner == owner {
			lg.ownerUntil = time.Now().Add(time.Duration(r.Lease)*time.Millisecond - leaseMargin)
		}
		lg.ownMu.Unlock()
	}
	if r.V > 0 && r.Err == nil {
		// The entry was published before the answer, on the same
		// connection: it is in the inbox (or the stream, if the inbox
		// overflowed).
		lg.mu.Lock()
		lg.applyInbox()
		if lg.state.Version < r.V {
			lg.catchUp(ctx)
		}
		lg.mu.Unlock()
	}
	return r, nil
}

// onMessage receives what other instances send to this one. It runs on the
// store's pub/sub goroutine: commands are served on goroutines of their own.
func (m *Manager) onMessage(b []byte) {
	var msg fwdMsg
	if err := json.Unmarshal(b, &msg); err != nil {
		m.log.Warn("unreadable message from another instance; dropped", "err", err)
		return
	}
	switch msg.Kind {
	case "ack":
		m.waitMu.Lock()
		answer := m.waiting[msg.Req]
		m.waitMu.Unlock()
		if answer != nil {
			select {
			case answer <- &msg:
			default: // answered already (a command sent twice)
			}
		}
	case "cmd":
		if msg.Cmd == nil || msg.From == "" || msg.Game == "" {
			m.log.Warn("incomplete command from another instance; dropped", "from", msg.From, "game", msg.Game)
			return
		}
		go m.serve(&msg)
	default:
		m.log.Warn("unknown message from another instance; dropped", "kind", msg.Kind)
	}
}

// serve stores a command another instance sent, and answers it.
func (m *Manager) serve(msg *fwdMsg) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	reply := fwdMsg{Kind: "ack", Req: msg.Req}
	lg, err := m.get(ctx, msg.Game)
	if err == nil {
		lg.mu.Lock()
		lg.lastUsed = time.Now() // in use from elsewhere: keep it loaded
		lg.mu.Unlock()
		var fresh bool
		reply.V, reply.Res, fresh, err = m.submitFresh(lg, *msg.Cmd)
		if err == nil && fresh && msg.ByEntry && msg.Cmd.ID != "" {
			return // stored now, so published: its entry answers the sender
		}
		reply.Lease = lg.leaseLeft().Milliseconds()
	}
	if err != nil {
		m.mu.Lock()
		reply.Gone = m.closed // not stored: the sender should find the new owner
		m.mu.Unlock()
		if apperr.ErrorCode(err) == apperr.EInternal && !reply.Gone {
			m.log.Error("command sent by another instance failed", "game", msg.Game, "from", msg.From, "cmd", msg.Cmd.Type, "err", err)
		}
		reply.Err = apperr.AsError(err)
	}
	b, err := json.Marshal(reply)
	if err == nil {
		_, err = m.owners.Send(ctx, msg.From, b)
	}
	if err != nil {
		m.met.RedisErrors.Inc()
		m.log.Warn("cannot answer another instance", "to", msg.From, "err", err)
	}
}

// release ends this instance's lease on the game, if it holds it.
func (m *Manager) release(ctx context.Context, lg *liveGame) {
	if m.owners == nil {
		return
	}
	lg.ownMu.Lock()
	mine := lg.owner == m.opt.Instance
	lg.owner = ""
	lg.ownMu.Unlock()
	if !mine || ctx.Err() != nil {
		return
	}
	if err := m.owners.Release(ctx, lg.id, m.opt.Instance); err != nil {
		m.met.RedisErrors.Inc()
		m.log.Warn("cannot release a game's lease", "game", lg.id, "err", err)
	}
}
