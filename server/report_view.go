package server

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"devopschallenge/game"
	"devopschallenge/game/rules"
)

// reportView is the printable report laid out for one language: every id
// replaced by its name, every number written for the reader, teams and
// companies by rank, the charts drawn. The template only prints it.
type reportView struct {
	Lang      string
	Title     string
	Subtitle  string
	Facts     string
	Companies []companyRow
	Teams     []teamRow
	Motion    *motionView
	Sections  []companySection
	Sheets    []sheetView
	Clusters  []clusterView
	Loose     []string // notes not grouped
}

type companyRow struct {
	Rank, Name, Final, Score, Cluster string
}

type teamRow struct {
	Rank, Name, Members, Final, Company, Team, Debate, Quiz, Bonus string
}

type motionView struct {
	Text   string
	Before string // "3 for, 5 against (38 % for)"
	After  string
	Shift  string
	// Verdict is the outcome of the vote after the debate, Changed who
	// changed sides between the two votes.
	Verdict string
	Changed string
	Chart   template.HTML
	Keys    []legendKey
}

type companySection struct {
	Name     string
	Summary  string
	DORA     []template.HTML
	CALMS    template.HTML
	CALMSKey []legendKey
	Stream   template.HTML
	FlowKey  []legendKey
	Sprints  []sprintRow
	Sprinted []sprintEffects
	Incident []incidentRow
}

type sprintRow struct {
	Sprint, Lead, Deploys, CFR, MTTR, Avail, Value, Bottleneck string
}

type sprintEffects struct {
	Sprint  int
	Done    string
	Effects []string
}

type incidentRow struct {
	Sprint, Name, Detect, Restore, Downtime string
	Responses                               []string
	Postmortem                              string
}

type sheetView struct {
	Team      string
	Cards     []cardGroup
	Questions []string
}

type cardGroup struct {
	Kind  string
	Cards []cardView
}

type cardView struct{ Text, Author string }

type clusterView struct {
	Name, Votes string
	Notes       []string
}

// tr picks a text in the report's language.
func (v *reportView) tr(t rules.Text) string { return t.In(v.Lang) }

func (v *reportView) l(key string) string { return label(key, v.Lang) }

// count writes "1 vote", "3 votes" from the labels of the singular and
// the plural (French puts 0 in the singular).
func (v *reportView) count(n int, one, many string) string {
	if n == 1 || (n == 0 && v.Lang == "fr") {
		return strconv.Itoa(n) + " " + v.l(one)
	}
	return fmtNum(float64(n), v.Lang) + " " + v.l(many)
}

// name looks an id up in a table of names; an unknown id shows as is.
func (v *reportView) name(names map[string]rules.Text, id string) string {
	if t, ok := names[id]; ok {
		return v.tr(t)
	}
	return id
}

func (v *reportView) teamLabel(r *game.Report, company int, team string) string {
	n := v.name(r.Names.Teams, team)
	if companyCount(r) > 1 {
		return n + " · " + v.companyName(company)
	}
	return n
}

func (v *reportView) companyName(c int) string { return v.l("company") + " " + strconv.Itoa(c) }

func companyCount(r *game.Report) int {
	n := 0
	for _, t := range r.Teams {
		n = max(n, t.Company)
	}
	return n
}

func (v *reportView) stageName(r *game.Report, id string) string {
	for _, s := range r.Names.Stages {
		if s.ID == id {
			return v.tr(s.Name)
		}
	}
	return id
}

func (v *reportView) tier(r *game.Report, t rules.Tier) string {
	return v.name(r.Names.Tiers, string(t))
}

func (v *reportView) optMark(f *float64) string {
	if f == nil {
		return "–"
	}
	return fmtNum(*f, v.Lang)
}

// plannedSprints is the number of sprints the agenda plans.
func plannedSprints(r *game.Report) int {
	n := 0
	for _, ph := range r.Game.Agenda {
		if ph.Kind == game.KindSprints {
			n += ph.Sprints
		}
	}
	for _, co := range r.Companies {
		if len(co.Sprints) > 0 {
			n = max(n, co.Sprints[len(co.Sprints)-1].Sprint)
		}
	}
	return n
}

