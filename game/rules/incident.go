package rules

import (
	"math"
	"slices"
	"strings"
)

// IncidentAlert is what players see when an incident strikes: what
// happened, how long it went unnoticed and the options of each team.
type IncidentAlert struct {
	ID            string  `json:"id"`
	Name          Text    `json:"name"`
	Description   Text    `json:"description"`
	Sprint        int     `json:"sprint"`
	Impact        float64 `json:"impact"`
	DetectMinutes float64 `json:"detectMinutes"`
	// Detected tells in plain words how long the incident went unnoticed.
	Detected Text `json:"detected"`
	// Options are the responses each team may choose from.
	Options map[string][]ResponseOption `json:"options"`
}

// ResponseOption is one response as a team sees it for its company.
type ResponseOption struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	// Available is false when the company lacks a capability it needs;
	// choosing it then does nothing.
	Available bool     `json:"available"`
	Missing   []string `json:"missing"`
}

func (s *Scenario) alert(c *Company, p *PendingIncident) *IncidentAlert {
	in := s.idx.incidents[p.ID]
	a := &IncidentAlert{ID: in.ID, Name: in.Name, Description: in.Description, Sprint: p.Sprint,
		Impact: p.Impact, DetectMinutes: p.DetectMinutes, Options: map[string][]ResponseOption{}}
	a.Detected = textf("It went unnoticed for %s.", "Il est passé inaperçu pendant %s.",
		Text{duration(p.DetectMinutes/60, "en"), duration(p.DetectMinutes/60, "fr")})
	for _, t := range Teams {
		a.Options[t] = []ResponseOption{}
	}
	for _, r := range in.Responses {
		missing := []string{}
		for _, req := range r.Requires {
			if !c.Owns(req) {
				missing = append(missing, req)
			}
		}
		a.Options[r.Team] = append(a.Options[r.Team], ResponseOption{ID: r.ID, Name: r.Name, Available: len(missing) == 0, Missing: missing})
	}
	return a
}

// PendingAlert returns the alert of the company's pending incident, or nil.
func PendingAlert(scn *Scenario, c *Company) *IncidentAlert {
	if c.Pending == nil {
		return nil
	}
	return scn.alert(c, c.Pending)
}

// IncidentInput is the teams' answer to the pending incident.
type IncidentInput struct {
	// Responses maps each team to the id of the response it chose; a team
	// that did not answer in time is left out.
	Responses map[string]string `json:"responses"`
	// ResponseSeconds is the real time the teams took, in seconds. The
	// scenario's responseMinutesPerSecond turns it into game minutes.
	ResponseSeconds float64 `json:"responseSeconds"`
	// Seed is the game's seed; it sets how lucky the repair is.
	Seed uint64 `json:"seed"`
}

// IncidentResult tells how an incident went.
type IncidentResult struct {
	Incident        string  `json:"incident"`
	Name            Text    `json:"name"`
	DetectMinutes   float64 `json:"detectMinutes"`
	ResponseMinutes float64 `json:"responseMinutes"`
	RepairMinutes   float64 `json:"repairMinutes"`
	RestoreMinutes  float64 `json:"restoreMinutes"`
	DowntimeMinutes float64 `json:"downtimeMinutes"`
	// ScoreChange is what the incident cost the company score (negative
	// or zero), downtime, tiers and all.
	ScoreChange float64 `json:"scoreChange"`
	// Steps tell the story: detection, each team's response, the repair.
	Steps []Notice `json:"steps"`
	// Metrics are the sprint's outcomes the incident changed.
	Metrics []MetricChange `json:"metrics"`
	// Record is the sprint record updated with the incident.
	Record SprintRecord `json:"record"`
}

