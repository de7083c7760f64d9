package server

import (
	"archive/zip"
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"

	"devopschallenge/game"
	"devopschallenge/game/rules"
)

// The CSV export: one file per table, zipped, written as a spreadsheet of
// the export's language opens it without an import dialog. French: a
// UTF-8 byte order mark, ";" between fields and decimal commas, which is
// what a French Excel or LibreOffice expects; English: commas and decimal
// points, with the byte order mark too (without it Excel reads accented
// nicknames as mojibake). Numbers are rounded as in the report, without
// thousands separators; headers and names are in the export's language.

// csvTable is one file of the export.
type csvTable struct {
	name string // file name, without .csv, per language
	rows [][]string
}

// csvFiles lays the report out as tables.
func csvFiles(r *game.Report, lang string) []csvTable {
	v := &reportView{Lang: lang}
	w := &csvWriter{v: v, r: r}
	return []csvTable{
		{v.l("csv.players"), w.players()},
		{v.l("csv.teams"), w.teams()},
		{v.l("csv.companies"), w.companies()},
		{"sprints", w.sprints()},
		{"incidents", w.incidents()},
		{v.l("csv.worksheets"), w.worksheets()},
		{v.l("csv.wall"), w.wall()},
		{v.l("csv.motion"), w.motion()},
	}
}

// writeCSVZip writes the zip of the CSV files in a language.
func writeCSVZip(out io.Writer, r *game.Report, lang string) error {
	z := zip.NewWriter(out)
	for _, t := range csvFiles(r, lang) {
		f, err := z.Create(t.name + ".csv")
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, "\ufeff"); err != nil {
			return err
		}
		cw := csv.NewWriter(f)
		cw.UseCRLF = true
		if lang == "fr" {
			cw.Comma = ';'
		}
		if err := cw.WriteAll(t.rows); err != nil {
			return err
		}
	}
	return z.Close()
}

type csvWriter struct {
	v *reportView
	r *game.Report
}

// cell protects a spreadsheet from text that would be read as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// num writes a number for a spreadsheet: rounded as its size deserves,
// in the language's decimal style, not grouped.
func (w *csvWriter) num(f float64) string { return writeNum(f, decimals(f), w.v.Lang, false) }

// pct writes a share as a percentage number (9.8 for 0.098).
func (w *csvWriter) pct(share float64) string {
	p := 100 * share
	d := decimals(p)
	if p >= 99 && p < 100 {
		d = 2
	}
	return writeNum(p, d, w.v.Lang, false)
}

func (w *csvWriter) opt(f *float64) string {
	if f == nil {
		return ""
	}
	return w.num(*f)
}

func (w *csvWriter) header(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = w.v.l("csv." + k)
	}
	return out
}

func (w *csvWriter) team(t string) string { return w.v.name(w.r.Names.Teams, t) }

func (w *csvWriter) names(table map[string]rules.Text, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = w.v.name(table, id)
	}
	return cell(strings.Join(out, ", "))
}

func (w *csvWriter) players() [][]string {
	rows := [][]string{w.header("nickname", "company", "team", "quizAnswered", "quizCorrect")}
	for _, p := range w.r.Players {
		rows = append(rows, []string{cell(p.Nickname), strconv.Itoa(p.Company), w.team(p.Team),
			strconv.Itoa(p.Quiz.Answered), strconv.Itoa(p.Quiz.Correct)})
	}
	return rows
}

func (w *csvWriter) teams() [][]string {
	rows := [][]string{w.header("rank", "team", "company", "members", "final", "partCompany", "partTeam", "partDebate", "partQuiz",
		"bonus", "teamScore", "clarity", "relevance", "collaboration", "quizAnswered", "quizCorrect")}
	teams := slices.Clone(w.r.Teams)
	slices.SortStableFunc(teams, func(a, b game.ReportTeam) int {
		return cmp.Or(cmp.Compare(rankOrLast(a.Rank), rankOrLast(b.Rank)), cmp.Compare(a.Company, b.Company))
	})
	for _, t := range teams {
		row := []string{strconv.Itoa(t.Rank), w.team(t.Team), strconv.Itoa(t.Company), cell(strings.Join(t.Members, ", ")), w.num(t.Final),
			w.num(t.Parts.Company), w.num(t.Parts.Team), w.opt(t.Parts.Debate), w.opt(t.Parts.Quiz), strconv.Itoa(t.Bonus), w.num(t.TeamScore)}
		if d := t.Debate; d != nil {
			row = append(row, w.num(d.Clarity), w.num(d.Relevance), w.num(d.Collaboration))
		} else {
			row = append(row, "", "", "")
		}
		if q := t.Quiz; q != nil {
			row = append(row, strconv.Itoa(q.Answered), strconv.Itoa(q.Correct))
		} else {
			row = append(row, "", "")
		}
		rows = append(rows, row)
	}
	return rows
}

