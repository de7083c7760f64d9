package game

import (
	"encoding/json"
	"slices"
	"strconv"
)

// Teams of a company, in display order.
const (
	TeamDev = "dev"
	TeamOps = "ops"
	TeamQA  = "qa"
	TeamPM  = "pm"
)

// Teams lists the four teams of every company.
var Teams = []string{TeamDev, TeamOps, TeamQA, TeamPM}

// ValidTeam reports whether t names one of the four teams.
func ValidTeam(t string) bool { return slices.Contains(Teams, t) }

// Game status.
const (
	StatusLobby    = "lobby"
	StatusRunning  = "running"
	StatusFinished = "finished"
)

// State is the whole state of one game. It is the fold of the game's event
// log and is serialised as JSON for snapshots; nothing in it may depend on
// map iteration order, wall-clock time or unseeded randomness.
type State struct {
	// Version is the number of entries folded into this state.
	Version int64 `json:"version"`
	// ID is the game's unique identifier.
	ID string `json:"id"`
	// Code is the short join code.
	Code string `json:"code"`
	// Seed feeds every random draw of the game.
	Seed uint64 `json:"seed"`
	// CreatedAt is the creation time in Unix milliseconds.
	CreatedAt int64 `json:"createdAt"`
	// Settings are the options chosen at creation.
	Settings Settings `json:"settings"`
	// Status is lobby, running or finished.
	Status string `json:"status"`
	// Closed: the facilitator closed the game to newcomers (game.close);
	// players let back still come back.
	Closed bool `json:"closed,omitempty"`
	// FacilitatorTokenHash and ProjectorTokenHash are SHA-256 hashes of the
	// secrets of the two special tokens.
	FacilitatorTokenHash string `json:"facilitatorTokenHash"`
	ProjectorTokenHash   string `json:"projectorTokenHash"`
	// Players by ID, and their IDs in joining order.
	Players     map[string]*Player `json:"players"`
	PlayerOrder []string           `json:"playerOrder"`
	// Agenda is the ordered list of phases; Phase the agenda position.
	Agenda []Phase `json:"agenda"`
	Phase  int     `json:"phase"`
	// Clock is the running timer of the current phase or step.
	Clock Clock `json:"clock"`
	// Recent remembers the last client command IDs, so that a command resent
	// after a reconnect is applied once.
	Recent Recent `json:"recent"`

	// Each concept of the game keeps its state in its own field, defined in
	// its own file.
	Wall    Wall    `json:"wall"`
	Study   Study   `json:"study"`
	Sprints Sprints `json:"sprints"`
	Debate  Debate  `json:"debate"`
	Exports Exports `json:"exports,omitzero"`

	// tokenIndex maps token hashes to player IDs; derived, rebuilt on load.
	tokenIndex map[string]string
}

// Settings are the options the facilitator chooses when creating a game.
type Settings struct {
	// Title is shown on every screen.
	Title string `json:"title"`
	// Scenario is the ID of the scenario played.
	Scenario string `json:"scenario"`
	// Companies is how many companies play side by side (1..MaxCompanies).
	Companies int `json:"companies"`
	// TeamCap is the most players a team of one company may have when
	// players choose (0: no cap).
	TeamCap int `json:"teamCap"`
	// Assignment is "choice" (players pick a team, within the cap) or
	// "auto" (the game balances teams).
	Assignment string `json:"assignment"`
	// Lang is the default language of shared screens: "fr" or "en".
	Lang string `json:"lang"`
}

// Player is one participant.
type Player struct {
	ID        string `json:"id"`
	Nickname  string `json:"nickname"`
	Team      string `json:"team"`
	Company   int    `json:"company"`
	TokenHash string `json:"tokenHash"`
	Kicked    bool   `json:"kicked,omitempty"`
	JoinedAt  int64  `json:"joinedAt"`
	// DeviceHash identifies the browser the player joined from (a hash of
	// a cookie, salted with the game's ID); LetBack is set when the
	// facilitator lets a removed player come back (see removed.go).
	DeviceHash string `json:"deviceHash,omitempty"`
	LetBack    bool   `json:"letBack,omitempty"`
	// Conns counts open connections per server instance.
	Conns map[string]int `json:"conns,omitempty"`
}

