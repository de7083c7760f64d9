package rules

import (
	"fmt"
	"slices"
	"strings"
)

// The checks of what a game plays with besides the catalogue: incidents,
// post-mortems, quiz and debates, DORA tiers, value, the size of changes,
// measurement and scoring.

// incidents checks each incident's expressions, kind, weight, load and
// responses (at least one for each team).
func (v *validator) incidents() {
	ix := &v.s.idx
	for _, in := range v.s.Incidents {
		owner := fmt.Sprintf("incident %q", in.ID)
		v.compile(&in.When, kindBool, owner+": when")
		v.compile(&in.Chance, kindNumber, owner+": chance")
		v.compile(&in.Impact, kindNumber, owner+": impact")
		v.compile(&in.Detect, kindNumber, owner+": detect")
		v.compile(&in.Repair, kindNumber, owner+": repair")
		if in.Kind != "" && in.Kind != "outage" && in.Kind != "security" {
			v.errf(in, "kind", "%s: unknown kind %q (use outage or security)", owner, in.Kind)
		}
		if v.d.has(in, "weight") && (in.Weight < 1 || in.Weight > 100) {
			v.errf(in, "weight", "%s: weight %v is out of range 1..100", owner, in.Weight)
		}
		if in.Load < 0 || (in.Load > v.s.Capacity && v.capacityOK()) {
			v.errf(in, "load", "%s: load %d is out of range 0..%d", owner, in.Load, v.s.Capacity)
		}
		seen := map[string]int{}
		byTeam := map[string]int{}
		for _, r := range in.Responses {
			v.checkID(r, "response", r.ID, seen)
			if !slices.Contains(Teams, r.Team) {
				v.errf(r, "team", "%s: response %q has unknown team %q", owner, r.ID, r.Team)
			}
			byTeam[r.Team]++
			for _, c := range r.Requires {
				if ix.caps[c] == nil {
					v.errf(r, "requires", "%s: response %q requires unknown capability %q", owner, r.ID, c)
				}
			}
			if v.d.has(r, "factor") && (r.Factor <= 0 || r.Factor > 10) {
				v.errf(r, "factor", "%s: response %q: factor %v is out of range (0, 10]", owner, r.ID, r.Factor)
			}
			if !v.d.has(r, "factor") {
				r.Factor = 1
			}
			v.calms(r, fmt.Sprintf("%s: response %q", owner, r.ID), r.CALMS)
		}
		for _, t := range Teams {
			if byTeam[t] == 0 {
				v.errf(in, "responses", "%s: team %s has no response option", owner, t)
			}
		}
	}
}

// postmortem checks the post-mortem's practice and learning points.
func (v *validator) postmortem() {
	p := &v.s.Postmortem
	if p.Practice != "" && v.s.idx.caps[p.Practice] == nil {
		v.errf(p, "practice", "postmortem: unknown capability %q", p.Practice)
	}
	if p.Learning < 0 || p.PracticeBonus < 0 {
		v.errf(p, "learning", "postmortem: learning and practiceBonus must not be negative")
	}
	if p.RepeatFactor <= 0 || p.RepeatFactor > 1 {
		v.errf(p, "repeatFactor", "postmortem: repeatFactor %v is out of range (0, 1]", p.RepeatFactor)
	}
	if v.d.has(p, "unlearnedFactor") && (p.UnlearnedFactor < 1 || p.UnlearnedFactor > 10) {
		v.errf(p, "unlearnedFactor", "postmortem: unlearnedFactor %v is out of range 1..10", p.UnlearnedFactor)
	}
	if v.d.has(p, "costShare") && (p.CostShare <= 0 || p.CostShare > 1) {
		v.errf(p, "costShare", "postmortem: costShare %v is out of range (0, 1]", p.CostShare)
	}
}