// buildReportView lays a report out for a language.
func buildReportView(r *game.Report, lang string) *reportView {
	v := &reportView{Lang: lang, Title: r.Game.Title}
	v.Subtitle = strings.Join([]string{v.l("report"), v.tr(r.Game.Scenario), fmtDate(r.Game.CreatedAt, lang),
		v.l("code") + " " + r.Game.Code}, " · ")
	played := 0
	for _, co := range r.Companies {
		if len(co.Sprints) > 0 {
			played = max(played, co.Sprints[len(co.Sprints)-1].Sprint)
		}
	}
	v.Facts = strings.Join([]string{v.count(len(r.Players), "player", "players"), v.count(companyCount(r), "companyN", "companiesN"),
		fmt.Sprintf(v.l("sprintsPlayed"), played, plannedSprints(r))}, " · ")
	companies := slices.Clone(r.Companies)
	slices.SortStableFunc(companies, func(a, b game.ReportCompany) int {
		return cmp.Or(cmp.Compare(a.Rank, b.Rank), cmp.Compare(a.Company, b.Company))
	})
	for _, co := range companies {
		row := companyRow{Rank: strconv.Itoa(co.Rank), Name: v.companyName(co.Company), Final: fmtNum(co.Final, lang), Score: fmtNum(co.Score, lang)}
		if cl := co.Cluster; cl != nil {
			row.Cluster = fmt.Sprintf(v.l("clusterOf"), capitalise(v.tier(r, cl.Cluster)), fmtNum(float64(cl.Share), lang)+unitSpace(lang)+"%")
		}
		v.Companies = append(v.Companies, row)
	}
	teams := slices.Clone(r.Teams)
	slices.SortStableFunc(teams, func(a, b game.ReportTeam) int {
		return cmp.Or(cmp.Compare(rankOrLast(a.Rank), rankOrLast(b.Rank)), cmp.Compare(a.Company, b.Company), cmp.Compare(slices.Index(game.Teams, a.Team), slices.Index(game.Teams, b.Team)))
	})
	for _, t := range teams {
		row := teamRow{Rank: strconv.Itoa(t.Rank), Name: v.teamLabel(r, t.Company, t.Team), Members: strings.Join(t.Members, ", "),
			Final: fmtNum(t.Final, lang), Company: fmtNum(t.Parts.Company, lang), Team: fmtNum(t.Parts.Team, lang),
			Debate: v.optMark(t.Parts.Debate), Quiz: v.optMark(t.Parts.Quiz), Bonus: "–"}
		if t.Rank == 0 {
			row.Rank = "–"
		}
		if t.Bonus > 0 {
			row.Bonus = "+" + strconv.Itoa(t.Bonus)
		}
		v.Teams = append(v.Teams, row)
	}
	v.Motion = v.motion(r)
	for _, co := range r.Companies {
		v.Sections = append(v.Sections, v.section(r, co))
	}
	v.sheets(r)
	v.wall(r)
	return v
}

func rankOrLast(r int) int {
	if r == 0 {
		return math.MaxInt
	}
	return r
}

