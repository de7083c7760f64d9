package game

import (
	"strconv"
	"strings"

	"devopschallenge/game/rules"
)

// Postmortem is a blameless post-mortem card for one incident. A team
// writes it; the facilitator accepts it, which earns the company its
// learning bonus and makes the incident less likely to strike again, or
// sends it back with a comment, and the team rewrites it.
type Postmortem struct {
	Company      int    `json:"company"`
	Incident     int    `json:"incident"`
	IncidentID   string `json:"incidentId"`
	WhatHappened string `json:"whatHappened"`
	Why          string `json:"why"`
	Change       string `json:"change"`
	Team         string `json:"team"`
	Author       string `json:"author"`
	// Status is "submitted", "returned" or "accepted".
	Status string `json:"status"`
	// Comment is the facilitator's comment when sending it back (or
	// accepting it).
	Comment string `json:"comment,omitempty"`
	// Learning and Text say what the accepted post-mortem earned.
	Learning   float64 `json:"learning"`
	Text       Text    `json:"text"`
	At         int64   `json:"at"`
	ReviewedAt int64   `json:"reviewedAt,omitempty"`
}

// Statuses of a post-mortem card.
const (
	PostmortemSubmitted = "submitted"
	PostmortemReturned  = "returned"
	PostmortemAccepted  = "accepted"
)

// MaxPostmortemText is the longest answer of a post-mortem card, and of
// the facilitator's comment.
const MaxPostmortemText = 600

func postmortemKey(company, incident int) string {
	return strconv.Itoa(company) + "/" + strconv.Itoa(incident)
}

func init() {
	registerDoc("postmortem", &docKind{
		keys: func(s *State) []string {
			var out []string
			for c, co := range s.Sprints.Companies {
				for i := range co.Incidents {
					if k := postmortemKey(c+1, i); s.Sprints.Postmortems[k] != nil {
						out = append(out, "postmortem/"+k)
					}
				}
			}
			return out
		},
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			pm := s.Sprints.Postmortems[strings.TrimPrefix(key, "postmortem/")]
			return pm, pm != nil
		},
	})
}

// PostmortemSubmitArgs are the arguments of postmortem.submit.
type PostmortemSubmitArgs struct {
	Incident     int    `json:"incident"`
	WhatHappened string `json:"whatHappened"`
	Why          string `json:"why"`
	Change       string `json:"change"`
}

func submitPostmortem(x *ctx) error {
	var a PostmortemSubmitArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	for _, f := range []struct {
		v      *string
		en, fr string
	}{{&a.WhatHappened, "what happened", "ce qui s'est passé"}, {&a.Why, "why", "pourquoi"}, {&a.Change, "what we change", "ce que nous changeons"}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkLongText(f.en, f.fr, *f.v, MaxPostmortemText); err != nil {
			return err
		}
	}
	p := x.player
	co := x.s.Sprints.company(p.Company)
	if a.Incident < 0 || a.Incident >= len(co.Incidents) {
		return Errorf(ENotFound, "Your company has no incident number %d.", "Votre entreprise n'a pas d'incident numéro %d.", a.Incident)
	}
	if !co.Incidents[a.Incident].Resolved {
		return Errorf(EConflict, "Resolve the incident before writing its post-mortem.", "Résolvez l'incident avant d'en écrire le post-mortem.")
	}
	key := postmortemKey(p.Company, a.Incident)
	old := x.s.Sprints.Postmortems[key]
	if old != nil && old.Status == PostmortemAccepted {
		return Errorf(EConflict, "This post-mortem was already accepted.", "Ce post-mortem a déjà été accepté.")
	}
	// A card waiting for the facilitator, or sent back, may be rewritten.
	x.s.Sprints.Postmortems[key] = &Postmortem{Company: p.Company, Incident: a.Incident, IncidentID: co.Incidents[a.Incident].ID,
		WhatHappened: a.WhatHappened, Why: a.Why, Change: a.Change, Team: p.Team, Author: p.Nickname,
		Status: PostmortemSubmitted, At: x.c.At}
	if old != nil {
		x.s.Sprints.Postmortems[key].Comment = old.Comment
	}
	x.ch.touch("postmortem/" + key)
	return nil
}

// PostmortemReviewArgs are the arguments of postmortem.review.
type PostmortemReviewArgs struct {
	Company  int    `json:"company"`
	Incident int    `json:"incident"`
	Accept   bool   `json:"accept"`
	Comment  string `json:"comment"`
}

func reviewPostmortem(x *ctx) error {
	var a PostmortemReviewArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	a.Comment = strings.TrimSpace(a.Comment)
	if len([]rune(a.Comment)) > MaxPostmortemText {
		return invalid("The comment is longer than %d characters.", "Le commentaire dépasse %d caractères.", MaxPostmortemText)
	}
	if !a.Accept && a.Comment == "" {
		return invalid("Say what to improve when you send a post-mortem back.", "Indiquez ce qu'il faut approfondir quand vous renvoyez un post-mortem.")
	}
	sp := &x.s.Sprints
	key := postmortemKey(a.Company, a.Incident)
	pm := sp.Postmortems[key]
	if pm == nil {
		return Errorf(ENotFound, "There is no post-mortem for this incident.", "Il n'y a pas de post-mortem pour cet incident.")
	}
	if pm.Status != PostmortemSubmitted {
		return Errorf(EConflict, "This post-mortem is not waiting for a review.", "Ce post-mortem n'attend pas de relecture.")
	}
	next := *pm
	next.Comment, next.ReviewedAt = a.Comment, x.c.At
	if !a.Accept {
		next.Status = PostmortemReturned
	} else {
		scn := x.e.scenario(x.s).Scenario
		nc, res, err := rules.ApplyPostmortem(scn, sp.company(a.Company), rules.Postmortem{Incident: a.Incident,
			WhatHappened: pm.WhatHappened, Why: pm.Why, Change: pm.Change})
		if err != nil {
			return fromRules(err)
		}
		sp.Companies[a.Company-1] = nc
		next.Status, next.Learning, next.Text = PostmortemAccepted, res.Learning, res.Text
		x.ch.touch("company/"+strconv.Itoa(a.Company), "leaderboard", "results")
	}
	sp.Postmortems[key] = &next
	x.ch.touch("postmortem/" + key)
	return nil
}
