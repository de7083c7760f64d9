package live

import (
	"encoding/json"
	"slices"
	"time"

	"devopschallenge/game"
	"devopschallenge/protocol"
)

// Fan-out and resume: each change is encoded once per audience of local
// subscribers (and once per player whose own "me" changed), remembered in
// the game's recent history for resuming clients, and handed to each
// subscriber once the store holds it. Everything here runs with g.mu held.

// histSize is how many recent versions a game remembers, at least, for
// resuming clients with an update rather than a snapshot. The history
// grows to twice that and then drops its older half at once: dropping
// one entry per version moved the whole slice at every command.
const histSize = 512

// member is a subscriber as the game knows it.
type member struct {
	sub   Subscriber
	actor game.Actor
	aud   string // the audience it is grouped under
}

func (m *member) viewer(s *game.State) game.Viewer { return s.ViewerOf(m.actor) }

// group is the local subscribers of one audience (game.Viewer.Audience).
type group struct {
	viewer  game.Viewer
	members map[*member]bool
	// hidden holds documents every member of the group knows to be
	// absent (not visible to the audience): told so by a null, or never
	// shown one since. A change to such a document that leaves it
	// invisible is not sent to the group. Cleared when the group's
	// members get fresh snapshots.
	hidden map[string]bool
}

type histEntry struct {
	version int64
	docs    []string
	private []string
	reseat  []string
}

// delivery is the messages of one version for the local subscribers,
// prepared while the state was at that version and delivered once the
// store holds it.
type delivery struct {
	hist   histEntry
	sends  []groupSend
	own    map[string]*Message // by player: the audience's update and their "me"
	reseat []string
}

type groupSend struct {
	g   *group
	msg *Message // nil: nothing for this audience
}

// fanout prepares and delivers a stored change at once.
func (g *Game) fanout(ch *game.Change, version int64) {
	var absent absence
	d := g.prepare(ch, version, &absent)
	absent.apply()
	g.deliver(d)
}

// prepare encodes the update of a change for each local audience, once
// per audience, and for each player whose "me" changed. An audience gets
// nothing when none of the documents concerns it: each is invisible to
// it and already known to it as absent (a team is not sent a null for
// another team's card at every edit). What that changes in the
// audiences' sets of absent documents goes to absent. The state is at
// version.
func (g *Game) prepare(ch *game.Change, version int64, absent *absence) *delivery {
	now := time.Now().UnixMilli()
	d := &delivery{hist: histEntry{version: version, docs: ch.Docs, private: ch.Private, reseat: ch.Reseat},
		sends: make([]groupSend, 0, len(g.groups)), reseat: ch.Reseat}
	enc := &docEncoder{r: g.rt}
	var docs map[*group][]encodedDoc
	for _, gr := range g.groups {
		s := groupSend{g: gr}
		if len(ch.Docs) > 0 {
			if gd := g.changedDocs(gr, ch.Docs, enc, absent); len(gd) > 0 {
				s.msg = &Message{Data: g.rt.updateMessage(version, now, gd)}
				if len(ch.Private) > 0 {
					if docs == nil {
						docs = map[*group][]encodedDoc{}
					}
					docs[gr] = gd
				}
			}
		}
		d.sends = append(d.sends, s)
	}
	for _, id := range ch.Private {
		if slices.Contains(ch.Reseat, id) {
			continue // gets a fresh snapshot
		}
		for m := range g.players[id] {
			me, _ := g.rt.eng.Doc(g.state, m.viewer(g.state), "me")
			raw, err := json.Marshal(me)
			if err != nil {
				g.rt.log.Error("encode document", "key", "me", "err", err)
				raw = jsonNull
			}
			own := append(slices.Clip(docs[g.groups[m.aud]]), encodedDoc{key: "me", raw: raw})
			if d.own == nil {
				d.own = map[string]*Message{}
			}
			d.own[id] = &Message{Data: g.rt.updateMessage(version, now, own)}
			break // every subscriber of a player is in the same audience
		}
	}
	return d
}

// deliver hands prepared messages to the local subscribers and records
// the version in the history. The subscribers and audiences are those
// prepare saw.
func (g *Game) deliver(d *delivery) {
	g.history = append(g.history, d.hist)
	if len(g.history) > 2*histSize {
		g.history = slices.Delete(g.history, 0, len(g.history)-histSize)
	}
	for _, s := range d.sends {
		for m := range s.g.members {
			if id := m.actor.PlayerID; id != "" {
				if slices.Contains(d.reseat, id) {
					continue // handled below, with the new identity
				}
				if msg := d.own[id]; msg != nil {
					m.sub.Send(msg)
					continue
				}
			}
			if s.msg != nil {
				m.sub.Send(s.msg)
			}
		}
	}
	for _, id := range d.reseat {
		for m := range g.players[id] {
			g.reseat(m)
		}
	}
}

// maxHidden bounds an audience's set of documents known to be absent;
// past it the set starts again (costing a few needless nulls).
const maxHidden = 4096

// absence is what a batch of updates changes in the audiences' sets of
// documents known as absent (group.hidden), kept aside until the updates
// are delivered: each update is prepared as if the earlier ones had been
// sent, and the groups change only when they are.
type absence struct {
	known map[*group]map[string]bool // key -> known absent (true) or not any more (false)
	reset map[*group]bool            // the group's set starts again
}

func (a *absence) hidden(gr *group, key string) bool {
	if v, ok := a.known[gr][key]; ok {
		return v
	}
	return !a.reset[gr] && gr.hidden[key]
}

