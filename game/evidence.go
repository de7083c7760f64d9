package game

import (
	"slices"
	"strings"

	"devopschallenge/game/rules"
)

// Evidence: a worksheet card may cite a figure of its company's own run
// ("our lead time fell from 141 to 3.5 days after CI"). The player picks
// the figure and one or two sprints; the values come from the company's
// history, as the company measured them then: without monitoring or a
// DORA dashboard its DORA figures are estimates, without value stream
// mapping its bottleneck is unknown, and the citation says so. The values
// are read when the card cites them (a sprint's record never changes
// afterwards), so the claim cannot be typed in or faked.

// EvidenceMetric is a figure a card can cite.
type EvidenceMetric struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	// Unit is how the value reads: hours, perDay, share (0 to 1), points,
	// level (a CALMS maturity, 0 to 5) or stage (a stage of the value
	// stream).
	Unit string `json:"unit"`
	// Better is "lower" or "higher" when one way is an improvement.
	Better string `json:"better,omitempty"`
	// Measured is what the company must measure to know the figure
	// exactly: "dora" (monitoring or a DORA dashboard) or "stream" (value
	// stream mapping); "" when it always knows it.
	Measured string `json:"measured,omitempty"`
}

type evidenceMetric struct {
	EvidenceMetric
	get func(r *rules.SprintRecord) (float64, string)
}

func metricOf(get func(m *rules.Metrics) float64) func(r *rules.SprintRecord) (float64, string) {
	return func(r *rules.SprintRecord) (float64, string) { return get(&r.Metrics), "" }
}

func pillarOf(p string) func(r *rules.SprintRecord) (float64, string) {
	return func(r *rules.SprintRecord) (float64, string) { return r.CALMS.Get(p), "" }
}

var evidenceMetrics = []evidenceMetric{
	{EvidenceMetric{"leadTimeHours", Text{EN: "Lead time for changes", FR: "Délai de mise en production"}, "hours", "lower", "dora"},
		metricOf(func(m *rules.Metrics) float64 { return m.LeadTimeHours })},
	{EvidenceMetric{"deploysPerDay", Text{EN: "Deployment frequency", FR: "Fréquence de déploiement"}, "perDay", "higher", "dora"},
		metricOf(func(m *rules.Metrics) float64 { return m.DeploysPerDay })},
	{EvidenceMetric{"changeFailureRate", Text{EN: "Change failure rate", FR: "Taux d'échec des changements"}, "share", "lower", "dora"},
		metricOf(func(m *rules.Metrics) float64 { return m.ChangeFailureRate })},
	{EvidenceMetric{"timeToRestoreHours", Text{EN: "Failed deployment recovery time", FR: "Temps de rétablissement après un déploiement raté"}, "hours", "lower", "dora"},
		metricOf(func(m *rules.Metrics) float64 { return m.TimeToRestoreHours })},
	{EvidenceMetric{"availability", Text{EN: "Availability", FR: "Disponibilité"}, "share", "higher", "dora"},
		metricOf(func(m *rules.Metrics) float64 { return m.Availability })},
	{EvidenceMetric{"downtimeHours", Text{EN: "Downtime", FR: "Temps de panne"}, "hours", "lower", "dora"},
		metricOf(func(m *rules.Metrics) float64 { return m.DowntimeHours })},
	{EvidenceMetric{"value", Text{EN: "Business value delivered in the sprint", FR: "Valeur métier livrée sur le sprint"}, "points", "higher", ""},
		metricOf(func(m *rules.Metrics) float64 { return m.Value })},
	{EvidenceMetric{"debt", Text{EN: "Technical debt (0 to 100)", FR: "Dette technique (0 à 100)"}, "points", "lower", ""},
		metricOf(func(m *rules.Metrics) float64 { return m.Debt })},
	{EvidenceMetric{"flowEfficiency", Text{EN: "Flow efficiency", FR: "Efficience du flux"}, "share", "higher", "stream"},
		metricOf(func(m *rules.Metrics) float64 { return m.FlowEfficiency })},
	{EvidenceMetric{"bottleneck", Text{EN: "Bottleneck of the value stream", FR: "Goulot d'étranglement de la chaîne de valeur"}, "stage", "", "stream"},
		func(r *rules.SprintRecord) (float64, string) { return 0, r.Metrics.Bottleneck }},
	{EvidenceMetric{"calms.culture", Text{EN: "CALMS maturity: culture", FR: "Maturité CALMS : culture"}, "level", "higher", ""}, pillarOf("culture")},
	{EvidenceMetric{"calms.automation", Text{EN: "CALMS maturity: automation", FR: "Maturité CALMS : automatisation"}, "level", "higher", ""}, pillarOf("automation")},
	{EvidenceMetric{"calms.lean", Text{EN: "CALMS maturity: lean", FR: "Maturité CALMS : lean"}, "level", "higher", ""}, pillarOf("lean")},
	{EvidenceMetric{"calms.measurement", Text{EN: "CALMS maturity: measurement", FR: "Maturité CALMS : mesure"}, "level", "higher", ""}, pillarOf("measurement")},
	{EvidenceMetric{"calms.sharing", Text{EN: "CALMS maturity: sharing", FR: "Maturité CALMS : partage"}, "level", "higher", ""}, pillarOf("sharing")},
}

