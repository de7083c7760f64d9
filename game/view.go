package game

import (
	"sort"
	"strconv"
	"strings"
)

// Viewer is who looks at a game: what they may see follows from it.
type Viewer struct {
	Role     Role   `json:"role"`
	PlayerID string `json:"playerId,omitempty"`
	Company  int    `json:"company,omitempty"`
	Team     string `json:"team,omitempty"`
}

// ViewerOf returns the viewer of an actor in the current state (a player's
// team and company are read from the state, since they can be moved).
func (s *State) ViewerOf(a Actor) Viewer {
	v := Viewer{Role: a.Role}
	if a.Role == RolePlayer {
		v.PlayerID = a.PlayerID
		if p, ok := s.Players[a.PlayerID]; ok {
			v.Company, v.Team = p.Company, p.Team
		}
	}
	return v
}

// Audience names the group of viewers who see the same documents, "me"
// aside: the facilitator, the projector, or the players of one team of one
// company. The server encodes each update once per audience.
//
// Invariant: for every key but "me", Doc(s, v, key) depends only on
// v.Audience().
func (v Viewer) Audience() string {
	if v.Role == RolePlayer {
		return "team:" + strconv.Itoa(v.Company) + ":" + v.Team
	}
	return string(v.Role)
}

// docKind computes one kind of document.
type docKind struct {
	// keys lists the keys of the documents of this kind that exist.
	keys func(s *State) []string
	// view returns what viewer v sees of the document key, or false when v
	// may not see it (or it does not exist).
	view func(e *Engine, s *State, v Viewer, key string) (any, bool)
}

var (
	docKinds = map[string]*docKind{}
	docOrder []string
)

// registerDoc adds a kind of document; its keys are name or name/….
func registerDoc(name string, k *docKind) {
	if _, dup := docKinds[name]; dup {
		panic("game: document kind registered twice: " + name)
	}
	docKinds[name] = k
	docOrder = append(docOrder, name)
}

// Doc returns what viewer v sees of document key, or false when the
// document does not exist or v may not see it.
func (e *Engine) Doc(s *State, v Viewer, key string) (any, bool) {
	kind, _, _ := strings.Cut(key, "/")
	k, ok := docKinds[kind]
	if !ok {
		return nil, false
	}
	return k.view(e, s, v, key)
}

// Snapshot returns every document viewer v may see.
func (e *Engine) Snapshot(s *State, v Viewer) map[string]any {
	out := map[string]any{}
	for _, name := range docOrder {
		k := docKinds[name]
		for _, key := range k.keys(s) {
			if d, ok := k.view(e, s, v, key); ok {
				out[key] = d
			}
		}
	}
	return out
}

// single is the keys function of a kind with one document named like it.
func single(name string) func(*State) []string {
	return func(*State) []string { return []string{name} }
}

// GameDoc is the public summary of the game: settings, agenda, timer.
type GameDoc struct {
	ID         string  `json:"id"`
	Code       string  `json:"code"`
	Title      string  `json:"title"`
	Scenario   string  `json:"scenario"`
	Status     string  `json:"status"`
	Companies  int     `json:"companies"`
	TeamCap    int     `json:"teamCap"`
	Assignment string  `json:"assignment"`
	Lang       string  `json:"lang"`
	Agenda     []Phase `json:"agenda"`
	Phase      int     `json:"phase"`
	Clock      Clock   `json:"clock"`
	CreatedAt  int64   `json:"createdAt"`
	// Closed: no newcomer may join (game.close).
	Closed bool `json:"closed"`
	// Sub is the step inside the current phase (e.g. a sprint's planning),
	// filled by the phase's concept.
	Sub any `json:"sub,omitempty"`
}

// PlayerDoc is what everyone sees of a player.
type PlayerDoc struct {
	ID        string `json:"id"`
	Nickname  string `json:"nickname"`
	Team      string `json:"team"`
	Company   int    `json:"company"`
	Connected bool   `json:"connected"`
}

// MeDoc is the viewer's own identity.
type MeDoc struct {
	Role     Role   `json:"role"`
	PlayerID string `json:"playerId,omitempty"`
	Nickname string `json:"nickname,omitempty"`
	Team     string `json:"team,omitempty"`
	Company  int    `json:"company,omitempty"`
	// Extra holds each concept's private data (my votes, my answers…):
	// "wall" a WallMe, "debate" a DebateMe, "quiz" a map of question id to
	// QuizAnswerDoc, "quizOrder" a map of question id to option ids.
	Extra map[string]any `json:"extra,omitempty"`
}

// subStep lets the current phase's concept describe its inner step in the
// game document.
var subStep = map[string]func(s *State) any{}

// meExtras let concepts add a player's private data to "me".
var meExtras = map[string]func(e *Engine, s *State, p *Player) any{}

func init() {
	registerDoc("game", &docKind{keys: single("game"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		st := s.Settings
		d := GameDoc{ID: s.ID, Code: s.Code, Title: st.Title, Scenario: st.Scenario, Status: s.Status,
			Companies: st.Companies, TeamCap: st.TeamCap, Assignment: st.Assignment, Lang: st.Lang,
			Agenda: s.Agenda, Phase: s.Phase, Clock: s.Clock, CreatedAt: s.CreatedAt, Closed: s.Closed}
		if ph := s.CurrentPhase(); ph != nil {
			if f := subStep[ph.Kind]; f != nil {
				d.Sub = f(s)
			}
		}
		return d, true
	}})
	registerDoc("player", &docKind{
		keys: func(s *State) []string {
			out := make([]string, 0, len(s.PlayerOrder))
			for _, id := range s.PlayerOrder {
				out = append(out, "player/"+id)
			}
			return out
		},
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			p, ok := s.Players[strings.TrimPrefix(key, "player/")]
			if !ok || p.Kicked {
				return nil, false
			}
			return PlayerDoc{ID: p.ID, Nickname: p.Nickname, Team: p.Team, Company: p.Company, Connected: p.Connected()}, true
		},
	})
	registerDoc("me", &docKind{keys: single("me"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		if v.Role != RolePlayer {
			return MeDoc{Role: v.Role}, true
		}
		p, ok := s.Players[v.PlayerID]
		if !ok || p.Kicked {
			return nil, false
		}
		d := MeDoc{Role: RolePlayer, PlayerID: p.ID, Nickname: p.Nickname, Team: p.Team, Company: p.Company}
		if len(meExtras) > 0 {
			names := make([]string, 0, len(meExtras))
			for n := range meExtras {
				names = append(names, n)
			}
			sort.Strings(names)
			d.Extra = map[string]any{}
			for _, n := range names {
				if x := meExtras[n](e, s, p); x != nil {
					d.Extra[n] = x
				}
			}
		}
		return d, true
	}})
}
