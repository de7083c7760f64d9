package rules

// Upkeep is what one owned capability costs a team every sprint.
type Upkeep struct {
	Capability string `json:"capability"`
	Points     int    `json:"points"`
}

// UpkeepOf lists the capabilities the team keeps running for the company,
// with what each costs it every sprint, in scenario order.
func UpkeepOf(scn *Scenario, c *Company, team string) []Upkeep {
	out := []Upkeep{}
	for _, o := range c.Capabilities {
		if cp := scn.idx.caps[o.ID]; cp != nil && cp.Upkeep[team] > 0 {
			out = append(out, Upkeep{Capability: o.ID, Points: cp.Upkeep[team]})
		}
	}
	return out
}

// upkeep is the capacity the team spends every sprint on the capabilities
// the company owns.
func upkeep(scn *Scenario, c *Company, team string) int {
	n := 0
	for _, o := range c.Capabilities {
		if cp := scn.idx.caps[o.ID]; cp != nil {
			n += cp.Upkeep[team]
		}
	}
	return n
}

// Announcement is an incident the teams know will strike at the end of a
// sprint (a sales peak in the calendar), so that they can prepare.
type Announcement struct {
	Incident    string `json:"incident"`
	Name        Text   `json:"name"`
	Description Text   `json:"description"`
	Sprint      int    `json:"sprint"`
}

// Upcoming returns the incidents announced for the end of the company's
// next sprint, in a game of sprints sprints (0: the scenario's default).
func Upcoming(scn *Scenario, c *Company, sprints int) []Announcement {
	out := []Announcement{}
	next := c.Sprint + 1
	for _, id := range scn.announced(c, next, sprints) {
		in := scn.idx.incidents[id]
		out = append(out, Announcement{Incident: id, Name: in.Name, Description: in.Description, Sprint: next})
	}
	return out
}

// announced lists the ids of the incidents announced for the end of the
// sprint: those marked announce whose condition holds, seen from the
// company before the sprint, and whose chance is 1.
func (s *Scenario) announced(c *Company, sprint, sprints int) []string {
	var out []string
	var en *env
	for _, in := range s.Incidents {
		if !in.Announce {
			continue
		}
		if en == nil {
			en = s.baseEnv(c, c.ownedSet(), sprint, false)
			if sprints > 0 {
				en.Sprints = sprints
			}
			en.Metrics = c.Last().Metrics
			en.setTiers(c.Last().Tiers)
		}
		ok, err := in.When.bool(en)
		if err != nil || !ok {
			continue
		}
		if p, err := in.Chance.float(en); err == nil && p >= 1 {
			out = append(out, in.ID)
		}
	}
	return out
}

// unlearned counts the resolved incidents without an accepted post-mortem.
func (c *Company) unlearned() int {
	n := 0
	for _, ir := range c.Incidents {
		if ir.Resolved && !ir.Postmortem {
			n++
		}
	}
	return n
}

// comingSet turns announced ids into the set expressions see as coming.
func comingSet(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
