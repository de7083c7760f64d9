package game

import (
	"slices"
	"strconv"
	"strings"
)

// Study is the study phase: each team's shared worksheet and the quiz.
type Study struct {
	Cards     map[string]*Card `json:"cards"`
	CardOrder []string         `json:"cardOrder"`
	// Answers holds each player's quiz answers: question ID -> option ID.
	Answers map[string]map[string]string `json:"answers"`
}

// Card is one card of a team's worksheet. Rev grows at every edit, so that
// an edit based on an old version is refused instead of silently
// overwriting someone else's.
type Card struct {
	ID        string `json:"id"`
	Company   int    `json:"company"`
	Team      string `json:"team"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	Rev       int    `json:"rev"`
	Author    string `json:"author"`
	UpdatedAt int64  `json:"updatedAt"`
}

// Kinds of worksheet cards, in display order.
var CardKinds = []string{"finding", "advantage", "challenge", "recommendation"}

// Limits of the study phase.
const (
	MaxCardText     = 500
	MaxCardsPerTeam = 60
)

// worksheetPhases are the phases in which teams may edit their worksheet:
// it is filled during the study, refined during the sprints and presented
// in the debate.
var worksheetPhases = []string{KindStudy, KindSprints, KindDebate}

// studying reports whether the game is in a study phase.
func studying(s *State) bool {
	ph := s.CurrentPhase()
	return ph != nil && ph.Kind == KindStudy
}

func (st *Study) init() {
	*st = Study{Cards: map[string]*Card{}, Answers: map[string]map[string]string{}}
}

// CardDoc is what a viewer sees of a card.
type CardDoc struct {
	ID        string `json:"id"`
	Company   int    `json:"company"`
	Team      string `json:"team"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	Rev       int    `json:"rev"`
	Author    string `json:"author"`
	UpdatedAt int64  `json:"updatedAt"`
}

// worksheetPublic reports whether every viewer may see every worksheet:
// from the debate on, when teams present them.
func worksheetPublic(s *State) bool {
	ph := s.CurrentPhase()
	return s.Status == StatusFinished || (ph != nil && (ph.Kind == KindDebate || ph.Kind == KindRetro))
}

// seesTeam reports whether v may see what belongs to one team of one
// company: the team itself and the facilitator.
func (v Viewer) seesTeam(company int, team string) bool {
	return v.Role == RoleFacilitator || (v.Role == RolePlayer && v.Company == company && v.Team == team)
}

func (x *ctx) cardArg(id string, rev int) (*Card, error) {
	c, ok := x.s.Study.Cards[id]
	if !ok || c.Company != x.player.Company || c.Team != x.player.Team {
		return nil, notFound("card", "Aucune carte", id)
	}
	if rev != c.Rev {
		return nil, Errorf(EConflict, "%s changed this card meanwhile; your screen now shows their version, edit it again.",
			"%s a modifié cette carte entre-temps ; votre écran affiche sa version, modifiez-la à nouveau.", c.Author)
	}
	return c, nil
}

func checkCardKind(k string) error {
	if !slices.Contains(CardKinds, k) {
		return invalid("Unknown card kind %q: use finding, advantage, challenge or recommendation.",
			"Type de carte « %s » inconnu : utilisez finding, advantage, challenge ou recommendation.", k)
	}
	return nil
}

// teamKey names a team of a company, "1/dev".
func teamKey(company int, team string) string { return strconv.Itoa(company) + "/" + team }

func init() {
	phaseInits = append(phaseInits, func(x *ctx) { x.s.Study.init() })

	registerDoc("card", &docKind{
		keys: func(s *State) []string { return prefixed("card/", s.Study.CardOrder) },
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			c, ok := s.Study.Cards[strings.TrimPrefix(key, "card/")]
			if !ok || !(worksheetPublic(s) || v.seesTeam(c.Company, c.Team)) {
				return nil, false
			}
			return CardDoc(*c), true
		},
	})
	// The product and the team briefs are read in the study phase: only
	// then are they sent (a phone does not carry them through the game).
	registerDoc("product", &docKind{keys: single("product"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		return e.scenario(s).Product, studying(s)
	}})
	registerDoc("brief", &docKind{
		keys: func(s *State) []string { return prefixed("brief/", Teams) },
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			team := strings.TrimPrefix(key, "brief/")
			if !studying(s) || v.Role == RoleProjector || (v.Role == RolePlayer && v.Team != team) {
				return nil, false
			}
			b := e.scenario(s).Teams.Get(team)
			return b, b != nil
		},
	})
	// A change of phase opens or closes the worksheets, the product and
	// the briefs.
	phaseChangeHooks = append(phaseChangeHooks, func(x *ctx) {
		x.ch.touch("product")
		x.ch.touch(prefixed("brief/", Teams)...)
		x.ch.touch(prefixed("card/", x.s.Study.CardOrder)...)
	})
}

// CardAddArgs are the arguments of card.add.
type CardAddArgs struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

func addCard(x *ctx) error {
	var a CardAddArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if err := checkCardKind(a.Kind); err != nil {
		return err
	}
	text := strings.TrimSpace(a.Text)
	if err := checkLongText("card", "carte", text, MaxCardText); err != nil {
		return err
	}
	st := &x.s.Study
	n := 0
	for _, id := range st.CardOrder {
		if c := st.Cards[id]; c.Company == x.player.Company && c.Team == x.player.Team {
			n++
		}
	}
	if n >= MaxCardsPerTeam {
		return Errorf(EConflict, "Your worksheet has %d cards, the most allowed; merge some.",
			"Votre fiche a %d cartes, le maximum ; regroupez-en.", MaxCardsPerTeam)
	}
	id := x.s.idAt("w")
	st.Cards[id] = &Card{ID: id, Company: x.player.Company, Team: x.player.Team, Kind: a.Kind, Text: text, Rev: 1,
		Author: x.player.Nickname, UpdatedAt: x.c.At}
	st.CardOrder = append(st.CardOrder, id)
	x.ch.touch("card/" + id)
	x.ch.result("cardId", id)
	return nil
}

// CardEditArgs are the arguments of card.edit.
type CardEditArgs struct {
	CardID string `json:"cardId"`
	Rev    int    `json:"rev"`
	Kind   string `json:"kind,omitempty"`
	Text   string `json:"text"`
}

func editCard(x *ctx) error {
	var a CardEditArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	c, err := x.cardArg(a.CardID, a.Rev)
	if err != nil {
		return err
	}
	if a.Kind == "" {
		a.Kind = c.Kind
	}
	if err := checkCardKind(a.Kind); err != nil {
		return err
	}
	text := strings.TrimSpace(a.Text)
	if err := checkLongText("card", "carte", text, MaxCardText); err != nil {
		return err
	}
	c.Kind, c.Text, c.Author, c.UpdatedAt = a.Kind, text, x.player.Nickname, x.c.At
	c.Rev++
	x.ch.touch("card/" + c.ID)
	x.ch.result("rev", c.Rev)
	return nil
}

// CardDeleteArgs are the arguments of card.delete.
type CardDeleteArgs struct {
	CardID string `json:"cardId"`
	Rev    int    `json:"rev"`
}

func deleteCard(x *ctx) error {
	var a CardDeleteArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	c, err := x.cardArg(a.CardID, a.Rev)
	if err != nil {
		return err
	}
	st := &x.s.Study
	delete(st.Cards, c.ID)
	st.CardOrder = slices.DeleteFunc(st.CardOrder, func(id string) bool { return id == c.ID })
	x.ch.touch("card/" + c.ID)
	x.dropCitation(c.ID)
	return nil
}
