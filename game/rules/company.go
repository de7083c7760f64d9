package rules

import (
	"slices"
)

// Company is the simulation state of one company. It is plain data with
// JSON tags: the game server keeps it inside its own state, and the same
// calls on the same company give byte-identical JSON. The functions of this
// package never modify a Company they are given; they return a new one.
type Company struct {
	// Scenario is the id of the scenario the company plays.
	Scenario string `json:"scenario"`
	// Sprint is the last resolved sprint (0 before the first).
	Sprint int `json:"sprint"`
	// Capabilities are the capabilities owned, in scenario order.
	Capabilities []Owned `json:"capabilities"`
	// Debt is the technical debt (0–100).
	Debt float64 `json:"debt"`
	// Learning is the learning earned so far.
	Learning float64 `json:"learning"`
	// Inventory is the number of feature points built but not shipped.
	Inventory float64 `json:"inventory"`
	// Collaboration counts the joint actions done so far.
	Collaboration int `json:"collaboration"`
	// Postmortems counts the blameless post-mortems accepted so far.
	Postmortems int `json:"postmortems"`
	// Blames counts the incident responses that looked for a culprit.
	Blames int `json:"blames"`
	// Unplanned is the capacity each team loses in the next sprint to
	// firefighting.
	Unplanned map[string]int `json:"unplanned"`
	// Seen counts the incidents that struck, by incident id.
	Seen map[string]int `json:"seen"`
	// Learned counts the post-mortems written, by incident id.
	Learned map[string]int `json:"learned"`
	// Done counts how many times each action took effect.
	Done map[string]int `json:"done"`
	// Incidents lists the incidents that struck, oldest first.
	Incidents []IncidentRecord `json:"incidents"`
	// Pending is the incident that struck at the end of the last sprint
	// and waits for the teams' responses, or nil.
	Pending *PendingIncident `json:"pending,omitempty"`
	// History holds one record per sprint; History[0] is the starting point.
	History []SprintRecord `json:"history"`
	// Effects are the effects in force in the last sprint, in order; the
	// next sprint compares its own with them to explain what changed.
	Effects []Applied `json:"effects"`
	// Score is the company score so far (the sum over sprints).
	Score float64 `json:"score"`
	// TeamScores are the team scores so far.
	TeamScores map[string]float64 `json:"teamScores"`
}

// Owned is a capability a company owns, with the sprint it was acquired in
// (0 for capabilities owned from the start).
type Owned struct {
	ID     string `json:"id"`
	Sprint int    `json:"sprint"`
}

// SprintRecord is what a company keeps of one sprint.
type SprintRecord struct {
	Sprint int `json:"sprint"`
	// Plans are the actions each team picked.
	Plans map[string][]string `json:"plans"`
	// Done are the actions that took effect, in scenario order.
	Done []string `json:"done"`
	// Wasted are the joint actions only one of the two teams picked.
	Wasted []string `json:"wasted"`
	// Acquired are the capabilities acquired in the sprint.
	Acquired []string `json:"acquired"`
	// Fired are the rules whose condition held.
	Fired []string `json:"fired"`
	// Stream is the value stream; Metrics.Bottleneck names its slowest stage.
	Stream  []StageTime        `json:"stream"`
	Figures map[string]float64 `json:"figures"`
	Metrics Metrics            `json:"metrics"`
	Tiers   Tiers              `json:"tiers"`
	CALMS   CALMS              `json:"calms"`
	Score   ScoreSheet         `json:"score"`
	// Incident is the id of the incident that struck at the end of the
	// sprint, or "".
	Incident string `json:"incident"`
}

// ScoreSheet is the score of one sprint: the company's parts and total and
// each team's own score.
type ScoreSheet struct {
	Parts   map[string]float64 `json:"parts"`
	Company float64            `json:"company"`
	Teams   map[string]float64 `json:"teams"`
}

// Applied is one effect in force in a sprint, with its value worked out.
type Applied struct {
	// Source is "capability:<id>", "action:<id>" or "rule:<id>".
	Source string  `json:"source"`
	Target string  `json:"target"`
	Op     string  `json:"op"`
	Value  float64 `json:"value"`

	fig int // figure index + 1, or 0 when unknown (read from JSON)
}

// sameEffects compares two lists of effects, ignoring the cached figure
// index.
func sameEffects(a, b []Applied) bool {
	return slices.EqualFunc(a, b, func(x, y Applied) bool {
		return x.Source == y.Source && x.Target == y.Target && x.Op == y.Op && x.Value == y.Value
	})
}