// ResolveIncident resolves the company's pending incident from the teams'
// responses and the real time they took: time to detect (set by
// monitoring), response time, repair time (changed by the responses and the
// capabilities behind them), then downtime, availability, time to restore
// and scores of the sprint. It returns a new company.
func ResolveIncident(scn *Scenario, c *Company, in IncidentInput) (*Company, *IncidentResult, error) {
	if c.Scenario != scn.ID {
		return nil, nil, errorf(CodeWrongScenario, "This company plays scenario %q, not %q.", "Cette entreprise joue le scénario %q, pas %q.", c.Scenario, scn.ID)
	}
	p := c.Pending
	if p == nil {
		return nil, nil, errorf(CodeNoIncident, "There is no incident to resolve.", "Il n'y a pas d'incident à résoudre.")
	}
	inc := scn.idx.incidents[p.ID]
	if inc == nil {
		return nil, nil, errorf(CodeNoIncident, "Unknown incident %q.", "Incident inconnu %q.", p.ID)
	}
	if math.IsNaN(in.ResponseSeconds) || in.ResponseSeconds < 0 {
		return nil, nil, errorf(CodeInvalidArgument, "The response time must be a number of seconds, 0 or more.", "Le temps de réponse doit être un nombre de secondes positif ou nul.")
	}
	teams := make([]string, 0, len(in.Responses))
	for t := range in.Responses {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	for _, t := range teams {
		if !slices.Contains(Teams, t) {
			return nil, nil, errorf(CodeUnknownTeam, "Unknown team %q: use dev, ops, qa or pm.", "Équipe inconnue %q : utilisez dev, ops, qa ou pm.", t)
		}
		if findResponse(inc, t, in.Responses[t]) == nil {
			return nil, nil, errorf(CodeUnknownResponse, "“%s” has no response %q for %s.", "« %s » n'a pas de réponse %q pour l'équipe %s.", inc.Name, in.Responses[t], teamName(scn, t))
		}
	}

	res := &IncidentResult{Incident: inc.ID, Name: inc.Name, DetectMinutes: p.DetectMinutes}
	res.Steps = append(res.Steps, Notice{Kind: "detect", Text: textf(
		"Detection: the incident went unnoticed for %s.", "Détection : l'incident est passé inaperçu pendant %s.",
		Text{duration(p.DetectMinutes/60, "en"), duration(p.DetectMinutes/60, "fr")})})
	res.ResponseMinutes = round4(in.ResponseSeconds * scn.ResponseMinutesPerSecond)
	res.Steps = append(res.Steps, Notice{Kind: "respond", Text: textf(
		"Decision: the teams took %s to choose their responses.", "Décision : les équipes ont mis %s à choisir leurs réponses.",
		Text{duration(res.ResponseMinutes/60, "en"), duration(res.ResponseMinutes/60, "fr")})})

	factor, extra := 1.0, 0.0
	next := c.clone()
	rec := copyRecord(*next.Last())
	for _, t := range Teams {
		id, ok := in.Responses[t]
		if !ok {
			res.Steps = append(res.Steps, Notice{Kind: "no_response", Text: textf(
				"%s did not respond in time.", "%s n'a pas répondu à temps.", teamName(scn, t))})
			continue
		}
		r := findResponse(inc, t, id)
		var missing []string
		for _, req := range r.Requires {
			if !c.Owns(req) {
				missing = append(missing, scn.idx.caps[req].Name.EN)
			}
		}
		if len(missing) > 0 {
			var fr []string
			for _, req := range r.Requires {
				if !c.Owns(req) {
					fr = append(fr, scn.idx.caps[req].Name.FR)
				}
			}
			res.Steps = append(res.Steps, Notice{Kind: "response_impossible", Text: textf(
				"%s chose “%s”, but the company lacks %s: it did not help.",
				"%s a choisi « %s », mais l'entreprise n'a pas %s : cela n'a servi à rien.",
				teamName(scn, t), r.Name, Text{strings.Join(missing, ", "), strings.Join(fr, ", ")})})
			continue
		}
		factor *= r.Factor
		extra += r.Minutes
		for _, pl := range Pillars {
			if v, ok := r.CALMS[pl]; ok {
				rec.CALMS.add(pl, v)
			}
		}
		res.Steps = append(res.Steps, Notice{Kind: "response", Text: textf("%s — %s: %s", "%s — %s : %s", teamName(scn, t), r.Name, r.Explain)})
	}
	luck := 0.9 + 0.2*draw(in.Seed, p.Sprint, 2)
	res.RepairMinutes = round4(math.Max(1, p.RepairMinutes*factor+extra) * luck)
	res.Steps = append(res.Steps, Notice{Kind: "repair", Text: textf(
		"Repair: %s of work to restore the service.", "Réparation : %s de travail pour rétablir le service.",
		Text{duration(res.RepairMinutes/60, "en"), duration(res.RepairMinutes/60, "fr")})})
	res.RestoreMinutes = round4(p.DetectMinutes + res.ResponseMinutes + res.RepairMinutes)
	res.DowntimeMinutes = round4(res.RestoreMinutes * p.Impact)
	res.Steps = append(res.Steps, Notice{Kind: "restored", Text: textf(
		"Service restored after %s in all; %s of customers were affected.",
		"Service rétabli après %s au total ; %s des clients ont été touchés.",
		Text{duration(res.RestoreMinutes/60, "en"), duration(res.RestoreMinutes/60, "fr")},
		Text{num(p.Impact*100, "en") + " %", num(p.Impact*100, "fr") + " %"})})

	// The sprint's figures with the incident in them.
	before := rec.Metrics
	m := &rec.Metrics
	sprintMinutes := float64(scn.SprintDays) * 24 * 60
	m.DowntimeMinutes = round4(math.Min(sprintMinutes, m.DowntimeMinutes+res.DowntimeMinutes))
	m.DowntimeHours = round4(m.DowntimeMinutes / 60)
	m.Availability = round4(1 - m.DowntimeMinutes/sprintMinutes)
	m.TimeToRestoreHours = round4((m.FailedDeployments*before.TimeToRestoreHours + res.RestoreMinutes/60) / (m.FailedDeployments + 1))
	rec.Tiers = scn.TiersOf(rec.Metrics)
	next.replaceLast(rec)
	if err := scn.rescore(next); err != nil {
		return nil, nil, err
	}
	res.Record = *next.Last()
	res.ScoreChange = round4(next.Score - c.Score)

	src := "incident:" + inc.ID
	for _, d := range metricDefs {
		b, a := d.get(&before), d.get(m)
		if !changedEnough(b, a) {
			continue
		}
		mc := MetricChange{Metric: d.id, Name: d.label, Before: b, After: a,
			Causes: []Cause{{Source: src, Name: inc.Name, Delta: round4(a - b), Text: causeText(d, inc.Name, b, a)}}}
		if d.tier != nil {
			mc.TierBefore, mc.TierAfter = d.tier(scn.TiersOf(before)), d.tier(rec.Tiers)
		}
		mc.Text = summary(d, b, a, mc.TierBefore, mc.TierAfter)
		res.Metrics = append(res.Metrics, mc)
	}
	if res.Metrics == nil {
		res.Metrics = []MetricChange{}
	}

	// Firefighting after the incident.
	if inc.Load > 0 {
		for _, t := range []string{"dev", "ops"} {
			next.Unplanned[t] = scn.firefighting(float64(inc.Load), next.Unplanned[t])
		}
		res.Steps = append(res.Steps, Notice{Kind: "capacity_lost", Text: textf(
			"The aftermath will cost Dev and Ops up to %s more next sprint.",
			"Les suites de l'incident coûteront jusqu'à %s de plus à Dev et Ops au prochain sprint.", points(inc.Load))})
	}

	ir := &next.Incidents[len(next.Incidents)-1]
	ir.Resolved = true
	ir.Responses = cloneMap(in.Responses)
	if ir.Responses == nil {
		ir.Responses = map[string]string{}
	}
	ir.ResponseSeconds = round4(in.ResponseSeconds)
	ir.ResponseMinutes, ir.RepairMinutes = res.ResponseMinutes, res.RepairMinutes
	ir.RestoreMinutes, ir.DowntimeMinutes = res.RestoreMinutes, res.DowntimeMinutes
	next.Pending = nil
	return next, res, nil
}

func findResponse(in *Incident, team, id string) *Response {
	for _, r := range in.Responses {
		if r.Team == team && r.ID == id {
			return r
		}
	}
	return nil
}

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
	res.Text = textf("Post-mortem of “%s”: +%s learning. %s", "Post-mortem de « %s » : +%s d'apprentissage. %s",
		scn.idx.incidents[ir.ID].Name, Text{num(gain, "en"), num(gain, "fr")}, scn.Postmortem.Explain)
	return next, res, nil
}
