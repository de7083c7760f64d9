package game

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"sort"

	"devopschallenge/apperr"
	"devopschallenge/internal/strictjson"
)

// Role is what an actor is in a game.
type Role string

// Roles.
const (
	// RoleFacilitator runs the game.
	RoleFacilitator Role = "facilitator"
	// RoleProjector is the read-only shared screen.
	RoleProjector Role = "projector"
	// RolePlayer is a participant in one team of one company.
	RolePlayer Role = "player"
	// RoleSystem is the server itself: game creation, joins, presence,
	// deadlines. Clients can never send system commands.
	RoleSystem Role = "system"
)

// Actor is who sent a command, as established by the server from a token.
type Actor struct {
	Role     Role   `json:"role"`
	PlayerID string `json:"playerId,omitempty"`
}

func (a Actor) key() string {
	if a.Role == RolePlayer {
		return a.PlayerID
	}
	return string(a.Role)
}

// Command is one request to change a game, as stored in its event log.
type Command struct {
	// ID is the client's command ID (empty for server commands); a command
	// with an ID already applied for the same actor is not applied again.
	ID string `json:"id,omitempty"`
	// Type names the command, e.g. "note.add".
	Type string `json:"type"`
	// Actor is who sent it.
	Actor Actor `json:"actor"`
	// At is the server time in Unix milliseconds when it was received.
	At int64 `json:"at"`
	// Args are the command's arguments, a JSON object.
	Args json.RawMessage `json:"args,omitempty"`
}

// Change tells the server what an applied command changed.
type Change struct {
	// Docs lists the keys of the documents whose content or visibility may
	// have changed (for some audience), sorted, without duplicates.
	Docs []string `json:"docs,omitempty"`
	// Private lists the players whose private "me" document changed.
	Private []string `json:"private,omitempty"`
	// Reseat lists the players whose identity changed (moved to another
	// team or company, kicked): their connections need a fresh view.
	Reseat []string `json:"reseat,omitempty"`
	// Result is returned to the sender in the acknowledgement.
	Result map[string]any `json:"result,omitempty"`
	// Finished is set when the command ended the game.
	Finished bool `json:"finished,omitempty"`
}

func (c *Change) touch(keys ...string) { c.Docs = append(c.Docs, keys...) }

func (c *Change) private(ids ...string) { c.Private = append(c.Private, ids...) }

func (c *Change) result(k string, v any) {
	if c.Result == nil {
		c.Result = map[string]any{}
	}
	c.Result[k] = v
}

func (c *Change) normalise() {
	sort.Strings(c.Docs)
	c.Docs = slices.Compact(c.Docs)
	sort.Strings(c.Private)
	c.Private = slices.Compact(c.Private)
	sort.Strings(c.Reseat)
	c.Reseat = slices.Compact(c.Reseat)
}

// ctx is what a handler gets: the engine, the state, the command, the change
// it reports and the sender's identity.
type ctx struct {
	e      *Engine
	s      *State
	c      *Command
	ch     *Change
	player *Player // the sending player, for RolePlayer
	rng    *rand.Rand
}

// Apply applies one command to the state. On success the state's version
// grows by one and the returned Change says what moved. On failure it
// returns an *Error and the state is exactly as it was.
func (e *Engine) Apply(s *State, c Command) (*Change, error) {
	h, ok := handlers[c.Type]
	if !ok {
		return nil, Errorf(EInvalid, "Unknown command %q.", "Commande inconnue « %s ».", c.Type)
	}
	if !slices.Contains(h.roles, c.Actor.Role) {
		return nil, forbiddenRole(c.Actor.Role, c.Type, h.roles)
	}
	if c.Type != "game.create" && s.ID == "" {
		return nil, apperr.GameNotFound()
	}
	x := &ctx{e: e, s: s, c: &c, ch: &Change{}}
	if c.Actor.Role == RolePlayer {
		p, ok := s.Players[c.Actor.PlayerID]
		if !ok {
			return nil, Errorf(EUnauthorized, "Unknown player.", "Joueur inconnu.")
		}
		if p.Kicked {
			return nil, errKicked()
		}
		x.player = p
	}
	if len(h.phases) > 0 {
		ph := s.CurrentPhase()
		if ph == nil || !slices.Contains(h.phases, ph.Kind) {
			return nil, wrongPhase(c.Type, ph)
		}
	}
	x.rng = rand.New(rand.NewPCG(s.Seed, uint64(s.Version+1)))
	if err := h.apply(x); err != nil {
		return nil, err
	}
	s.Version++
	if c.ID != "" {
		s.Recent.add(c.Actor.key()+"/"+c.ID, s.Version, x.ch.Result)
	}
	x.ch.normalise()
	return x.ch, nil
}

// decodeArgs decodes a command's JSON arguments strictly into v: unknown
// fields, trailing data and wrong types are refused with a readable error.
func decodeArgs(c *Command, v any) error {
	return strictjson.Decode(c.Args, v, strictjson.Subject{EN: "the arguments of " + c.Type, FR: "les arguments de " + c.Type})
}

// forbiddenRole says why r may not send typ, which the roles given may.
func forbiddenRole(r Role, typ string, may []Role) error {
	switch {
	case slices.Equal(may, []Role{RoleSystem}):
		return Errorf(EForbidden, "%s is sent by the server itself, never by a client.",
			"%s est envoyée par le serveur lui-même, jamais par un client.", typ)
	case r == RolePlayer:
		return Errorf(EForbidden, "Only the facilitator can do this (%s).", "Seul l'animateur peut faire cela (%s).", typ)
	case r == RoleProjector:
		return Errorf(EForbidden, "The projector view is read-only.", "La vue projecteur est en lecture seule.")
	default:
		return Errorf(EForbidden, "You may not send %s.", "Vous ne pouvez pas envoyer %s.", typ)
	}
}

func errKicked() error {
	return Errorf(EUnauthorized, "You were removed from this game by the facilitator.",
		"L'animateur vous a retiré de cette partie.")
}

func wrongPhase(typ string, ph *Phase) error {
	name := "?"
	if ph != nil {
		name = ph.Kind
	}
	return Errorf(EConflict, "%[1]s is not possible during the %[2]s phase.",
		"%[1]s n'est pas possible pendant la phase %[3]s.", typ, phaseName(name, "en"), phaseName(name, "fr"))
}

func invalid(en, fr string, args ...any) error { return Errorf(EInvalid, en, fr, args...) }

// notFound says that no what (in French, the whole negative phrase:
// "Aucune carte") has that id in the game.
func notFound(what, noneFR, id string) error {
	return Errorf(ENotFound, "No %[1]s with id %[2]q in this game.", "%[3]s avec l'identifiant %[2]q dans cette partie.",
		what, id, noneFR)
}
