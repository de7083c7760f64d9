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
	sh, err := s.score(s.recordEnv(c, len(c.History)-1))
	if err != nil {
		return err
	}
	c.addScore(rec.Score, -1)
	rec.Score = sh
	c.addScore(sh, 1)
	return nil
}

// recordEnv is the environment the score of History[i] is evaluated in:
// its figures, value stream, CALMS, metrics and tiers, the actions done.
func (s *Scenario) recordEnv(c *Company, i int) *env {
	rec := &c.History[i]
	en := s.baseEnv(c, c.ownedSet(), rec.Sprint, false)
	for _, id := range rec.Done {
		en.Did[id] = true
		if a := s.idx.actions[id]; a != nil && a.Joint() {
			en.Joint++
		}
	}
	if i > 0 {
		en.Prev = c.History[i-1].Metrics
	}
	f := s.idx.base
	for j := 16; j < numFigures; j++ {
		f[j] = rec.Figures[figureDefs[j].name]
	}
	for j, st := range rec.Stream {
		f[2*j], f[2*j+1] = st.Process, st.Wait
	}
	en.setFigures(&f)
	en.CALMS = rec.CALMS
	en.Metrics = rec.Metrics
	en.setTiers(rec.Tiers)
	return en
}

// companyScoreWith is the company score of History[i] with its metrics
// changed by edit.
func (s *Scenario) companyScoreWith(c *Company, i int, edit func(*Metrics)) (float64, error) {
	en := s.recordEnv(c, i)
	if edit != nil {
		edit(&en.Metrics)
	}
	sh, err := s.score(en)
	return sh.Company, err
}
