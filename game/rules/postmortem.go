package rules

import "strings"

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
	gain := scn.Postmortem.Learning
	if scn.Postmortem.Practice != "" && c.Owns(scn.Postmortem.Practice) {
		gain += scn.Postmortem.PracticeBonus
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
	return next, res, nil
}
