package game

import (
	"strconv"

	"devopschallenge/game/rules"
)

// Report is everything a facilitator exports at (or before) the end of a
// game: standings, each company's sprints with their explained effects,
// incidents and post-mortems, the teams' worksheets, the wall and the
// debate. Notes and questions stay anonymous; hidden ones are left out.
type Report struct {
	Game      ReportGame      `json:"game"`
	Results   Results         `json:"results"`
	Players   []ReportPlayer  `json:"players"`
	Teams     []ReportTeam    `json:"teams"`
	Companies []ReportCompany `json:"companies"`
	Wall      ReportWall      `json:"wall"`
	Debate    ReportDebate    `json:"debate"`
	// Names names, in both languages, what the report refers to by id.
	Names ReportNames `json:"names"`
}

// ReportNames names the teams, DORA tiers and the scenario's actions,
// capabilities, value-stream stages, incidents and incident responses, so
// that a report reads without the scenario file. Stages are in the value
// stream's order; responses are keyed "<incident>/<response>".
type ReportNames struct {
	Teams        map[string]Text `json:"teams"`
	Tiers        map[string]Text `json:"tiers"`
	Actions      map[string]Text `json:"actions"`
	Capabilities map[string]Text `json:"capabilities"`
	Stages       []ReportStage   `json:"stages"`
	Incidents    map[string]Text `json:"incidents"`
	Responses    map[string]Text `json:"responses"`
}

// ReportStage is a stage of the value stream.
type ReportStage struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
}

// reportNames gathers the names of a scenario.
func reportNames(scn *rules.Scenario) ReportNames {
	n := ReportNames{Teams: map[string]Text{}, Tiers: map[string]Text{}, Actions: map[string]Text{}, Capabilities: map[string]Text{},
		Stages: []ReportStage{}, Incidents: map[string]Text{}, Responses: map[string]Text{}}
	for _, t := range Teams {
		n.Teams[t] = TeamName(t)
	}
	for _, t := range []rules.Tier{rules.Elite, rules.High, rules.Medium, rules.Low} {
		n.Tiers[string(t)] = t.Label()
	}
	for _, a := range scn.Actions {
		n.Actions[a.ID] = a.Name
	}
	for _, c := range scn.Capabilities {
		n.Capabilities[c.ID] = c.Name
	}
	for _, st := range scn.Stages {
		n.Stages = append(n.Stages, ReportStage{ID: st.ID, Name: st.Name})
	}
	for _, in := range scn.Incidents {
		n.Incidents[in.ID] = in.Name
		for _, r := range in.Responses {
			n.Responses[in.ID+"/"+r.ID] = r.Name
		}
	}
	return n
}

// ReportGame describes the game.
type ReportGame struct {
	ID        string  `json:"id"`
	Code      string  `json:"code"`
	Title     string  `json:"title"`
	Scenario  Text    `json:"scenario"`
	Status    string  `json:"status"`
	CreatedAt int64   `json:"createdAt"`
	Version   int64   `json:"version"`
	Agenda    []Phase `json:"agenda"`
	Lang      string  `json:"lang"`
}

// ReportPlayer is one player's line.
type ReportPlayer struct {
	ID       string    `json:"id"`
	Nickname string    `json:"nickname"`
	Company  int       `json:"company"`
	Team     string    `json:"team"`
	Quiz     QuizScore `json:"quiz"`
}

// ReportTeam is one team's line: its members, marks and worksheet.
type ReportTeam struct {
	Company   int            `json:"company"`
	Team      string         `json:"team"`
	Members   []string       `json:"members"`
	Rank      int            `json:"rank"`
	Final     float64        `json:"final"`
	Parts     rules.Marks    `json:"parts"`
	TeamScore float64        `json:"teamScore"`
	Quiz      *QuizScore     `json:"quiz,omitempty"`
	Debate    *RatingResult  `json:"debate,omitempty"`
	Bonus     int            `json:"bonus"`
	Worksheet []ReportCard   `json:"worksheet"`
	Questions []ReportAnswer `json:"questions"`
}

// ReportCard is a worksheet card.
type ReportCard struct {
	Kind   string `json:"kind"`
	Text   string `json:"text"`
	Author string `json:"author"`
}