// quiz checks each question's id and options, and indexes it.
func (v *validator) quiz() {
	seen := map[string]int{}
	for _, q := range v.s.Quiz {
		v.checkID(q, "question", q.ID, seen)
		v.s.idx.questions[q.ID] = q
		if len(q.Options) < 2 {
			v.errf(q, "options", "question %q: needs at least two options", q.ID)
		}
		opts := map[string]int{}
		found := false
		for _, o := range q.Options {
			v.checkID(o, "option", o.ID, opts)
			found = found || o.ID == q.Answer
		}
		if !found {
			v.errf(q, "answer", "question %q: answer %q is not one of its options", q.ID, q.Answer)
		}
		if strings.TrimSpace(q.Topic) == "" {
			v.errf(q, "topic", "question %q: topic must not be empty", q.ID)
		}
	}
}

// debates checks the debate motions' ids.
func (v *validator) debates() {
	seen := map[string]int{}
	for _, m := range v.s.Debates {
		v.checkID(m, "motion", m.ID, seen)
	}
}

// dora checks that each DORA metric's tier limits are in order.
func (v *validator) dora() {
	d := &v.s.DORA
	lower := func(field string, l *TierLimits) {
		if !(0 < l.Elite && l.Elite < l.High && l.High < l.Medium) {
			v.errf(d, field, "dora.%s: limits must grow from elite to high to medium (found %v, %v, %v)", field, l.Elite, l.High, l.Medium)
		}
	}
	lower("leadTimeHours", &d.LeadTimeHours)
	lower("changeFailureRate", &d.ChangeFailureRate)
	lower("timeToRestoreHours", &d.TimeToRestoreHours)
	l := &d.DeploysPerDay
	if !(l.Elite > l.High && l.High > l.Medium && l.Medium > 0) {
		v.errf(d, "deploysPerDay", "dora.deploysPerDay: limits must shrink from elite to high to medium (found %v, %v, %v)", l.Elite, l.High, l.Medium)
	}
}

// value checks the cost of delay.
func (v *validator) value() {
	if v.d.has(&v.s.Value, "costOfDelayDays") && v.s.Value.CostOfDelayDays <= 0 {
		v.errf(&v.s.Value, "costOfDelayDays", "value.costOfDelayDays must be more than 0")
	}
}

// changes checks the figures that size a deployment's changes.
func (v *validator) changes() {
	ch := &v.s.Changes
	v.checkRange(ch, "baseWork", ch.BaseWork, 0, 1e4)
	v.checkRange(ch, "reference", ch.Reference, 0, 1e4)
	v.checkRange(ch, "failureExponent", ch.FailureExponent, 0, 1)
	if ch.Reference > 0 && ch.BaseWork <= 0 {
		v.errf(ch, "baseWork", "changes.baseWork must be more than 0 when a reference batch is given")
	}
}

// measurement checks the capabilities that measure the value stream and
// the DORA metrics.
func (v *validator) measurement() {
	m := &v.s.Measurement
	for _, l := range []struct {
		field string
		ids   []string
	}{{"stream", m.Stream}, {"dora", m.DORA}} {
		for _, id := range l.ids {
			if v.s.idx.caps[id] == nil {
				v.errf(m, l.field, "measurement.%s: unknown capability %q", l.field, id)
			}
		}
	}
}

// scoring checks the company score's parts, the marks and the final
// weights.
func (v *validator) scoring() {
	sc := &v.s.Scoring
	if len(sc.Company) == 0 {
		v.errf(sc, "company", "scoring.company needs at least one part")
	}
	seen := map[string]int{}
	for _, p := range sc.Company {
		v.checkID(p, "score part", p.ID, seen)
		v.compile(&p.Points, kindNumber, fmt.Sprintf("score part %q: points", p.ID))
	}
	for _, who := range append([]string{"company"}, Teams...) {
		m := sc.Marks.Get(who)
		if v.d.has(&sc.Marks, who) && !(m.Full > m.Zero) {
			v.errf(&sc.Marks, who, "scoring.marks.%s: full (%v) must be more than zero (%v)", who, m.Full, m.Zero)
		}
	}
	f := &sc.Final
	if f.Company < 0 || f.Team < 0 || f.Debate < 0 || f.Quiz < 0 || f.Company+f.Team+f.Debate+f.Quiz <= 0 {
		v.errf(f, "company", "scoring.final: weights must not be negative and must not all be 0")
	}
}
