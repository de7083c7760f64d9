package rules

// The environment expressions see during a sprint, and the effects in
// force: those of the owned capabilities, then of the actions done.

// newEnv prepares the environment of expressions for a sprint of c, whose
// capabilities are owned; sprints is the length of the game (0: the
// scenario's default).
func (s *Scenario) newEnv(c *Company, owned map[string]bool, sprint, sprints int, silo bool) *env {
	en := s.baseEnv(c, owned, sprint, silo)
	if sprints > 0 {
		en.Sprints = sprints
	}
	en.Coming = comingSet(s.announced(c, sprint, sprints))
	return en
}

// baseEnv is newEnv without the announcements.
func (s *Scenario) baseEnv(c *Company, owned map[string]bool, sprint int, silo bool) *env {
	en := &env{
		Sprint: sprint, Sprints: s.Sprints, Silo: silo,
		Has: owned, Did: map[string]bool{}, Seen: c.Seen, Coming: map[string]bool{},
		Postmortems: c.Postmortems, Collaboration: c.Collaboration,
		Unlearned: c.unlearned(), Blames: c.Blames,
	}
	if len(c.History) > 0 {
		en.Prev = c.Last().Metrics
	}
	f := s.idx.base
	f[figDebt], f[figLearning] = c.Debt, c.Learning
	en.setFigures(&f)
	return en
}

// capabilityEffects lists the effects of the owned capabilities, in
// scenario order: their CALMS points, then their effects.
func (s *Scenario) capabilityEffects(owned map[string]bool, en *env) ([]Applied, error) {
	n := 0
	for _, cp := range s.Capabilities {
		if owned[cp.ID] {
			n += len(cp.CALMS) + len(cp.Effects)
		}
	}
	out := make([]Applied, 0, n+s.idx.applied-s.idx.capApplied)
	for _, cp := range s.Capabilities {
		if !owned[cp.ID] {
			continue
		}
		src := s.idx.src[cp]
		for _, p := range Pillars {
			if v, ok := cp.CALMS[p]; ok {
				out = append(out, Applied{Source: src, Target: figureDefs[pillarFigure(p)].name, Op: "add", Value: v, fig: pillarFigure(p) + 1})
			}
		}
		var err error
		if out, err = appendEffects(out, src, cp.Effects, en); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// appendEffects evaluates the effects of one source (a capability, an
// action or a rule) in en and appends them to out, tagged with src.
func appendEffects(out []Applied, src string, effs []*Effect, en *env) ([]Applied, error) {
	for _, e := range effs {
		v, err := e.value.float(en)
		if err != nil {
			return nil, err
		}
		out = append(out, Applied{Source: src, Target: e.Target, Op: e.op, Value: round4(v), fig: e.fig + 1})
	}
	return out, nil
}
