package game

import (
	"slices"
	"strings"
)

// Removing players. The facilitator removes a player (player.kick): their
// token stops working at once and they leave every team count. A removed
// player stays out of the game: joining again with the same nickname, or
// from the same browser (the server passes a hash of a cookie it gives
// each browser), is refused until the facilitator lets them back
// (player.readmit). The next join with that nickname or from that browser
// then puts them back in their seat: same player, team, company and
// contributions, with a new token.

// RemovedDoc lists the removed players, for the facilitator.
type RemovedDoc struct {
	Players []RemovedPlayer `json:"players"`
}

// RemovedPlayer is a removed player as the facilitator sees them.
type RemovedPlayer struct {
	ID       string `json:"id"`
	Nickname string `json:"nickname"`
	Team     string `json:"team"`
	Company  int    `json:"company"`
	// LetBack: the facilitator let them back; they have not rejoined yet.
	LetBack bool `json:"letBack"`
}

// returning finds the removed player a join with this nickname and device
// stands for: nil when it is nobody removed, the player when the
// facilitator let them back, and an error when they are kept out. The
// device counts first (a removed player who changes nickname is still
// recognised), then the nickname.
func (s *State) returning(nick, device string) (*Player, error) {
	var byDevice, byName *Player
	for _, id := range s.PlayerOrder {
		p := s.Players[id]
		if !p.Kicked {
			continue
		}
		if device != "" && p.DeviceHash == device && (byDevice == nil || !p.LetBack) {
			byDevice = p
		}
		if strings.EqualFold(p.Nickname, nick) && (byName == nil || !p.LetBack) {
			byName = p
		}
	}
	switch {
	case byDevice != nil && !byDevice.LetBack:
		return nil, Errorf(EForbidden, "The facilitator removed you from this game; ask them to let you back in.",
			"L'animateur vous a retiré de cette partie ; demandez-lui de vous laisser revenir.")
	case byDevice != nil:
		return byDevice, nil
	case byName != nil && !byName.LetBack:
		return nil, Errorf(EForbidden, "The facilitator removed %[1]q from this game. If that is you, ask them to let you back in; otherwise pick another nickname.",
			"L'animateur a retiré %[1]q de cette partie. Si c'est vous, demandez-lui de vous laisser revenir ; sinon, choisissez un autre pseudo.", nick)
	}
	return byName, nil
}

// comeBack puts a removed player the facilitator let back in their seat,
// under the nickname they typed and with a new token.
func (x *ctx) comeBack(p *Player, nick, tokenHash, device string) {
	if x.s.tokenIndex != nil {
		delete(x.s.tokenIndex, p.TokenHash)
		x.s.tokenIndex[tokenHash] = p.ID
	}
	p.Kicked, p.LetBack = false, false
	p.Nickname, p.TokenHash = nick, tokenHash
	if device != "" {
		p.DeviceHash = device
	}
	x.ch.touch("player/"+p.ID, "removed")
	x.ch.private(p.ID)
	for _, h := range teamChangeHooks {
		h(x, p)
	}
	for _, h := range nicknameHooks {
		h(x, p)
	}
	x.ch.result("playerId", p.ID)
	x.ch.result("team", p.Team)
	x.ch.result("company", p.Company)
}

func init() {
	registerDoc("removed", &docKind{keys: single("removed"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		if v.Role != RoleFacilitator {
			return nil, false
		}
		d := RemovedDoc{Players: []RemovedPlayer{}}
		for _, id := range s.PlayerOrder {
			if p := s.Players[id]; p.Kicked {
				d.Players = append(d.Players, RemovedPlayer{ID: p.ID, Nickname: p.Nickname, Team: p.Team, Company: p.Company, LetBack: p.LetBack})
			}
		}
		return d, true
	}})
}

// PlayerKickArgs are the arguments of player.kick.
type PlayerKickArgs struct {
	PlayerID string `json:"playerId"`
}

func kickPlayer(x *ctx) error {
	var a PlayerKickArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	p, err := x.playerArg(a.PlayerID)
	if err != nil {
		return err
	}
	p.Kicked = true
	p.Conns = nil
	withdrawVotes(x, p.ID)
	x.ch.touch("player/"+p.ID, "removed")
	x.ch.Reseat = append(x.ch.Reseat, p.ID)
	for _, h := range teamChangeHooks {
		h(x, p)
	}
	return nil
}

// withdrawVotes takes back what a removed player weighed on others'
// work: wall votes, question upvotes, peer ratings and motion votes (a
// class's sock puppets, removed, leave no trace on the results). Their
// own notes, cards and questions stay, for the facilitator to hide.
func withdrawVotes(x *ctx, pid string) {
	w := &x.s.Wall
	for _, id := range w.Votes[pid] {
		if c := w.Clusters[id]; c != nil {
			c.Votes--
			x.ch.touch("cluster/" + id)
		}
	}
	delete(w.Votes, pid)
	d := &x.s.Debate
	for id, q := range d.Questions {
		if i := slices.Index(q.Upvotes, pid); i >= 0 {
			q.Upvotes = slices.Delete(q.Upvotes, i, i+1)
			x.ch.touch("question/" + id)
		}
	}
	if d.upvoted != nil {
		delete(d.upvoted, pid)
	}
	for _, byRater := range d.Ratings {
		if _, ok := byRater[pid]; ok {
			delete(byRater, pid)
			x.ch.touch("debate", "results")
		}
	}
	for _, byVoter := range d.Votes {
		if _, ok := byVoter[pid]; ok {
			delete(byVoter, pid)
			x.ch.touch("debate")
		}
	}
}

// PlayerReadmitArgs are the arguments of player.readmit.
type PlayerReadmitArgs struct {
	PlayerID string `json:"playerId"`
}

func readmitPlayer(x *ctx) error {
	var a PlayerReadmitArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	p, ok := x.s.Players[a.PlayerID]
	switch {
	case !ok:
		return notFound("player", "Aucun joueur", a.PlayerID)
	case !p.Kicked:
		return Errorf(EConflict, "%s is in the game; only a removed player can be let back.",
			"%s est dans la partie ; seul un joueur retiré peut revenir.", p.Nickname)
	case p.LetBack:
		return Errorf(EConflict, "%s may already come back: they join again with the code.",
			"%s peut déjà revenir : il lui suffit de rejoindre la partie avec le code.", p.Nickname)
	}
	p.LetBack = true
	x.ch.touch("removed")
	return nil
}
