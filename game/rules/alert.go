package rules

// IncidentAlert is what players see when an incident strikes: what
// happened, how long it went unnoticed and the options of each team.
type IncidentAlert struct {
	ID          string `json:"id"`
	Name        Text   `json:"name"`
	Description Text   `json:"description"`
	// Kind is "outage" (Impact of the customers cannot buy) or "security"
	// (the shop stays open to attack until patched).
	Kind          string  `json:"kind"`
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

// alert tells the pending incident p to the players of c, with the
// responses their capabilities allow.
func (s *Scenario) alert(c *Company, p *PendingIncident) *IncidentAlert {
	in := s.idx.incidents[p.ID]
	a := &IncidentAlert{ID: in.ID, Name: in.Name, Description: in.Description, Kind: incidentKind(in), Sprint: p.Sprint,
		Impact: p.Impact, DetectMinutes: p.DetectMinutes, Options: map[string][]ResponseOption{}}
	a.Detected = textf("It went unnoticed for %s.", "Il est passé inaperçu pendant %s.", hours(p.DetectMinutes/60))
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