// section lays out one company's game.
func (v *reportView) section(r *game.Report, co game.ReportCompany) companySection {
	lang := v.Lang
	s := companySection{Name: v.companyName(co.Company)}
	s.Summary = fmt.Sprintf(v.l("companySummary"), co.Rank, fmtNum(co.Final, lang), fmtNum(co.Score, lang))
	if len(co.Sprints) == 0 {
		return s
	}
	sprints := plannedSprints(r)
	s.DORA = v.doraCharts(co, sprints)
	s.CALMS, s.CALMSKey = v.calmsChart(co)
	s.Stream = v.streamChart(r, co)
	s.FlowKey = []legendKey{{"k-blue", v.l("process")}, {"k-grey", v.l("wait")}, {"k-red", v.l("bottleneckWait")}}
	for _, sp := range co.Sprints {
		m, t := sp.Metrics, sp.Tiers
		s.Sprints = append(s.Sprints, sprintRow{Sprint: strconv.Itoa(sp.Sprint),
			Lead:       fmtHours(m.LeadTimeHours, lang) + v.tierNote(r, t.LeadTime),
			Deploys:    fmtPerDay(m.DeploysPerDay, lang) + v.tierNote(r, t.DeployFrequency),
			CFR:        fmtPct(m.ChangeFailureRate, lang) + v.tierNote(r, t.ChangeFailureRate),
			MTTR:       fmtHours(m.TimeToRestoreHours, lang) + v.tierNote(r, t.TimeToRestore),
			Avail:      fmtPct(m.Availability, lang),
			Value:      fmtNum(m.Value, lang),
			Bottleneck: v.stageName(r, m.Bottleneck)})
		if sp.Sprint == 0 {
			continue
		}
		e := sprintEffects{Sprint: sp.Sprint, Done: v.l("none")}
		if len(sp.Done) > 0 {
			names := make([]string, len(sp.Done))
			for i, a := range sp.Done {
				names[i] = v.name(r.Names.Actions, a)
			}
			e.Done = strings.Join(names, " · ")
		}
		if rv := sp.Review; rv != nil && rv.Result != nil {
			for _, n := range rv.Result.Notices {
				e.Effects = append(e.Effects, v.tr(n.Text))
			}
			for _, m := range rv.Result.Metrics {
				e.Effects = append(e.Effects, v.tr(m.Text))
			}
			for _, f := range rv.Result.Rules {
				e.Effects = append(e.Effects, v.tr(f.Explain))
			}
		}
		s.Sprinted = append(s.Sprinted, e)
	}
	for _, in := range co.Incidents {
		row := incidentRow{Sprint: strconv.Itoa(in.Sprint), Name: v.name(r.Names.Incidents, in.ID),
			Detect: fmtMinutes(in.DetectMinutes, lang), Restore: fmtMinutes(in.RestoreMinutes, lang), Downtime: fmtMinutes(in.DowntimeMinutes, lang)}
		if row.Name == in.ID && v.tr(in.Name) != "" {
			row.Name = v.tr(in.Name)
		}
		var resp []string
		for _, team := range game.Teams {
			if id := in.Responses[team]; id != "" {
				resp = append(resp, v.name(r.Names.Teams, team)+v.colon()+v.name(r.Names.Responses, in.ID+"/"+id))
			}
		}
		row.Responses = resp
		if pm := in.Postmortem; pm != nil {
			row.Postmortem = strings.Join([]string{v.l("what") + v.colon() + pm.WhatHappened, v.l("because") + v.colon() + pm.Why,
				v.l("change") + v.colon() + pm.Change}, " · ")
		}
		s.Incident = append(s.Incident, row)
	}
	return s
}

// colon is ": " in English and " : " (no-break space) in French.
func (v *reportView) colon() string {
	if v.Lang == "fr" {
		return nbsp + ": "
	}
	return ": "
}

func (v *reportView) tierNote(r *game.Report, t rules.Tier) string {
	if t == "" {
		return ""
	}
	return " (" + v.tier(r, t) + ")"
}

// hoursAxis picks the unit of a chart of durations given in hours: one
// unit per axis, the one that reads best for the largest value.
func (v *reportView) hoursAxis(hours []float64) (unit string, scale float64) {
	hi := slices.Max(hours)
	switch {
	case hi >= 72:
		return v.l("days"), 1.0 / 24
	case hi < 2:
		return v.l("minutes"), 60
	}
	return v.l("hours"), 1
}

// spans reports whether positive values span more than an order of
// magnitude (a log scale then reads better).
func spans(ys []float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, y := range ys {
		if y <= 0 {
			return false
		}
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	return len(ys) > 1 && hi/lo >= 10
}

func (v *reportView) doraCharts(co game.ReportCompany, sprints int) []template.HTML {
	var lead, freq, cfr, mttr []float64
	for _, sp := range co.Sprints {
		m := sp.Metrics
		lead, freq = append(lead, m.LeadTimeHours), append(freq, m.DeploysPerDay)
		cfr, mttr = append(cfr, 100*m.ChangeFailureRate), append(mttr, m.TimeToRestoreHours)
	}
	scaled := func(xs []float64, k float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = x * k
		}
		return out
	}
	leadUnit, leadK := v.hoursAxis(lead)
	mttrUnit, mttrK := v.hoursAxis(mttr)
	out := []template.HTML{
		metricChart(metricSeries{title: v.l("leadTimeT"), unit: leadUnit, ys: scaled(lead, leadK), log: spans(lead)}, sprints, v.Lang),
		metricChart(metricSeries{title: v.l("deploysT"), unit: v.l("perDay"), ys: freq, log: spans(freq)}, sprints, v.Lang),
		metricChart(metricSeries{title: v.l("cfrT"), unit: "%", ys: cfr}, sprints, v.Lang),
		metricChart(metricSeries{title: v.l("mttrT"), unit: mttrUnit, ys: scaled(mttr, mttrK), log: spans(mttr)}, sprints, v.Lang),
	}
	return out
}

