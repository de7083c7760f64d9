package rules

import (
	"math"
	"slices"
	"strings"
)

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
	// Quick skips the story and the explanations (headless simulations).
	Quick bool `json:"quick,omitempty"`
}

// IncidentResult tells how an incident went.
type IncidentResult struct {
	Incident string `json:"incident"`
	Name     Text   `json:"name"`
	// Kind is "outage" or "security".
	Kind          string  `json:"kind"`
	DetectMinutes float64 `json:"detectMinutes"`
	// ResponseMinutes is the time the teams took to decide, in game
	// minutes.
	ResponseMinutes float64 `json:"responseMinutes"`
	RepairMinutes   float64 `json:"repairMinutes"`
	// RestoreMinutes is detection + decision + repair: the time to restore
	// an outage, the time to patch a vulnerability.
	RestoreMinutes  float64 `json:"restoreMinutes"`
	DowntimeMinutes float64 `json:"downtimeMinutes"`
	ExposureMinutes float64 `json:"exposureMinutes"`
	// ScoreChange is what the incident cost the company score (negative
	// or zero), downtime, exposure and all.
	ScoreChange float64 `json:"scoreChange"`
	// Steps tell the story: detection, decision, each team's response, the
	// repair.
	Steps []Notice `json:"steps"`
	// Responses tell what each team's response changed.
	Responses []ResponseEffect `json:"responses"`
	// Metrics are the sprint's outcomes the incident changed.
	Metrics []MetricChange `json:"metrics"`
	// Record is the sprint record updated with the incident.
	Record SprintRecord `json:"record"`
}

// ResponseEffect is what one team's response did to the incident, all
// other responses being the same: minutes added (positive) or saved
// (negative).
type ResponseEffect struct {
	Team     string `json:"team"`
	Response string `json:"response"`
	Name     Text   `json:"name"`
	// Helped is false when the company lacked a capability the response
	// needs: it changed nothing.
	Helped          bool    `json:"helped"`
	RestoreMinutes  float64 `json:"restoreMinutes"`
	DowntimeMinutes float64 `json:"downtimeMinutes"`
	ExposureMinutes float64 `json:"exposureMinutes"`
	Text            Text    `json:"text"`
}

// incidentOutcome is how an incident ends with a given set of responses.
type incidentOutcome struct {
	repair, restore, downtime, exposure float64
}

// incidentOutcome works out the repair, restore, downtime and exposure of
// an incident with the responses rs, the decision time and the luck drawn.
func (s *Scenario) incidentOutcome(inc *Incident, p *PendingIncident, decide, luck float64, rs []*Response) incidentOutcome {
	factor, extra, offline := 1.0, 0.0, false
	for _, r := range rs {
		factor *= r.Factor
		extra += r.Minutes
		offline = offline || r.Offline
	}
	var o incidentOutcome
	o.repair = round4(math.Max(1, p.RepairMinutes*factor+extra) * luck)
	o.restore = round4(p.DetectMinutes + decide + o.repair)
	switch {
	case inc.Kind == "security" && offline:
		// Offline from the decision until the patch is in.
		o.exposure = round4(p.DetectMinutes + decide)
		o.downtime = o.repair
	case inc.Kind == "security":
		o.exposure = o.restore
	case offline:
		o.downtime = o.restore
	default:
		o.downtime = round4(o.restore * p.Impact)
	}
	if inc.Weight > 1 {
		o.downtime = round4(o.downtime * inc.Weight)
	}
	return o
}