// ReportAnswer is a question the team was asked in the debate.
type ReportAnswer struct {
	Text    string `json:"text"`
	Upvotes int    `json:"upvotes"`
	Status  string `json:"status"`
}

// ReportCompany is one company's game.
type ReportCompany struct {
	Company      int              `json:"company"`
	Rank         int              `json:"rank"`
	Final        float64          `json:"final"`
	Score        float64          `json:"score"`
	Cluster      *ClusterMatch    `json:"cluster,omitempty"`
	Capabilities []rules.Owned    `json:"capabilities"`
	Sprints      []ReportSprint   `json:"sprints"`
	Incidents    []ReportIncident `json:"incidents"`
}

// ReportSprint is one sprint of a company: decisions, outcomes and why.
type ReportSprint struct {
	SprintSummary
	Review *Review `json:"review,omitempty"`
}

// ReportIncident is an incident with its post-mortem.
type ReportIncident struct {
	rules.IncidentRecord
	Name       Text        `json:"name"`
	Postmortem *Postmortem `json:"postmortem,omitempty"`
}

// ReportWall is the wall of confusion, clustered.
type ReportWall struct {
	Clusters    []ReportCluster `json:"clusters"`
	Unclustered []ReportNote    `json:"unclustered"`
}

// ReportCluster is a cluster with its notes and votes.
type ReportCluster struct {
	Name  string       `json:"name"`
	Votes int          `json:"votes"`
	Notes []ReportNote `json:"notes"`
}

// ReportNote is an anonymous note.
type ReportNote struct {
	Text   string `json:"text"`
	Target string `json:"target"`
}

// ReportDebate is the motion and its votes: the tallies before and after
// the debate, the shift of opinion, and Result, which adds the shares
// "for", who changed sides and the verdict after the debate.
type ReportDebate struct {
	Motion *rules.Motion        `json:"motion,omitempty"`
	Tally  map[string]VoteTally `json:"tally"`
	Shift  *float64             `json:"shift,omitempty"`
	Result MotionResult         `json:"result"`
	Order  []Slot               `json:"order"`
}

// Report builds the game's report.
func (e *Engine) Report(s *State) *Report {
	scn := e.scenario(s)
	res := e.Results(s)
	return &Report{
		Game: ReportGame{ID: s.ID, Code: s.Code, Title: s.Settings.Title, Scenario: scn.Title, Status: s.Status,
			CreatedAt: s.CreatedAt, Version: s.Version, Agenda: s.Agenda, Lang: s.Settings.Lang},
		Results:   res,
		Players:   reportPlayers(s, e.quizScores(s)),
		Teams:     reportTeams(s, res),
		Companies: reportCompanies(s, scn, res),
		Wall:      reportWall(&s.Wall),
		Debate:    reportDebate(s, scn),
		Names:     reportNames(scn.Scenario),
	}
}

// reportPlayers lists the players still in the game with their quiz.
func reportPlayers(s *State, quiz map[string]QuizScore) []ReportPlayer {
	var out []ReportPlayer
	for _, p := range s.activePlayers() {
		out = append(out, ReportPlayer{ID: p.ID, Nickname: p.Nickname, Company: p.Company, Team: p.Team, Quiz: quiz[p.ID]})
	}
	return out
}

// reportTeams lists the teams that have members, company by company.
func reportTeams(s *State, res Results) []ReportTeam {
	rank := map[string]rules.TeamRank{}
	for _, t := range res.Ranking.Teams {
		c, _ := strconv.Atoi(t.Company)
		rank[teamKey(c, t.Team)] = t
	}
	var out []ReportTeam
	for c := 1; c <= s.Settings.Companies; c++ {
		for _, t := range Teams {
			if rt := reportTeam(s, res, rank, c, t); len(rt.Members) > 0 {
				out = append(out, rt)
			}
		}
	}
	return out
}