// IncidentRecord is an incident that struck and how it went. An outage
// counts DowntimeMinutes (restore time × impact); a security incident
// counts ExposureMinutes (time to patch), and downtime only if a response
// took the shop offline.
type IncidentRecord struct {
	ID              string            `json:"id"`
	Kind            string            `json:"kind"`
	Sprint          int               `json:"sprint"`
	Resolved        bool              `json:"resolved"`
	Responses       map[string]string `json:"responses"`
	ResponseSeconds float64           `json:"responseSeconds"`
	DetectMinutes   float64           `json:"detectMinutes"`
	ResponseMinutes float64           `json:"responseMinutes"`
	RepairMinutes   float64           `json:"repairMinutes"`
	RestoreMinutes  float64           `json:"restoreMinutes"`
	Impact          float64           `json:"impact"`
	DowntimeMinutes float64           `json:"downtimeMinutes"`
	ExposureMinutes float64           `json:"exposureMinutes"`
	// Postmortem is true once a post-mortem of the incident was accepted.
	Postmortem bool `json:"postmortem"`
}

// PendingIncident is an incident waiting for the teams' responses.
type PendingIncident struct {
	ID            string  `json:"id"`
	Sprint        int     `json:"sprint"`
	Impact        float64 `json:"impact"`
	DetectMinutes float64 `json:"detectMinutes"`
	RepairMinutes float64 `json:"repairMinutes"`
}

// NewCompany returns a company at the start of the game: the scenario's
// starting capabilities and figures, and History[0] describing the starting
// point (its metrics, tiers and value stream).
func NewCompany(scn *Scenario) *Company {
	c := &Company{
		Scenario:   scn.ID,
		Debt:       scn.idx.base[figDebt],
		Inventory:  scn.Start.Inventory,
		Unplanned:  map[string]int{},
		Seen:       map[string]int{},
		Learned:    map[string]int{},
		Done:       map[string]int{},
		Incidents:  []IncidentRecord{},
		TeamScores: map[string]float64{},
	}
	for _, cp := range scn.Capabilities {
		if slices.Contains(scn.Start.Capabilities, cp.ID) {
			c.Capabilities = append(c.Capabilities, Owned{ID: cp.ID})
		}
	}
	if c.Capabilities == nil {
		c.Capabilities = []Owned{}
	}
	for _, t := range Teams {
		c.TeamScores[t] = 0
		c.Unplanned[t] = 0
	}
	en := scn.baseEnv(c, c.ownedSet(), 0, false)
	applied, _ := scn.capabilityEffects(en.Has, en)
	out := scn.evaluate(applied, carry{Debt: c.Debt, Inventory: 0}, nil)
	rec := SprintRecord{
		Plans: map[string][]string{}, Done: []string{}, Wasted: []string{}, Acquired: []string{}, Fired: []string{},
	}
	c.Effects = applied
	out.fill(scn, &rec)
	rec.Score = ScoreSheet{Parts: map[string]float64{}, Teams: map[string]float64{}}
	c.History = []SprintRecord{rec}
	return c
}

// Owns reports whether the company owns the capability.
func (c *Company) Owns(capability string) bool {
	for _, o := range c.Capabilities {
		if o.ID == capability {
			return true
		}
	}
	return false
}

func (c *Company) ownedSet() map[string]bool {
	m := make(map[string]bool, len(c.Capabilities))
	for _, o := range c.Capabilities {
		m[o.ID] = true
	}
	return m
}

// Last returns the record of the last resolved sprint (History[0] before
// the first sprint).
func (c *Company) Last() *SprintRecord { return &c.History[len(c.History)-1] }

// clone returns a deep copy, so that results never share memory with the
// company they were computed from.
func (c *Company) clone() *Company {
	n := *c
	n.Capabilities = slices.Clone(c.Capabilities)
	n.Effects = slices.Clip(c.Effects)
	n.Unplanned = cloneMap(c.Unplanned)
	n.Seen = cloneMap(c.Seen)
	n.Learned = cloneMap(c.Learned)
	n.Done = cloneMap(c.Done)
	n.TeamScores = cloneMap(c.TeamScores)
	n.Incidents = make([]IncidentRecord, len(c.Incidents))
	for i, r := range c.Incidents {
		r.Responses = cloneMap(r.Responses)
		n.Incidents[i] = r
	}
	if c.Pending != nil {
		p := *c.Pending
		n.Pending = &p
	}
	// Records are shared with c: the slice is clipped so that appending
	// copies it, and replaceLast copies it before changing a record.
	n.History = slices.Clip(c.History)
	return &n
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// replaceLast replaces the last record of the company's own copy of its
// history.
func (c *Company) replaceLast(r SprintRecord) {
	c.History = slices.Clone(c.History)
	c.History[len(c.History)-1] = r
}

// copyRecord returns a copy of r whose maps and slices may be changed.
func copyRecord(r SprintRecord) SprintRecord {
	r.Score.Parts = cloneMap(r.Score.Parts)
	r.Score.Teams = cloneMap(r.Score.Teams)
	r.Figures = cloneMap(r.Figures)
	return r
}