// ResolveIncident resolves the company's pending incident from the teams'
// responses and the real time they took: time to detect (set by
// monitoring, or by customers calling), decision time (the real time,
// scaled by how the company decides under pressure: runbooks and ChatOps
// shorten it, blame lengthens it), repair time (changed by the responses
// and the capabilities behind them). An outage adds its downtime to the
// sprint, a security incident its exposure (time to patch); neither
// changes the time to restore after failed deployments. It returns a new
// company.
func ResolveIncident(scn *Scenario, c *Company, in IncidentInput) (*Company, *IncidentResult, error) {
	p := c.Pending
	inc, err := checkIncidentInput(scn, c, in)
	if err != nil {
		return nil, nil, err
	}

	next := c.clone()
	rec := copyRecord(*next.Last())
	kind := incidentKind(inc)
	res := &IncidentResult{Incident: inc.ID, Name: inc.Name, Kind: kind, DetectMinutes: p.DetectMinutes, Responses: []ResponseEffect{}}
	scn.decide(p, in, rec, res)
	helping := scn.chooseResponses(c, next, &rec, inc, in, res)
	scn.repair(inc, p, in, helping, res)
	tellRestored(kind, p, res)

	// The sprint's figures with the incident in them.
	before := rec.Metrics
	scn.addIncidentTime(&rec, kind, res)
	next.replaceLast(rec)
	if err := scn.rescore(next); err != nil {
		return nil, nil, err
	}
	res.Record = *next.Last()
	res.ScoreChange = round4(next.Score - c.Score)
	res.Metrics = scn.incidentChanges(inc, before, rec)

	scn.aftermath(next, inc, rec, res)
	closeIncident(next, kind, in, res)
	return next, res, nil
}

// incidentKind is an incident's kind: "security", or "outage" when the
// scenario leaves it out.
func incidentKind(inc *Incident) string {
	if inc.Kind == "" {
		return "outage"
	}
	return inc.Kind
}

// decide tells how long the incident went unnoticed and how long the teams
// took to decide, in game minutes: their real time, scaled by the sprint's
// decision figure.
func (s *Scenario) decide(p *PendingIncident, in IncidentInput, rec SprintRecord, res *IncidentResult) {
	res.Steps = append(res.Steps, Notice{Kind: "detect", Text: textf(
		"Detection: the incident went unnoticed for %s.", "Détection : l'incident est passé inaperçu pendant %s.",
		hours(p.DetectMinutes/60))})
	decision := rec.Figures[figureDefs[figDecision].name]
	if decision == 0 {
		decision = 1
	}
	res.ResponseMinutes = round4(in.ResponseSeconds * s.ResponseMinutesPerSecond * decision)
	if decision != 1 {
		res.Steps = append(res.Steps, Notice{Kind: "respond", Text: textf(
			"Decision: the teams took %s to choose their responses (their real time ×%s: the way the company decides under pressure).",
			"Décision : les équipes ont mis %s à choisir leurs réponses (leur temps réel ×%s : la façon dont l'entreprise décide sous pression).",
			hours(res.ResponseMinutes/60), Text{num(decision, "en"), num(decision, "fr")})})
	} else {
		res.Steps = append(res.Steps, Notice{Kind: "respond", Text: textf(
			"Decision: the teams took %s to choose their responses.", "Décision : les équipes ont mis %s à choisir leurs réponses.",
			hours(res.ResponseMinutes/60))})
	}
}

// repair works out the repair with the responses that help and the luck
// drawn for the sprint, and tells what each response changed (measured
// against the same repair without it; skipped in quick mode).
func (s *Scenario) repair(inc *Incident, p *PendingIncident, in IncidentInput, helping []chosen, res *IncidentResult) {
	all := make([]*Response, len(helping))
	for i, h := range helping {
		all[i] = h.r
	}
	luck := 0.9 + 0.2*draw(in.Seed, p.Sprint, 2)
	out := s.incidentOutcome(inc, p, res.ResponseMinutes, luck, all)
	for i, h := range helping {
		if in.Quick {
			break
		}
		without := s.incidentOutcome(inc, p, res.ResponseMinutes, luck, slices.Delete(slices.Clone(all), i, i+1))
		e := ResponseEffect{Team: h.team, Response: h.r.ID, Name: h.r.Name, Helped: true,
			RestoreMinutes:  round4(out.restore - without.restore),
			DowntimeMinutes: round4(out.downtime - without.downtime),
			ExposureMinutes: round4(out.exposure - without.exposure)}
		e.Text = effectText(e, inc.Kind)
		res.Responses = append(res.Responses, e)
		res.Steps = append(res.Steps, Notice{Kind: "response", Text: textf("%s — %s: %s %s", "%s — %s : %s %s",
			teamName(s, h.team), h.r.Name, h.r.Explain, e.Text)})
	}
	res.RepairMinutes, res.RestoreMinutes = out.repair, out.restore
	res.DowntimeMinutes, res.ExposureMinutes = out.downtime, out.exposure
}

