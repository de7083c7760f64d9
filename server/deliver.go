package server

import (
	"encoding/json"
	"slices"
	"time"

	"devopschallenge/game"
	"devopschallenge/protocol"
)

// Delivering changes: each change is encoded once per audience of local
// connections (and once per player whose own "me" changed), remembered in
// the game's recent history for resuming clients, and queued for each
// connection once the store holds it.

// fanout sends each local audience the documents a change touched. Called
// with lg.mu held.
func (lg *liveGame) fanout(ch *game.Change, version int64) {
	lg.deliver(lg.prepare(ch, version))
}

// delivery is the messages of one version for the local connections,
// encoded while the state was at that version and sent once the store
// holds it.
type delivery struct {
	sends  []groupSend
	own    map[string]*prepared // by player: the audience's update and their "me"
	reseat []string
}

type groupSend struct {
	g   *group
	msg *prepared // nil: nothing for this audience
}

// prepare encodes the update of a change for each local audience, once
// per audience, and for each player whose "me" changed. An audience gets
// nothing when none of the documents concerns it: each is invisible to
// it and already known to it as absent (a team is not sent a null for
// another team's card at every edit). Called with lg.mu held, the state
// at version.
func (lg *liveGame) prepare(ch *game.Change, version int64) *delivery {
	lg.history = append(lg.history, histEntry{version: version, docs: ch.Docs, private: ch.Private, reseat: ch.Reseat})
	if len(lg.history) > 2*histSize {
		lg.history = slices.Delete(lg.history, 0, len(lg.history)-histSize)
	}
	now := time.Now().UnixMilli()
	d := &delivery{sends: make([]groupSend, 0, len(lg.groups)), reseat: ch.Reseat}
	enc := &docEncoder{m: lg.m}
	var docs map[*group][]encodedDoc
	for _, g := range lg.groups {
		s := groupSend{g: g}
		if len(ch.Docs) > 0 {
			if gd := lg.changedDocs(g, ch.Docs, enc); len(gd) > 0 {
				s.msg = &prepared{data: lg.m.updateMessage(version, now, gd)}
				if len(ch.Private) > 0 {
					if docs == nil {
						docs = map[*group][]encodedDoc{}
					}
					docs[g] = gd
				}
			}
		}
		d.sends = append(d.sends, s)
	}
	for _, id := range ch.Private {
		if slices.Contains(ch.Reseat, id) {
			continue // gets a fresh snapshot
		}
		for c := range lg.players[id] {
			me, _ := lg.m.eng.Doc(lg.state, c.viewer(lg.state), "me")
			raw, err := json.Marshal(me)
			if err != nil {
				lg.m.log.Error("encode document", "key", "me", "err", err)
				raw = jsonNull
			}
			own := append(slices.Clip(docs[lg.groups[c.aud]]), encodedDoc{key: "me", raw: raw})
			if d.own == nil {
				d.own = map[string]*prepared{}
			}
			d.own[id] = &prepared{data: lg.m.updateMessage(version, now, own)}
			break // every connection of a player is in the same audience
		}
	}
	return d
}

// deliver queues prepared messages for the local connections. Called with
// lg.mu held; the connections and audiences are those prepare saw.
func (lg *liveGame) deliver(d *delivery) {
	for _, s := range d.sends {
		for c := range s.g.conns {
			if id := c.actor.PlayerID; id != "" {
				if slices.Contains(d.reseat, id) {
					continue // handled below, with the new identity
				}
				if m := d.own[id]; m != nil {
					c.enqueue(m)
					continue
				}
			}
			if s.msg != nil {
				c.enqueue(s.msg)
			}
		}
	}
	for _, id := range d.reseat {
		for c := range lg.players[id] {
			lg.reseat(c)
		}
	}
}

// hiddenUndo undoes one change to an audience's set of documents known
// as absent.
type hiddenUndo struct {
	g     *group
	key   string
	was   bool            // key was in the set
	reset bool            // the set was replaced; old is the previous one
	old   map[string]bool // idem
}

func (u hiddenUndo) revert() {
	switch {
	case u.reset:
		u.g.hidden = u.old
	case u.was:
		if u.g.hidden == nil {
			u.g.hidden = map[string]bool{}
		}
		u.g.hidden[u.key] = true
	default:
		delete(u.g.hidden, u.key)
	}
}

// logHidden records a change to undo, while a batch may be undone.
func (lg *liveGame) logHidden(u hiddenUndo) {
	if lg.hiddenLog != nil {
		*lg.hiddenLog = append(*lg.hiddenLog, u)
	}
}

// maxHidden bounds an audience's set of documents known to be absent;
// past it the set starts again (costing a few needless nulls).
const maxHidden = 4096