func (a *absence) set(gr *group, key string, hidden bool) {
	if a.known == nil {
		a.known = map[*group]map[string]bool{}
	}
	if a.known[gr] == nil {
		a.known[gr] = map[string]bool{}
	}
	if hidden && len(a.known[gr])+len(gr.hidden) >= maxHidden {
		if a.reset == nil {
			a.reset = map[*group]bool{}
		}
		a.reset[gr] = true
		clear(a.known[gr])
	}
	a.known[gr][key] = hidden
}

// apply writes the changes into the groups' sets.
func (a *absence) apply() {
	for gr, known := range a.known {
		if a.reset[gr] || gr.hidden == nil {
			gr.hidden = map[string]bool{}
		}
		for k, hidden := range known {
			if hidden {
				gr.hidden[k] = true
			} else {
				delete(gr.hidden, k)
			}
		}
	}
}

// changedDocs returns what audience gr must be told of the documents keys
// (sorted), encoded: each one it sees, and null for each it does not see
// unless it already knows it as absent.
func (g *Game) changedDocs(gr *group, keys []string, enc *docEncoder, absent *absence) []encodedDoc {
	var out []encodedDoc
	for _, k := range keys {
		raw := jsonNull
		if d, ok := g.rt.eng.Doc(g.state, gr.viewer, k); ok {
			if absent.hidden(gr, k) {
				absent.set(gr, k, false)
			}
			raw = enc.encode(k, d)
		} else {
			if absent.hidden(gr, k) {
				continue
			}
			absent.set(gr, k, true)
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
func (g *Game) docs(v game.Viewer, keys []string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if d, ok := g.rt.eng.Doc(g.state, v, k); ok {
			out[k] = d
		} else {
			out[k] = nil
		}
	}
	return out
}

// reseat moves a subscriber whose player changed team or company to its
// new audience with a fresh snapshot, or revokes it if the player was
// removed.
func (g *Game) reseat(m *member) {
	p := g.state.Players[m.actor.PlayerID]
	if p == nil || p.Kicked {
		m.sub.Revoke()
		return
	}
	g.leaveGroup(m)
	g.joinGroup(m)
	m.sub.Send(g.snapshotFor(m))
}

// resnapshot sends every local subscriber a fresh snapshot.
func (g *Game) resnapshot() {
	for _, gr := range g.groups {
		gr.hidden = nil
		for m := range gr.members {
			m.sub.Send(g.snapshotFor(m))
		}
	}
}

func (g *Game) snapshotFor(m *member) *Message {
	v := m.viewer(g.state)
	return g.rt.message(protocol.Out{Type: protocol.TypeSnapshot, Version: g.state.Version, Now: time.Now().UnixMilli(),
		You: You(v), Docs: g.rt.eng.Snapshot(g.state, v)})
}

// You is who a viewer is, as the protocol tells a client.
func You(v game.Viewer) *protocol.You {
	return &protocol.You{Role: string(v.Role), PlayerID: v.PlayerID, Company: v.Company, Team: v.Team}
}

// resume returns what a (re)connecting subscriber that has seen version
// from needs: an update with the documents changed since, or a snapshot.
func (g *Game) resume(m *member, from int64) *Message {
	cur := g.state.Version
	if from <= 0 || from > cur || len(g.history) == 0 || g.history[0].version > from+1 {
		return g.snapshotFor(m)
	}
	keys := []string{}
	for _, h := range g.history {
		if h.version <= from {
			continue
		}
		if slices.Contains(h.reseat, m.actor.PlayerID) {
			return g.snapshotFor(m)
		}
		keys = append(keys, h.docs...)
		if slices.Contains(h.private, m.actor.PlayerID) {
			keys = append(keys, "me")
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	return g.rt.message(protocol.Out{Type: protocol.TypeUpdate, Version: cur, Now: time.Now().UnixMilli(),
		Docs: g.docs(m.viewer(g.state), keys)})
}

// joinGroup adds a member to its audience.
func (g *Game) joinGroup(m *member) {
	v := m.viewer(g.state)
	aud := v.Audience()
	gr := g.groups[aud]
	if gr == nil {
		shared := v
		shared.PlayerID = ""
		gr = &group{viewer: shared, members: map[*member]bool{}}
		g.groups[aud] = gr
	}
	gr.members[m] = true
	m.aud = aud
}

// leaveGroup removes a member from its audience.
func (g *Game) leaveGroup(m *member) {
	if gr := g.groups[m.aud]; gr != nil {
		delete(gr.members, m)
		if len(gr.members) == 0 {
			delete(g.groups, m.aud)
		}
	}
}

// subscribe registers a subscriber and sends it what it needs to catch
// up from version from.
func (g *Game) subscribe(sub Subscriber, actor game.Actor, from int64) {
	m := &member{sub: sub, actor: actor}
	g.subs[sub] = m
	g.joinGroup(m)
	if id := actor.PlayerID; id != "" {
		if g.players[id] == nil {
			g.players[id] = map[*member]bool{}
		}
		g.players[id][m] = true
		g.dirty[id] = true
	}
	sub.Send(g.resume(m, from))
}

// unsubscribe removes a subscriber.
func (g *Game) unsubscribe(sub Subscriber) {
	m := g.subs[sub]
	if m == nil {
		return
	}
	delete(g.subs, sub)
	g.leaveGroup(m)
	if id := m.actor.PlayerID; id != "" {
		delete(g.players[id], m)
		if len(g.players[id]) == 0 {
			delete(g.players, id)
		}
		g.dirty[id] = true
	}
	if len(g.subs) == 0 {
		g.lastUsed = time.Now()
	}
}
