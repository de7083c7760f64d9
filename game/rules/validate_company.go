package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Checks of the company the scenario starts from: its product, teams,
// value stream and starting figures.

// product checks the ids of the product's features, stack, study steps
// and challenges.
func (v *validator) product() {
	p := &v.s.Product
	v.items("feature", p.Features)
	v.items("stack", p.Stack)
	v.items("study step", p.StudySteps)
	v.items("challenge", p.Challenges)
}

// teams checks each team's study (the product's steps, in order), its
// challenges, its questions' pillars and its score expression.
func (v *validator) teams() {
	challenges := map[string]bool{}
	for _, c := range v.s.Product.Challenges {
		challenges[c.ID] = true
	}
	var steps []string
	for _, st := range v.s.Product.StudySteps {
		steps = append(steps, st.ID)
	}
	for _, team := range Teams {
		b := v.s.Teams.Get(team)
		if b == nil {
			continue // reported as a missing field
		}
		var got []string
		for _, st := range b.Study {
			got = append(got, st.Step)
			if len(st.Notions) == 0 || len(st.Questions) == 0 {
				v.errf(st, "questions", "team %s: study step %q needs at least one notion and one question", team, st.Step)
			}
		}
		if v.d.has(b, "study") && !slices.Equal(got, steps) {
			v.errf(b, "study", "team %s: study must follow the product's study steps (%s), in this order; found %s",
				team, strings.Join(steps, ", "), strings.Join(got, ", "))
		}
		for _, c := range b.Challenges {
			if !challenges[c] {
				v.errf(b, "challenges", "team %s: unknown challenge %q", team, c)
			}
		}
		for _, q := range b.Questions {
			if pillarFigure(q.Pillar) < 0 {
				v.errf(q, "pillar", "team %s: unknown CALMS pillar %q (use %s)", team, q.Pillar, strings.Join(Pillars, ", "))
			}
		}
		v.compile(&b.Score, kindNumber, fmt.Sprintf("team %s: score", team))
	}
}

// stages checks the value stream's stages and sets their starting
// times.
func (v *validator) stages() {
	s := v.s
	var ids []string
	for _, st := range s.Stages {
		ids = append(ids, st.ID)
	}
	if !slices.Equal(ids, StageIDs) {
		v.errf(s, "stages", "stages must be %s, in this order (found %s)", strings.Join(StageIDs, ", "), strings.Join(ids, ", "))
		return
	}
	for i, st := range s.Stages {
		if st.Process < 0 {
			v.errf(st, "process", "stage %q: process must not be negative", st.ID)
		}
		if st.Wait < 0 {
			v.errf(st, "wait", "stage %q: wait must not be negative", st.ID)
		}
		if st.Process+st.Wait <= 0 {
			v.errf(st, "", "stage %q: process + wait must be more than 0 hours", st.ID)
		}
		s.idx.base[2*i], s.idx.base[2*i+1] = st.Process, st.Wait
	}
}

// start checks the company's starting capabilities and figures, and sets
// the starting figures.
func (v *validator) start() {
	s := v.s
	st := &s.Start
	for _, c := range st.Capabilities {
		if s.idx.caps[c] == nil {
			v.errf(st, "capabilities", "start: unknown capability %q", c)
		}
	}
	for _, c := range st.Capabilities {
		if cp := s.idx.caps[c]; cp != nil {
			for _, r := range cp.Requires {
				if !slices.Contains(st.Capabilities, r) {
					v.errf(st, "capabilities", "start: capability %q needs %q, which is not owned at the start", c, r)
				}
			}
		}
	}
	names := make([]string, 0, len(st.Figures))
	for k := range st.Figures {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		i, ok := figureIndex[k]
		if !ok || !figureDefs[i].start {
			v.errf(st, "figures", "start: %q is not a starting figure", k)
			continue
		}
		d := figureDefs[i]
		if x := st.Figures[k]; x < d.lo || x > d.hi {
			v.errf(st, "figures", "start: %s %v is out of range %v..%v", k, x, d.lo, d.hi)
		}
		s.idx.base[i] = st.Figures[k]
	}
	for i, d := range figureDefs {
		if _, ok := st.Figures[d.name]; d.start && !ok {
			if d.opt {
				s.idx.base[i] = d.def
			} else if v.d.has(st, "figures") {
				v.errf(st, "figures", "start: missing figure %q", d.name)
			}
		}
	}
	s.idx.base[figProductivity] = max(s.idx.base[figProductivity], figureDefs[figProductivity].lo)
	if st.Inventory < 0 {
		v.errf(st, "inventory", "start: inventory must not be negative")
	}
}