func (w *csvWriter) companies() [][]string {
	rows := [][]string{w.header("rank", "company", "final", "score", "cluster", "clusterShare")}
	cos := slices.Clone(w.r.Companies)
	slices.SortStableFunc(cos, func(a, b game.ReportCompany) int {
		return cmp.Or(cmp.Compare(a.Rank, b.Rank), cmp.Compare(a.Company, b.Company))
	})
	for _, co := range cos {
		cl, share := "", ""
		if co.Cluster != nil {
			cl, share = w.v.tier(w.r, co.Cluster.Cluster), strconv.Itoa(co.Cluster.Share)
		}
		rows = append(rows, []string{strconv.Itoa(co.Rank), strconv.Itoa(co.Company), w.num(co.Final), w.num(co.Score), cl, share})
	}
	return rows
}

func (w *csvWriter) sprints() [][]string {
	rows := [][]string{w.header("company", "sprint", "leadTime", "deploys", "cfr", "mttr", "avail", "value",
		"tierLead", "tierDeploys", "tierCFR", "tierMTTR", "culture", "automation", "lean", "measurement", "sharing",
		"bottleneck", "companyScore", "done", "acquired", "incident")}
	for _, co := range w.r.Companies {
		for _, sp := range co.Sprints {
			m, t, k := sp.Metrics, sp.Tiers, sp.CALMS
			incident := ""
			if sp.Incident != "" {
				incident = w.v.name(w.r.Names.Incidents, sp.Incident)
			}
			rows = append(rows, []string{strconv.Itoa(co.Company), strconv.Itoa(sp.Sprint), w.num(m.LeadTimeHours), w.num(m.DeploysPerDay),
				w.pct(m.ChangeFailureRate), w.num(m.TimeToRestoreHours), w.pct(m.Availability), w.num(m.Value),
				w.v.tier(w.r, t.LeadTime), w.v.tier(w.r, t.DeployFrequency), w.v.tier(w.r, t.ChangeFailureRate), w.v.tier(w.r, t.TimeToRestore),
				w.num(k.Culture), w.num(k.Automation), w.num(k.Lean), w.num(k.Measurement), w.num(k.Sharing),
				w.v.stageName(w.r, m.Bottleneck), w.num(sp.Score.Company), w.names(w.r.Names.Actions, sp.Done),
				w.names(w.r.Names.Capabilities, sp.Acquired), incident})
		}
	}
	return rows
}

func (w *csvWriter) incidents() [][]string {
	rows := [][]string{w.header("company", "sprint", "incident", "detect", "respond", "repair", "restore", "downtime", "responses",
		"pmWhat", "pmWhy", "pmChange")}
	for _, co := range w.r.Companies {
		for _, in := range co.Incidents {
			var resp []string
			for _, team := range game.Teams {
				if id := in.Responses[team]; id != "" {
					resp = append(resp, w.team(team)+w.v.colon()+w.v.name(w.r.Names.Responses, in.ID+"/"+id))
				}
			}
			row := []string{strconv.Itoa(co.Company), strconv.Itoa(in.Sprint), cell(w.v.name(w.r.Names.Incidents, in.ID)),
				w.num(in.DetectMinutes), w.num(in.ResponseMinutes), w.num(in.RepairMinutes), w.num(in.RestoreMinutes),
				w.num(in.DowntimeMinutes), cell(strings.Join(resp, " · "))}
			if pm := in.Postmortem; pm != nil {
				row = append(row, cell(pm.WhatHappened), cell(pm.Why), cell(pm.Change))
			} else {
				row = append(row, "", "", "")
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func (w *csvWriter) worksheets() [][]string {
	rows := [][]string{w.header("company", "team", "kind", "text", "author")}
	for _, t := range w.r.Teams {
		for _, c := range t.Worksheet {
			rows = append(rows, []string{strconv.Itoa(t.Company), w.team(t.Team), w.v.l("kind." + c.Kind), cell(c.Text), cell(c.Author)})
		}
	}
	return rows
}

func (w *csvWriter) wall() [][]string {
	rows := [][]string{w.header("cluster2", "votes", "target", "note")}
	for _, cl := range w.r.Wall.Clusters {
		for _, n := range cl.Notes {
			rows = append(rows, []string{cell(cl.Name), strconv.Itoa(cl.Votes), w.v.l("target." + n.Target), cell(n.Text)})
		}
	}
	for _, n := range w.r.Wall.Unclustered {
		rows = append(rows, []string{"", "", w.v.l("target." + n.Target), cell(n.Text)})
	}
	return rows
}

func (w *csvWriter) motion() [][]string {
	rows := [][]string{w.header("motion2", "vote", "for", "against", "forShare")}
	d := w.r.Debate
	if d.Motion == nil {
		return rows
	}
	for _, st := range []string{"before", "after"} {
		t := d.Tally[st]
		share := ""
		if t.For+t.Against > 0 {
			share = w.pct(float64(t.For) / float64(t.For+t.Against))
		}
		rows = append(rows, []string{cell(w.v.tr(d.Motion.Motion)), w.v.l(st), strconv.Itoa(t.For), strconv.Itoa(t.Against), share})
	}
	return rows
}