// tellRestored tells the repair and its end: a service restored, or a
// vulnerability patched (and the shop offline meanwhile, if it was).
func tellRestored(kind string, p *PendingIncident, res *IncidentResult) {
	res.Steps = append(res.Steps, Notice{Kind: "repair", Text: textf(
		"Repair: %s of work.", "Réparation : %s de travail.", hours(res.RepairMinutes/60))})
	if kind == "security" {
		res.Steps = append(res.Steps, Notice{Kind: "restored", Text: textf(
			"Patched after %s in all: the shop stayed open to attack for %s.",
			"Corrigé après %s au total : la boutique est restée exposée aux attaques pendant %s.",
			hours(res.RestoreMinutes/60), hours(res.ExposureMinutes/60))})
		if res.DowntimeMinutes > 0 {
			res.Steps = append(res.Steps, Notice{Kind: "offline", Text: textf(
				"The shop was offline for %s while the patch was made.", "La boutique a été hors ligne pendant %s, le temps du correctif.",
				hours(res.DowntimeMinutes/60))})
		}
		return
	}
	res.Steps = append(res.Steps, Notice{Kind: "restored", Text: textf(
		"Service restored after %s in all; %s of customers were affected.",
		"Service rétabli après %s au total ; %s des clients ont été touchés.",
		hours(res.RestoreMinutes/60), Text{num(p.Impact*100, "en") + " %", num(p.Impact*100, "fr") + "\u00a0%"})})
}

// addIncidentTime adds the incident to the sprint's metrics: its downtime
// (capped at the sprint), and its exposure or restore time. The time to
// restore after failed deployments does not change: the incident is told
// apart.
func (s *Scenario) addIncidentTime(rec *SprintRecord, kind string, res *IncidentResult) {
	m := &rec.Metrics
	sprintMinutes := float64(s.SprintDays) * 24 * 60
	m.DowntimeMinutes = round4(math.Min(sprintMinutes, m.DowntimeMinutes+res.DowntimeMinutes))
	m.DowntimeHours = round4(m.DowntimeMinutes / 60)
	m.Availability = round4(1 - m.DowntimeMinutes/sprintMinutes)
	if kind == "security" {
		m.ExposureHours = round4(m.ExposureHours + res.ExposureMinutes/60)
	} else {
		m.IncidentHours = round4(m.IncidentHours + res.RestoreMinutes/60)
	}
	rec.Tiers = s.TiersOf(rec.Metrics)
}

// aftermath takes the incident's firefighting load from Dev and Ops's next
// sprint, scaled by how well the company coordinates (the firefighting
// figure against its start).
func (s *Scenario) aftermath(next *Company, inc *Incident, rec SprintRecord, res *IncidentResult) {
	load := s.incidentLoad(inc, rec)
	if load <= 0 {
		return
	}
	for _, t := range []string{"dev", "ops"} {
		next.Unplanned[t] = s.firefighting(float64(load), next.Unplanned[t])
	}
	res.Steps = append(res.Steps, Notice{Kind: "capacity_lost", Text: textf(
		"The aftermath will cost Dev and Ops up to %s more next sprint.",
		"Les suites de l'incident coûteront jusqu'à %s de plus aux Dev et aux Ops au prochain sprint.", points(load))})
}