// Connected reports whether the player has at least one open connection.
func (p *Player) Connected() bool {
	for _, n := range p.Conns {
		if n > 0 {
			return true
		}
	}
	return false
}

// Clock is a countdown. While running, DeadlineMs is the Unix millisecond at
// which it expires; while paused, RemainingMs is what is left. A zero Clock
// is no timer.
type Clock struct {
	DeadlineMs  int64 `json:"deadlineMs,omitempty"`
	RemainingMs int64 `json:"remainingMs,omitempty"`
	Paused      bool  `json:"paused,omitempty"`
	// Seq grows at every (re)arming, so that a deadline command names the
	// exact timer it ends and an outdated one is refused.
	Seq int64 `json:"seq"`
}

// Active reports whether a timer is set (running or paused).
func (c Clock) Active() bool { return c.DeadlineMs > 0 || c.Paused }

// Recent is a bounded memory of applied client command IDs.
type Recent struct {
	Order []string         `json:"order"`
	At    map[string]int64 `json:"at"`
	// Res holds the results of those of them that had one (the IDs they
	// created…), encoded, so that a resent command gets the same answer.
	Res map[string]json.RawMessage `json:"res,omitempty"`
}

const recentSize = 1024

func (r *Recent) add(key string, version int64, res map[string]any) {
	if r.At == nil {
		r.At = map[string]int64{}
	}
	if len(r.Order) >= recentSize {
		delete(r.At, r.Order[0])
		delete(r.Res, r.Order[0])
		r.Order = r.Order[1:]
	}
	r.Order = append(r.Order, key)
	r.At[key] = version
	if len(res) > 0 {
		if b, err := json.Marshal(res); err == nil {
			if r.Res == nil {
				r.Res = map[string]json.RawMessage{}
			}
			r.Res[key] = b
		}
	}
}

// Seen returns the version at which the client command with this actor and
// ID was applied, if it was recently.
func (s *State) Seen(a Actor, id string) (int64, bool) {
	if id == "" {
		return 0, false
	}
	v, ok := s.Recent.At[a.key()+"/"+id]
	return v, ok
}

// SeenResult is Seen with the result the command had (decoded from JSON:
// numbers are float64), nil when it had none.
func (s *State) SeenResult(a Actor, id string) (int64, map[string]any, bool) {
	v, ok := s.Seen(a, id)
	if !ok {
		return 0, nil, false
	}
	var res map[string]any
	if b := s.Recent.Res[a.key()+"/"+id]; b != nil {
		_ = json.Unmarshal(b, &res)
	}
	return v, res, true
}

// PlayerByToken returns the player whose token hash is h.
func (s *State) PlayerByToken(h string) (*Player, bool) {
	if s.tokenIndex == nil {
		s.tokenIndex = make(map[string]string, len(s.Players))
		for id, p := range s.Players {
			s.tokenIndex[p.TokenHash] = id
		}
	}
	id, ok := s.tokenIndex[h]
	if !ok {
		return nil, false
	}
	return s.Players[id], true
}

// activePlayers returns the players who were not kicked, in joining order.
func (s *State) activePlayers() []*Player {
	out := make([]*Player, 0, len(s.PlayerOrder))
	for _, id := range s.PlayerOrder {
		if p := s.Players[id]; !p.Kicked {
			out = append(out, p)
		}
	}
	return out
}

// teamSize counts the active players of a team in a company.
func (s *State) teamSize(company int, team string) int {
	n := 0
	for _, p := range s.activePlayers() {
		if p.Company == company && p.Team == team {
			n++
		}
	}
	return n
}

// CurrentPhase returns the current phase of the agenda.
func (s *State) CurrentPhase() *Phase {
	if s.Phase < 0 || s.Phase >= len(s.Agenda) {
		return nil
	}
	return &s.Agenda[s.Phase]
}

// idAt returns a short identifier derived from the version the command will
// get, unique within the game: "p12", "n40"…
func (s *State) idAt(prefix string) string {
	return prefix + strconv.FormatInt(s.Version+1, 10)
}
