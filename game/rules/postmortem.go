package rules

import (
	"math"
	"slices"
	"strings"
)

// Postmortem is a short blameless post-mortem of an incident: what
// happened, why, and what the company changes.
type Postmortem struct {
	// Incident is the index of the incident in Company.Incidents.
	Incident     int    `json:"incident"`
	WhatHappened string `json:"whatHappened"`
	Why          string `json:"why"`
	Change       string `json:"change"`
}

// PostmortemResult tells what a post-mortem earned.
type PostmortemResult struct {
	Learning float64      `json:"learning"`
	Text     Text         `json:"text"`
	Record   SprintRecord `json:"record"`
}

// ApplyPostmortem records a blameless post-mortem for a resolved incident.
// It earns learning points in the latest sprint's score (more when the
// company practises blameless post-mortems), feeds the Culture and Sharing
// pillars through the scenario's rules, and makes the same incident less
// likely to strike again. It returns a new company.
func ApplyPostmortem(scn *Scenario, c *Company, pm Postmortem) (*Company, *PostmortemResult, error) {
	if pm.Incident < 0 || pm.Incident >= len(c.Incidents) {
		return nil, nil, errorf(CodeBadPostmortem, "There is no incident number %d.", "Il n'y a pas d'incident numéro %d.", pm.Incident)
	}
	ir := c.Incidents[pm.Incident]
	if !ir.Resolved {
		return nil, nil, errorf(CodeBadPostmortem, "Resolve the incident before writing its post-mortem.", "Résolvez l'incident avant d'en écrire le post-mortem.")
	}
	if ir.Postmortem {
		return nil, nil, errorf(CodeBadPostmortem, "This incident already has its post-mortem.", "Cet incident a déjà son post-mortem.")
	}
	if strings.TrimSpace(pm.WhatHappened) == "" || strings.TrimSpace(pm.Why) == "" || strings.TrimSpace(pm.Change) == "" {
		return nil, nil, errorf(CodeBadPostmortem, "Write all three parts: what happened, why, and what you change.",
			"Rédigez les trois parties : ce qui s'est passé, pourquoi, et ce que vous changez.")
	}
	gain, err := scn.postmortemGain(c, ir)
	if err != nil {
		return nil, nil, err
	}
	next := c.clone()
	next.Incidents[pm.Incident].Postmortem = true
	next.Postmortems++
	next.Learned[ir.ID]++
	next.Learning = round4(next.Learning + gain)
	rec := copyRecord(*next.Last())
	rec.Metrics.Learning = round4(rec.Metrics.Learning + gain)
	next.replaceLast(rec)
	if err := scn.rescore(next); err != nil {
		return nil, nil, err
	}
	res := &PostmortemResult{Learning: gain, Record: *next.Last()}
	res.Text = textf("Post-mortem of “%s”: +%s learning points. %s", "Post-mortem de « %s » : +%s points d'apprentissage. %s",
		scn.idx.incidents[ir.ID].Name, Text{num(gain, "en"), num(gain, "fr")}, scn.Postmortem.Explain)
	if full := scn.postmortemLearning(c); gain < full {
		share := scn.postmortemShare()
		pct := Text{num(100*share, "en") + " %", num(100*share, "fr") + "\u00a0%"}
		res.Text = textf("%s %s", "%s %s", res.Text, textf(
			"A post-mortem earns at most %s of the points its incident cost: no incident may pay.",
			"Un post-mortem rapporte au plus %s de ce que son incident a coûté en points\u00a0: aucun incident ne doit être rentable.", pct))
	}
	return next, res, nil
}

// postmortemLearning is what a post-mortem earns before the cap: the
// scenario's learning, plus its bonus when the company owns the practice.
func (s *Scenario) postmortemLearning(c *Company) float64 {
	gain := s.Postmortem.Learning
	if s.Postmortem.Practice != "" && c.Owns(s.Postmortem.Practice) {
		gain += s.Postmortem.PracticeBonus
	}
	return gain
}

// postmortemGain is the learning a post-mortem of ir earns: the
// scenario's learning, capped so that its points in the latest sprint's
// score never exceed costShare of what the incident cost (the points its
// downtime and exposure took from the score of the sprint it struck).
// Otherwise more incidents, each followed by a post-mortem, would raise
// the score; under 1, handling an incident better still pays.
func (s *Scenario) postmortemGain(c *Company, ir IncidentRecord) (float64, error) {
	gain := s.postmortemLearning(c)
	if gain <= 0 {
		return 0, nil
	}
	cost, err := s.incidentCost(c, ir)
	if err != nil {
		return 0, err
	}
	last := len(c.History) - 1
	base, err := s.companyScoreWith(c, last, nil)
	if err != nil {
		return 0, err
	}
	with, err := s.companyScoreWith(c, last, func(m *Metrics) { m.Learning += gain })
	if err != nil {
		return 0, err
	}
	cost *= s.postmortemShare()
	if worth := with - base; worth > cost {
		// Learning points are worth the same each (a linear score part).
		gain = round4(gain * math.Max(0, cost) / worth)
	}
	return gain, nil
}

// incidentCost is the points the incident's downtime and exposure took
// from the company score of the sprint it struck.
func (s *Scenario) incidentCost(c *Company, ir IncidentRecord) (float64, error) {
	i := slices.IndexFunc(c.History, func(r SprintRecord) bool { return r.Sprint == ir.Sprint })
	if i < 0 {
		return 0, nil
	}
	with, err := s.companyScoreWith(c, i, nil)
	if err != nil {
		return 0, err
	}
	sprintMinutes := float64(s.SprintDays) * 24 * 60
	without, err := s.companyScoreWith(c, i, func(m *Metrics) {
		m.DowntimeMinutes = math.Max(0, m.DowntimeMinutes-ir.DowntimeMinutes)
		m.DowntimeHours = m.DowntimeMinutes / 60
		m.Availability = 1 - m.DowntimeMinutes/sprintMinutes
		m.ExposureHours = math.Max(0, m.ExposureHours-ir.ExposureMinutes/60)
	})
	if err != nil {
		return 0, err
	}
	return without - with, nil
}

// postmortemShare is the share of its incident's cost a post-mortem may
// earn back (1 when the scenario does not say).
func (s *Scenario) postmortemShare() float64 {
	if s.Postmortem.CostShare == 0 {
		return 1
	}
	return s.Postmortem.CostShare
}