// EvidenceMetrics lists the figures a card can cite, in the order a
// picker shows them.
func EvidenceMetrics() []EvidenceMetric {
	out := make([]EvidenceMetric, len(evidenceMetrics))
	for i, m := range evidenceMetrics {
		out[i] = m.EvidenceMetric
	}
	return out
}

func findEvidenceMetric(id string) *evidenceMetric {
	for i := range evidenceMetrics {
		if evidenceMetrics[i].ID == id {
			return &evidenceMetrics[i]
		}
	}
	return nil
}

// Citation is the figure a card cites: its values at one or two sprints
// as the company measured them, and the exact ones of the simulation.
type Citation struct {
	Metric string       `json:"metric"`
	Values []CitedValue `json:"values"`
	Exact  []CitedValue `json:"exact"`
	// By is the nickname of the player who attached it, At when.
	By string `json:"by"`
	At int64  `json:"at"`
}

// CitedValue is a figure at one sprint (0: the starting point). Stage is
// the bottleneck's stage; Estimate marks a figure the company did not
// measure then (one significant figure), Unknown one it could not know at
// all (the bottleneck without value stream mapping).
type CitedValue struct {
	Sprint   int     `json:"sprint"`
	Value    float64 `json:"value"`
	Stage    string  `json:"stage,omitempty"`
	Estimate bool    `json:"estimate,omitempty"`
	Unknown  bool    `json:"unknown,omitempty"`
}

// CiteArgs are the arguments of evidence.cite: the card, the figure and
// one sprint, or two (before and after; 0 is the starting point).
type CiteArgs struct {
	CardID  string `json:"cardId"`
	Metric  string `json:"metric"`
	Sprints []int  `json:"sprints"`
}

// UnciteArgs are the arguments of evidence.remove.
type UnciteArgs struct {
	CardID string `json:"cardId"`
}

// EvidenceDoc is a card's citation as its viewers see it; the facilitator
// also gets the exact figures when the company only had estimates.
type EvidenceDoc struct {
	Card    string         `json:"card"`
	Company int            `json:"company"`
	Team    string         `json:"team"`
	Metric  EvidenceMetric `json:"metric"`
	Values  []CitedValue   `json:"values"`
	Exact   []CitedValue   `json:"exact,omitempty"`
	// Trend compares the two values by the figure's direction: better,
	// worse or same ("" with one value, or unknown ones).
	Trend string `json:"trend,omitempty"`
	By    string `json:"by"`
	At    int64  `json:"at"`
}

// teamCard returns a card of the sender's team.
func (x *ctx) teamCard(id string) (*Card, error) {
	c, ok := x.s.Study.Cards[id]
	if !ok || c.Company != x.player.Company || c.Team != x.player.Team {
		return nil, notFound("card", "Aucune carte", id)
	}
	return c, nil
}

// citedSprints checks the sprints a citation names against the company's
// history and returns them in order.
func citedSprints(co *rules.Company, sprints []int) ([]int, error) {
	if len(sprints) < 1 || len(sprints) > 2 {
		return nil, invalid("Cite one sprint, or two to compare (0 is the starting point).",
			"Citez un sprint, ou deux pour comparer (0 est le point de départ).")
	}
	out := slices.Sorted(slices.Values(sprints))
	if len(out) == 2 && out[0] == out[1] {
		return nil, invalid("Pick two different sprints, or just one.", "Choisissez deux sprints différents, ou un seul.")
	}
	for _, n := range out {
		switch {
		case n < 0:
			return nil, invalid("Sprints are numbered from 0, the starting point.", "Les sprints sont numérotés à partir de 0, le point de départ.")
		case n > co.Sprint && co.Sprint == 0:
			return nil, invalid("No sprint has been played yet: only the starting point (sprint 0) can be cited.",
				"Aucun sprint n'a encore été joué : seul le point de départ (sprint 0) peut être cité.")
		case n > co.Sprint:
			return nil, invalid("Sprint %d has not been played yet: your company has played %d.",
				"Le sprint %d n'a pas encore été joué : votre entreprise en a joué %d.", n, co.Sprint)
		case n == co.Sprint && co.Pending != nil:
			return nil, Errorf(EConflict, "The figures of sprint %d are not final until its incident is over.",
				"Les chiffres du sprint %d ne sont pas définitifs tant que son incident n'est pas réglé.", n)
		case !slices.ContainsFunc(co.History, func(r rules.SprintRecord) bool { return r.Sprint == n }):
			return nil, invalid("Your company's history has no sprint %d.", "L'historique de votre entreprise n'a pas de sprint %d.", n)
		}
	}
	return out, nil
}

