package rules

// addScore adds a score sheet to the company and team scores (sign -1
// takes it back).
func (c *Company) addScore(sh ScoreSheet, sign float64) {
	c.Score = round4(c.Score + sign*sh.Company)
	for _, t := range Teams {
		c.TeamScores[t] = round4(c.TeamScores[t] + sign*sh.Teams[t])
	}
}

// score evaluates the company score parts and the team scores.
func (s *Scenario) score(en *env) (ScoreSheet, error) {
	sh := ScoreSheet{Parts: map[string]float64{}, Teams: map[string]float64{}}
	total := 0.0
	for _, p := range s.Scoring.Company {
		v, err := p.Points.float(en)
		if err != nil {
			return sh, err
		}
		sh.Parts[p.ID] = round4(v)
		total += round4(v)
	}
	sh.Company = round4(total)
	for _, t := range Teams {
		v, err := s.Teams.Get(t).Score.float(en)
		if err != nil {
			return sh, err
		}
		sh.Teams[t] = round4(v)
	}
	return sh, nil
}

// rescore recomputes the score of the last record after an incident or a
// post-mortem changed its metrics.
func (s *Scenario) rescore(c *Company) error {
	rec := c.Last()
	en := s.baseEnv(c, c.ownedSet(), rec.Sprint, false)
	for _, id := range rec.Done {
		en.Did[id] = true
		if a := s.idx.actions[id]; a != nil && a.Joint() {
			en.Joint++
		}
	}
	if len(c.History) > 1 {
		en.Prev = c.History[len(c.History)-2].Metrics
	}
	f := s.idx.base
	for i := 16; i < numFigures; i++ {
		f[i] = rec.Figures[figureDefs[i].name]
	}
	for i, st := range rec.Stream {
		f[2*i], f[2*i+1] = st.Process, st.Wait
	}
	en.setFigures(&f)
	en.CALMS = rec.CALMS
	en.Metrics = rec.Metrics
	en.setTiers(rec.Tiers)
	sh, err := s.score(en)
	if err != nil {
		return err
	}
	c.addScore(rec.Score, -1)
	rec.Score = sh
	c.addScore(sh, 1)
	return nil
}