// changedDocs returns what audience g must be told of the documents keys
// (sorted), encoded: each one it sees, and null for each it does not see
// unless it already knows it as absent. Called with lg.mu held.
func (lg *liveGame) changedDocs(g *group, keys []string, enc *docEncoder) []encodedDoc {
	var out []encodedDoc
	for _, k := range keys {
		raw := jsonNull
		if d, ok := lg.m.eng.Doc(lg.state, g.viewer, k); ok {
			if g.hidden[k] {
				lg.logHidden(hiddenUndo{g: g, key: k, was: true})
				delete(g.hidden, k)
			}
			raw = enc.encode(k, d)
		} else {
			if g.hidden[k] {
				continue
			}
			if g.hidden == nil || len(g.hidden) >= maxHidden {
				lg.logHidden(hiddenUndo{g: g, reset: true, old: g.hidden})
				g.hidden = map[string]bool{}
			}
			lg.logHidden(hiddenUndo{g: g, key: k})
			g.hidden[k] = true
		}
		if out == nil {
			out = make([]encodedDoc, 0, len(keys))
		}
		out = append(out, encodedDoc{key: k, raw: raw})
	}
	return out
}

// docs computes the documents of keys as viewer v sees them; null for
// those v may not see.
func (lg *liveGame) docs(v game.Viewer, keys []string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if d, ok := lg.m.eng.Doc(lg.state, v, k); ok {
			out[k] = d
		} else {
			out[k] = nil
		}
	}
	return out
}

// reseat moves a connection whose player changed team or company to its
// new audience with a fresh snapshot, or closes it if the player was
// kicked. Called with lg.mu held.
func (lg *liveGame) reseat(c *conn) {
	p := lg.state.Players[c.actor.PlayerID]
	if p == nil || p.Kicked {
		c.kill(protocol.CloseRevoked, "removed by the facilitator")
		return
	}
	lg.leaveGroup(c)
	lg.joinGroup(c)
	c.enqueue(lg.snapshotFor(c))
}

// resnapshot sends every local connection a fresh snapshot. Called with
// lg.mu held.
func (lg *liveGame) resnapshot() {
	for _, g := range lg.groups {
		g.hidden = nil
		for c := range g.conns {
			c.enqueue(lg.snapshotFor(c))
		}
	}
}

func (lg *liveGame) snapshotFor(c *conn) *prepared {
	v := c.viewer(lg.state)
	return lg.m.single(protocol.Out{Type: protocol.TypeSnapshot, Version: lg.state.Version, Now: time.Now().UnixMilli(),
		You: you(v), Docs: lg.m.eng.Snapshot(lg.state, v)})
}

func you(v game.Viewer) *protocol.You {
	return &protocol.You{Role: string(v.Role), PlayerID: v.PlayerID, Company: v.Company, Team: v.Team}
}

// resume returns what a (re)connecting client that has seen version from
// needs: an update with the documents changed since, or a snapshot.
// Called with lg.mu held.
func (lg *liveGame) resume(c *conn, from int64) *prepared {
	cur := lg.state.Version
	if from <= 0 || from > cur || len(lg.history) == 0 || lg.history[0].version > from+1 {
		return lg.snapshotFor(c)
	}
	keys := []string{}
	for _, h := range lg.history {
		if h.version <= from {
			continue
		}
		if slices.Contains(h.reseat, c.actor.PlayerID) {
			return lg.snapshotFor(c)
		}
		keys = append(keys, h.docs...)
		if slices.Contains(h.private, c.actor.PlayerID) {
			keys = append(keys, "me")
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	return lg.m.single(protocol.Out{Type: protocol.TypeUpdate, Version: cur, Now: time.Now().UnixMilli(),
		Docs: lg.docs(c.viewer(lg.state), keys)})
}

// joinGroup adds a connection to its audience. Called with lg.mu held.
func (lg *liveGame) joinGroup(c *conn) {
	v := c.viewer(lg.state)
	aud := v.Audience()
	g := lg.groups[aud]
	if g == nil {
		shared := v
		shared.PlayerID = ""
		g = &group{viewer: shared, conns: map[*conn]bool{}}
		lg.groups[aud] = g
	}
	g.conns[c] = true
	c.aud = aud
}

// leaveGroup removes a connection from its audience. Called with lg.mu
// held.
func (lg *liveGame) leaveGroup(c *conn) {
	if g := lg.groups[c.aud]; g != nil {
		delete(g.conns, c)
		if len(g.conns) == 0 {
			delete(lg.groups, c.aud)
		}
	}
}

// attach registers a connection with the game and returns what it needs
// to catch up. Called with lg.mu held.
func (lg *liveGame) attach(c *conn, from int64) *prepared {
	lg.joinGroup(c)
	if id := c.actor.PlayerID; id != "" {
		if lg.players[id] == nil {
			lg.players[id] = map[*conn]bool{}
		}
		lg.players[id][c] = true
		lg.dirty[id] = true
	}
	return lg.resume(c, from)
}

// detach unregisters a connection. Called with lg.mu held.
func (lg *liveGame) detach(c *conn) {
	lg.leaveGroup(c)
	if id := c.actor.PlayerID; id != "" {
		delete(lg.players[id], c)
		if len(lg.players[id]) == 0 {
			delete(lg.players, id)
		}
		lg.dirty[id] = true
	}
	if len(lg.groups) == 0 {
		lg.lastUsed = time.Now()
	}
}