// closeIncident records how the incident went in the company's list of
// incidents and clears the pending incident.
func closeIncident(next *Company, kind string, in IncidentInput, res *IncidentResult) {
	ir := &next.Incidents[len(next.Incidents)-1]
	ir.Resolved = true
	ir.Kind = kind
	ir.Responses = cloneMap(in.Responses)
	if ir.Responses == nil {
		ir.Responses = map[string]string{}
	}
	ir.ResponseSeconds = round4(in.ResponseSeconds)
	ir.ResponseMinutes, ir.RepairMinutes = res.ResponseMinutes, res.RepairMinutes
	ir.RestoreMinutes, ir.DowntimeMinutes, ir.ExposureMinutes = res.RestoreMinutes, res.DowntimeMinutes, res.ExposureMinutes
	next.Pending = nil
}

// incidentLoad is the capacity the incident's aftermath takes from Dev and
// Ops: its load, times the sprint's firefighting figure over its starting
// value (ChatOps and runbooks make the aftermath lighter), rounded.
func (s *Scenario) incidentLoad(inc *Incident, rec SprintRecord) int {
	if inc.Load == 0 {
		return 0
	}
	ratio := 1.0
	if base := s.idx.base[figFirefighting]; base > 0 {
		if f, ok := rec.Figures[figureDefs[figFirefighting].name]; ok {
			ratio = f / base
		}
	}
	return int(math.Round(float64(inc.Load) * ratio))
}

// hours formats hours in both languages.
func hours(h float64) Text { return Text{duration(h, "en"), duration(h, "fr")} }

// effectText tells what a response changed, in minutes of restore (of
// correction, for a security incident), downtime or exposure.
func effectText(e ResponseEffect, kind string) Text {
	part := func(v float64, en, fr string) (Text, bool) {
		if math.Abs(v) < 0.5 {
			return Text{}, false
		}
		if v < 0 {
			return textf("saved %s of "+en, "%s "+fr+" en moins", hours(-v/60)), true
		}
		return textf("cost %s of "+en, "%s "+fr+" en plus", hours(v/60)), true
	}
	// The French names carry their preposition, elided before a vowel.
	restoreEN, restoreFR := "restore time", "de temps de restauration"
	if kind == "security" {
		restoreEN, restoreFR = "time to patch", "de temps de correction"
	}
	var en, fr []string
	for _, x := range []struct {
		v      float64
		en, fr string
	}{{e.RestoreMinutes, restoreEN, restoreFR}, {e.DowntimeMinutes, "downtime", "de panne"}, {e.ExposureMinutes, "exposure", "d'exposition"}} {
		if t, ok := part(x.v, x.en, x.fr); ok {
			en, fr = append(en, t.EN), append(fr, t.FR)
		}
	}
	if len(en) == 0 {
		return Text{"(It changed no time.)", "(Aucun temps gagné ni perdu.)"}
	}
	return Text{"(" + capitalize(strings.Join(en, ", ")) + ".)", "(" + capitalize(strings.Join(fr, ", ")) + ".)"}
}