func (v *reportView) calmsChart(co game.ReportCompany) (template.HTML, []legendKey) {
	first, last := co.Sprints[0], co.Sprints[len(co.Sprints)-1]
	var cats []string
	var a, b []float64
	for _, p := range rules.Pillars {
		cats = append(cats, v.l("calms."+p))
		a, b = append(a, first.CALMS.Get(p)), append(b, last.CALMS.Get(p))
	}
	return groupedBars(v.l("calmsT"), v.l("calmsUnit"), cats, []barGroup{{a, inkGrey}, {b, inkBlue}}, 5, v.Lang,
			8.4*vg.Centimeter, 6*vg.Centimeter),
		[]legendKey{{"k-grey", fmt.Sprintf(v.l("sprintN"), first.Sprint)}, {"k-blue", fmt.Sprintf(v.l("sprintN"), last.Sprint)}}
}

func (v *reportView) streamChart(r *game.Report, co game.ReportCompany) template.HTML {
	last := co.Sprints[len(co.Sprints)-1]
	if len(last.Stream) == 0 {
		return ""
	}
	var names []string
	var proc, wait, total []float64
	bottleneck := -1
	for i, st := range last.Stream {
		names = append(names, v.stageName(r, st.Stage))
		proc, wait = append(proc, st.Process), append(wait, st.Wait)
		total = append(total, st.Process+st.Wait)
		if st.Stage == last.Metrics.Bottleneck {
			bottleneck = i
		}
	}
	unit, k := v.hoursAxis(total)
	for i := range proc {
		proc[i], wait[i] = proc[i]*k, wait[i]*k
	}
	title := fmt.Sprintf(v.l("streamT"), last.Sprint)
	return stackedStages(title, unit, names, proc, wait, bottleneck, 8.4*vg.Centimeter, 6*vg.Centimeter, v.Lang)
}

func (v *reportView) sheets(r *game.Report) {
	for _, t := range r.Teams {
		sh := sheetView{Team: v.teamLabel(r, t.Company, t.Team)}
		for _, kind := range []string{"finding", "advantage", "challenge", "recommendation"} {
			g := cardGroup{Kind: v.l(kind + "s")}
			for _, c := range t.Worksheet {
				if c.Kind == kind {
					g.Cards = append(g.Cards, cardView{c.Text, c.Author})
				}
			}
			if len(g.Cards) > 0 {
				sh.Cards = append(sh.Cards, g)
			}
		}
		for _, q := range t.Questions {
			text := q.Text
			if q.Upvotes > 0 {
				text += " (" + v.count(q.Upvotes, "vote", "votes") + ")"
			}
			sh.Questions = append(sh.Questions, text)
		}
		if len(sh.Cards)+len(sh.Questions) > 0 {
			v.Sheets = append(v.Sheets, sh)
		}
	}
}

func (v *reportView) wall(r *game.Report) {
	target := func(t string) string { return " → " + v.l("target."+t) }
	cls := slices.Clone(r.Wall.Clusters)
	slices.SortStableFunc(cls, func(a, b game.ReportCluster) int { return cmp.Compare(b.Votes, a.Votes) })
	for _, c := range cls {
		cv := clusterView{Name: c.Name, Votes: v.count(c.Votes, "vote", "votes")}
		for _, n := range c.Notes {
			cv.Notes = append(cv.Notes, n.Text+target(n.Target))
		}
		v.Clusters = append(v.Clusters, cv)
	}
	for _, n := range r.Wall.Unclustered {
		v.Loose = append(v.Loose, n.Text+target(n.Target))
	}
}

// capitalise writes the first letter of s in upper case.
func capitalise(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