// citeValues reads a figure at the given sprints, as the company measured
// it and exactly.
func citeValues(scn *rules.Scenario, co *rules.Company, m *evidenceMetric, sprints []int) (seen, exact []CitedValue) {
	for _, n := range sprints {
		i := slices.IndexFunc(co.History, func(r rules.SprintRecord) bool { return r.Sprint == n })
		rec := co.History[i]
		v, stage := m.get(&rec)
		exact = append(exact, CitedValue{Sprint: n, Value: v, Stage: stage})
		obs := rules.Observed(scn, co, rec)
		ov, ostage := m.get(&obs)
		cv := CitedValue{Sprint: n, Value: ov, Stage: ostage}
		ms := rules.MeasuredAt(scn, co, n)
		switch {
		case m.Measured == "dora" && !ms.DORA:
			cv.Estimate = true
		case m.Measured == "stream" && !ms.Stream:
			cv.Unknown, cv.Value, cv.Stage = true, 0, ""
		}
		seen = append(seen, cv)
	}
	return seen, exact
}

// cite attaches a figure of the company's run to a card of the sender's
// team, or replaces the one it cited.
func cite(x *ctx) error {
	var a CiteArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	card, err := x.teamCard(a.CardID)
	if err != nil {
		return err
	}
	m := findEvidenceMetric(a.Metric)
	if m == nil {
		ids := make([]string, len(evidenceMetrics))
		for i, em := range evidenceMetrics {
			ids[i] = em.ID
		}
		return invalid("Unknown figure %q: cite one of %s.", "Chiffre « %s » inconnu : citez l'un de ceux-ci : %s.", a.Metric, strings.Join(ids, ", "))
	}
	co := x.s.Sprints.company(card.Company)
	sprints, err := citedSprints(co, a.Sprints)
	if err != nil {
		return err
	}
	d := &x.s.Debate
	if old := d.Citations[card.ID]; old != nil && old.Metric == m.ID && slices.EqualFunc(old.Values, sprints, func(v CitedValue, n int) bool { return v.Sprint == n }) {
		return Errorf(EConflict, "This card already cites that figure.", "Cette carte cite déjà ce chiffre.")
	}
	seen, exact := citeValues(x.e.scenario(x.s).Scenario, co, m, sprints)
	if d.Citations == nil {
		d.Citations = map[string]*Citation{}
	}
	d.Citations[card.ID] = &Citation{Metric: m.ID, Values: seen, Exact: exact, By: x.player.Nickname, At: x.c.At}
	x.ch.touch("evidence/" + card.ID)
	return nil
}

// uncite takes a card's citation away.
func uncite(x *ctx) error {
	var a UnciteArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	card, err := x.teamCard(a.CardID)
	if err != nil {
		return err
	}
	if x.s.Debate.Citations[card.ID] == nil {
		return Errorf(EConflict, "This card cites no figure.", "Cette carte ne cite aucun chiffre.")
	}
	x.dropCitation(card.ID)
	return nil
}

// dropCitation removes the citation of a card, when it has one: called
// when the card goes.
func (x *ctx) dropCitation(cardID string) {
	if _, ok := x.s.Debate.Citations[cardID]; ok {
		delete(x.s.Debate.Citations, cardID)
		x.ch.touch("evidence/" + cardID)
	}
}

// trend compares a citation's two values by the figure's direction.
func trend(m *evidenceMetric, vs []CitedValue) string {
	if len(vs) != 2 || vs[0].Unknown || vs[1].Unknown || m.Better == "" {
		return ""
	}
	a, b := vs[0].Value, vs[1].Value
	switch {
	case a == b:
		return "same"
	case (b < a) == (m.Better == "lower"):
		return "better"
	}
	return "worse"
}

func evidenceKeys(s *State) []string {
	var out []string
	for _, id := range s.Study.CardOrder {
		if s.Debate.Citations[id] != nil {
			out = append(out, "evidence/"+id)
		}
	}
	return out
}

func viewEvidence(e *Engine, s *State, v Viewer, key string) (any, bool) {
	id := strings.TrimPrefix(key, "evidence/")
	c, ok := s.Debate.Citations[id]
	card := s.Study.Cards[id]
	if !ok || card == nil || !(worksheetPublic(s) || v.seesTeam(card.Company, card.Team)) {
		return nil, false
	}
	m := findEvidenceMetric(c.Metric)
	if m == nil {
		return nil, false
	}
	doc := EvidenceDoc{Card: id, Company: card.Company, Team: card.Team, Metric: m.EvidenceMetric, Values: c.Values,
		Trend: trend(m, c.Values), By: c.By, At: c.At}
	if v.Role == RoleFacilitator && slices.ContainsFunc(c.Values, func(cv CitedValue) bool { return cv.Estimate || cv.Unknown }) {
		doc.Exact = c.Exact
	}
	return doc, true
}

func init() {
	registerDoc("evidence", &docKind{keys: evidenceKeys, view: viewEvidence})
	// A change of phase makes worksheets, and their citations, public.
	phaseChangeHooks = append(phaseChangeHooks, func(x *ctx) { x.ch.touch(evidenceKeys(x.s)...) })
}