// checkIncidentInput checks the teams' answer to the company's pending
// incident and returns the incident.
func checkIncidentInput(scn *Scenario, c *Company, in IncidentInput) (*Incident, error) {
	if c.Scenario != scn.ID {
		return nil, errorf(CodeWrongScenario, "This company plays scenario %q, not %q.", "Cette entreprise joue le scénario « %s », pas « %s ».", c.Scenario, scn.ID)
	}
	p := c.Pending
	if p == nil {
		return nil, errorf(CodeNoIncident, "There is no incident to resolve.", "Il n'y a pas d'incident à résoudre.")
	}
	inc := scn.idx.incidents[p.ID]
	if inc == nil {
		return nil, errorf(CodeNoIncident, "Unknown incident %q.", "Incident inconnu %q.", p.ID)
	}
	if math.IsNaN(in.ResponseSeconds) || in.ResponseSeconds < 0 {
		return nil, errorf(CodeInvalidArgument, "The response time must be a number of seconds, 0 or more.", "Le temps de réponse doit être un nombre de secondes positif ou nul.")
	}
	teams := make([]string, 0, len(in.Responses))
	for t := range in.Responses {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	for _, t := range teams {
		if !slices.Contains(Teams, t) {
			return nil, errorf(CodeUnknownTeam, "Unknown team %q: use dev, ops, qa or pm.", "Équipe inconnue « %s » : choisissez dev, ops, qa ou pm.", t)
		}
		if findResponse(inc, t, in.Responses[t]) == nil {
			return nil, errorf(CodeUnknownResponse, "“%s” has no response %q for %s.", "« %s » n'a pas de réponse « %s » pour l'équipe %s.", inc.Name, in.Responses[t], teamName(scn, t))
		}
	}

	return inc, nil
}

// chosen is a team's response that helps.
type chosen struct {
	team string
	r    *Response
}

// chooseResponses tells each team's response: the ones that help, which it
// returns (remembering blame and their CALMS points in next and rec), and
// the others, which change nothing.
func (s *Scenario) chooseResponses(c, next *Company, rec *SprintRecord, inc *Incident, in IncidentInput, res *IncidentResult) []chosen {
	var helping []chosen
	for _, t := range Teams {
		id, ok := in.Responses[t]
		if !ok {
			res.Steps = append(res.Steps, Notice{Kind: "no_response", Text: textf(
				"%s did not respond in time.", "%s n'a pas répondu à temps.", teamName(s, t))})
			continue
		}
		r := findResponse(inc, t, id)
		var en, fr []string
		for _, req := range r.Requires {
			if !c.Owns(req) {
				en, fr = append(en, s.idx.caps[req].Name.EN), append(fr, s.idx.caps[req].Name.FR)
			}
		}
		if len(en) > 0 {
			res.Steps = append(res.Steps, Notice{Kind: "response_impossible", Text: textf(
				"%s chose “%s”, but the company lacks %s: it did not help.",
				"%s a choisi « %s », mais l'entreprise n'a pas mis en place %s : cela n'a servi à rien.",
				teamName(s, t), r.Name, Text{strings.Join(en, ", "), "« " + strings.Join(fr, " », « ") + " »"})})
			res.Responses = append(res.Responses, ResponseEffect{Team: t, Response: r.ID, Name: r.Name,
				Text: textf("No effect: the company lacks %s.", "Sans effet : l'entreprise n'a pas mis en place %s.", Text{strings.Join(en, ", "), "« " + strings.Join(fr, " », « ") + " »"})})
			continue
		}
		helping = append(helping, chosen{t, r})
		if r.Blame {
			next.Blames++
		}
		for _, pl := range Pillars {
			if v, ok := r.CALMS[pl]; ok {
				rec.CALMS.add(pl, v)
			}
		}
	}
	return helping
}

// incidentChanges explains the sprint's outcomes the incident changed.
func (s *Scenario) incidentChanges(inc *Incident, before Metrics, rec SprintRecord) []MetricChange {
	m := &rec.Metrics
	var out []MetricChange
	src := "incident:" + inc.ID
	for _, d := range metricDefs {
		b, a := d.get(&before), d.get(m)
		if !changedEnough(b, a) {
			continue
		}
		mc := MetricChange{Metric: d.id, Name: d.label, Before: b, After: a,
			Causes: []Cause{{Source: src, Name: inc.Name, Sprint: rec.Sprint, Delta: a - b}}}
		if d.tier != nil {
			mc.TierBefore, mc.TierAfter = d.tier(s.TiersOf(before)), d.tier(rec.Tiers)
		}
		s.settle(&mc, d, nil)
		if mc.Shown > 0 {
			out = append(out, mc)
		}
	}

	if out == nil {
		out = []MetricChange{}
	}
	return out
}

// findResponse returns the incident's response id for team, or nil.
func findResponse(in *Incident, team, id string) *Response {
	for _, r := range in.Responses {
		if r.Team == team && r.ID == id {
			return r
		}
	}
	return nil
}