// reportTeam is a team's line: its members, marks, worksheet and the
// questions it was asked that were not hidden.
func reportTeam(s *State, res Results, rank map[string]rules.TeamRank, c int, t string) ReportTeam {
	key := teamKey(c, t)
	rt := ReportTeam{Company: c, Team: t, Members: []string{}, TeamScore: s.Sprints.company(c).TeamScores[t], Bonus: res.Bonus[key],
		Worksheet: []ReportCard{}, Questions: []ReportAnswer{}}
	for _, p := range s.activePlayers() {
		if p.Company == c && p.Team == t {
			rt.Members = append(rt.Members, p.Nickname)
		}
	}
	if tr, ok := rank[key]; ok {
		rt.Rank, rt.Final, rt.Parts = tr.Rank, tr.Final, tr.Parts
	}
	if q, ok := res.Quiz[key]; ok {
		rt.Quiz = &q
	}
	if d, ok := res.Debate[key]; ok {
		rt.Debate = &d
	}
	for _, id := range s.Study.CardOrder {
		if cd := s.Study.Cards[id]; cd.Company == c && cd.Team == t {
			rt.Worksheet = append(rt.Worksheet, ReportCard{Kind: cd.Kind, Text: cd.Text, Author: cd.Author})
		}
	}
	for _, id := range s.Debate.QuestionOrder {
		if q := s.Debate.Questions[id]; q.To == key && !q.Hidden {
			rt.Questions = append(rt.Questions, ReportAnswer{Text: q.Text, Upvotes: len(q.Upvotes), Status: q.Status})
		}
	}
	return rt
}

// reportCompanies lists the companies that are ranked (somebody played in
// them).
func reportCompanies(s *State, scn *scenarioT, res Results) []ReportCompany {
	rank := map[string]rules.CompanyRank{}
	for _, c := range res.Ranking.Companies {
		rank[c.Company] = c
	}
	var out []ReportCompany
	for c := 1; c <= s.Settings.Companies; c++ {
		if cr, ranked := rank[strconv.Itoa(c)]; ranked {
			out = append(out, reportCompany(s, scn, res, c, cr))
		}
	}
	return out
}

// reportCompany is a company's game: its rank, sprints with their
// reviews, and incidents with their post-mortems.
func reportCompany(s *State, scn *scenarioT, res Results, c int, cr rules.CompanyRank) ReportCompany {
	id := strconv.Itoa(c)
	co := s.Sprints.company(c)
	rc := ReportCompany{Company: c, Rank: cr.Rank, Final: cr.Final, Score: co.Score, Capabilities: co.Capabilities,
		Sprints: []ReportSprint{}, Incidents: []ReportIncident{}}
	if m, ok := res.Clusters[id]; ok {
		rc.Cluster = &m
	}
	for _, h := range co.History {
		rs := ReportSprint{SprintSummary: summarise(h)}
		if h.Sprint >= 1 && h.Sprint <= len(s.Sprints.Reviews[c-1]) {
			rs.Review = s.Sprints.Reviews[c-1][h.Sprint-1]
		}
		rc.Sprints = append(rc.Sprints, rs)
	}
	for i, ir := range co.Incidents {
		ri := ReportIncident{IncidentRecord: ir, Postmortem: s.Sprints.Postmortems[id+"/"+strconv.Itoa(i)]}
		if in := scn.Incident(ir.ID); in != nil {
			ri.Name = in.Name
		}
		rc.Incidents = append(rc.Incidents, ri)
	}
	return rc
}

// reportWall is the wall's clusters with their notes, then the notes in
// no cluster; hidden notes are left out.
func reportWall(w *Wall) ReportWall {
	var out ReportWall
	for _, id := range w.ClusterOrder {
		cl := w.Clusters[id]
		rc := ReportCluster{Name: cl.Name, Votes: cl.Votes, Notes: []ReportNote{}}
		for _, nid := range w.NoteOrder {
			if n := w.Notes[nid]; n.Cluster == id && !n.Hidden {
				rc.Notes = append(rc.Notes, ReportNote{Text: n.Text, Target: n.Target})
			}
		}
		out.Clusters = append(out.Clusters, rc)
	}
	out.Unclustered = []ReportNote{}
	for _, nid := range w.NoteOrder {
		if n := w.Notes[nid]; n.Cluster == "" && !n.Hidden {
			out.Unclustered = append(out.Unclustered, ReportNote{Text: n.Text, Target: n.Target})
		}
	}
	return out
}

// reportDebate is the motion, its votes and the order the teams
// presented in.
func reportDebate(s *State, scn *scenarioT) ReportDebate {
	d := ReportDebate{Motion: scn.Motion(s.Debate.Motion), Result: s.Debate.motionResult(), Order: s.Debate.Order}
	d.Tally, d.Shift = s.Debate.tallies()
	return d
}
