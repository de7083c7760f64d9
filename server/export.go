package server

import (
	"archive/zip"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"devopschallenge/game"
	"devopschallenge/game/rules"
)

// Exports: the facilitator asks for a ticket (POST /api/games/:id/exports
// with the facilitator token) and gets links that work without a token for
// ticketLifetime, so that a report can be opened in a new tab, printed,
// downloaded, or shared with the class. The same reports are also served
// with the facilitator token in the Authorization header.

// ticketLifetime is how long export links work.
const ticketLifetime = 24 * time.Hour

// exportFormats maps a report file name to its renderer.
var exportFormats = map[string]func(s *Server, c echo.Context, r *game.Report) error{
	"report.json":    exportJSON,
	"report.csv.zip": exportCSV,
	"report.html":    exportHTML,
}

func (s *Server) exportRoutes(api *echo.Group) {
	api.POST("/games/:id/exports", s.exportTicket)
	api.GET("/games/:id/:file", s.exportWithToken)
	api.GET("/exports/:ticket/:file", s.exportWithTicket)
}

// ExportLinks is the answer to POST /api/games/:id/exports.
type ExportLinks struct {
	ExpiresAt int64             `json:"expiresAt"`
	Links     map[string]string `json:"links"`
}

// ticketMAC signs a game ID, an expiry and the game's export epoch with the
// game's facilitator token hash, which every instance holding the game
// knows and nobody else can read without the store. Revoking the links
// (exports.revoke) moves the epoch on: every link signed before stops
// working. Links of epoch 0 are signed as before epochs existed.
func ticketMAC(facHash, gameID string, expiry int64, epoch int) string {
	m := hmac.New(sha256.New, []byte(facHash))
	if epoch == 0 {
		fmt.Fprintf(m, "%s.%d", gameID, expiry)
	} else {
		fmt.Fprintf(m, "%s.%d.%d", gameID, expiry, epoch)
	}
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) exportTicket(c echo.Context) error {
	lg, actor, err := s.bearer(c, c.Param("id"))
	if err != nil {
		return writeError(c, s.log, err)
	}
	if actor.Role != game.RoleFacilitator {
		return writeError(c, s.log, game.Errorf(game.EForbidden, "Only the facilitator can export the report.",
			"Seul l'animateur peut exporter le rapport."))
	}
	expiry := time.Now().Add(ticketLifetime).Unix()
	lg.mu.Lock()
	ticket := lg.id + "." + strconv.FormatInt(expiry, 10) + "." + ticketMAC(lg.state.FacilitatorTokenHash, lg.id, expiry, lg.state.Exports.Epoch)
	lg.mu.Unlock()
	links := map[string]string{}
	for _, f := range []string{"report.json", "report.csv.zip", "report.html"} {
		links[strings.TrimPrefix(f, "report.")] = "/api/exports/" + ticket + "/" + f
	}
	return c.JSON(http.StatusCreated, ExportLinks{ExpiresAt: expiry * 1000, Links: links})
}

func (s *Server) exportWithToken(c echo.Context) error {
	render, ok := exportFormats[c.Param("file")]
	if !ok {
		return writeError(c, s.log, game.Errorf(game.ENotFound, "No such export; use report.json, report.csv.zip or report.html.",
			"Export inconnu ; utilisez report.json, report.csv.zip ou report.html."))
	}
	lg, actor, err := s.bearer(c, c.Param("id"))
	if err != nil {
		return writeError(c, s.log, err)
	}
	if actor.Role != game.RoleFacilitator {
		return writeError(c, s.log, game.Errorf(game.EForbidden, "Only the facilitator can export the report.",
			"Seul l'animateur peut exporter le rapport."))
	}
	return render(s, c, s.report(lg))
}

func (s *Server) exportWithTicket(c echo.Context) error {
	render, ok := exportFormats[c.Param("file")]
	bad := game.Errorf(game.EUnauthorized, "This export link is not valid, has expired or was revoked; export again from the facilitator console.",
		"Ce lien d'export n'est pas valide, a expiré ou a été révoqué ; exportez à nouveau depuis la console de l'animateur.")
	if !ok {
		return writeError(c, s.log, game.Errorf(game.ENotFound, "No such export; use report.json, report.csv.zip or report.html.",
			"Export inconnu ; utilisez report.json, report.csv.zip ou report.html."))
	}
	parts := strings.Split(c.Param("ticket"), ".")
	if len(parts) != 3 {
		return writeError(c, s.log, bad)
	}
	expiry, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || time.Now().Unix() > expiry {
		return writeError(c, s.log, bad)
	}
	lg, err := s.mgr.get(c.Request().Context(), parts[0])
	if err != nil {
		if game.IsCode(err, game.ENotFound) {
			return writeError(c, s.log, bad)
		}
		return writeError(c, s.log, err)
	}
	lg.mu.Lock()
	if s.mgr.shared {
		// A revocation stored through another instance counts at once.
		lg.catchUp(c.Request().Context())
	}
	want := ticketMAC(lg.state.FacilitatorTokenHash, lg.id, expiry, lg.state.Exports.Epoch)
	lg.mu.Unlock()
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return writeError(c, s.log, bad)
	}
	return render(s, c, s.report(lg))
}

func (s *Server) report(lg *liveGame) *game.Report {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	return s.cfg.Engine.Report(lg.state)
}

func attachment(c echo.Context, r *game.Report, ext string) {
	name := fmt.Sprintf("devops-challenge-%s-%s%s", r.Game.Code, time.UnixMilli(r.Game.CreatedAt).UTC().Format("2006-01-02"), ext)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
}

func exportJSON(s *Server, c echo.Context, r *game.Report) error {
	attachment(c, r, ".json")
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return writeError(c, s.log, err)
	}
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", b)
}

// cell protects a spreadsheet from text that would be read as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func optNum(f *float64) string {
	if f == nil {
		return ""
	}
	return num(*f)
}

// csvFiles lays the report out as tables, one per file.
func csvFiles(r *game.Report, lang string) map[string][][]string {
	files := map[string][][]string{}
	players := [][]string{{"player", "nickname", "company", "team", "quiz_answered", "quiz_correct"}}
	for _, p := range r.Players {
		players = append(players, []string{p.ID, cell(p.Nickname), strconv.Itoa(p.Company), p.Team,
			strconv.Itoa(p.Quiz.Answered), strconv.Itoa(p.Quiz.Correct)})
	}
	files["players.csv"] = players
	teams := [][]string{{"company", "team", "members", "rank", "final", "company_mark", "team_mark", "debate_mark", "quiz_mark",
		"team_score", "bonus", "debate_clarity", "debate_relevance", "debate_collaboration", "quiz_answered", "quiz_correct"}}
	for _, t := range r.Teams {
		row := []string{strconv.Itoa(t.Company), t.Team, cell(strings.Join(t.Members, ", ")), strconv.Itoa(t.Rank), num(t.Final),
			num(t.Parts.Company), num(t.Parts.Team), optNum(t.Parts.Debate), optNum(t.Parts.Quiz), num(t.TeamScore), strconv.Itoa(t.Bonus)}
		if d := t.Debate; d != nil {
			row = append(row, num(d.Clarity), num(d.Relevance), num(d.Collaboration))
		} else {
			row = append(row, "", "", "")
		}
		if q := t.Quiz; q != nil {
			row = append(row, strconv.Itoa(q.Answered), strconv.Itoa(q.Correct))
		} else {
			row = append(row, "", "")
		}
		teams = append(teams, row)
	}
	files["teams.csv"] = teams
	companies := [][]string{{"company", "rank", "final", "score", "dora_2024_cluster", "cluster_share_percent"}}
	sprints := [][]string{{"company", "sprint", "lead_time_hours", "deploys_per_day", "change_failure_rate", "time_to_restore_hours",
		"availability", "value", "tier_lead_time", "tier_deploy_frequency", "tier_change_failure_rate", "tier_time_to_restore",
		"culture", "automation", "lean", "measurement", "sharing", "bottleneck", "company_score", "actions_done", "capabilities_acquired", "incident"}}
	incidents := [][]string{{"company", "sprint", "incident", "name", "detect_minutes", "response_minutes", "repair_minutes",
		"restore_minutes", "downtime_minutes", "responses", "postmortem_what", "postmortem_why", "postmortem_change"}}
	for _, co := range r.Companies {
		cl, share := "", ""
		if co.Cluster != nil {
			cl, share = string(co.Cluster.Cluster), strconv.Itoa(co.Cluster.Share)
		}
		companies = append(companies, []string{strconv.Itoa(co.Company), strconv.Itoa(co.Rank), num(co.Final), num(co.Score), cl, share})
		for _, sp := range co.Sprints {
			m, t, k := sp.Metrics, sp.Tiers, sp.CALMS
			sprints = append(sprints, []string{strconv.Itoa(co.Company), strconv.Itoa(sp.Sprint), num(m.LeadTimeHours), num(m.DeploysPerDay),
				num(m.ChangeFailureRate), num(m.TimeToRestoreHours), num(m.Availability), num(m.Value),
				string(t.LeadTime), string(t.DeployFrequency), string(t.ChangeFailureRate), string(t.TimeToRestore),
				num(k.Culture), num(k.Automation), num(k.Lean), num(k.Measurement), num(k.Sharing), m.Bottleneck,
				num(sp.Score.Company), strings.Join(sp.Done, " "), strings.Join(sp.Acquired, " "), sp.Incident})
		}
		for _, in := range co.Incidents {
			var resp []string
			for _, team := range game.Teams {
				if r := in.Responses[team]; r != "" {
					resp = append(resp, team+":"+r)
				}
			}
			row := []string{strconv.Itoa(co.Company), strconv.Itoa(in.Sprint), in.ID, cell(in.Name.In(lang)), num(in.DetectMinutes),
				num(in.ResponseMinutes), num(in.RepairMinutes), num(in.RestoreMinutes), num(in.DowntimeMinutes), strings.Join(resp, " ")}
			if pm := in.Postmortem; pm != nil {
				row = append(row, cell(pm.WhatHappened), cell(pm.Why), cell(pm.Change))
			} else {
				row = append(row, "", "", "")
			}
			incidents = append(incidents, row)
		}
	}
	files["companies.csv"], files["sprints.csv"], files["incidents.csv"] = companies, sprints, incidents
	cards := [][]string{{"company", "team", "kind", "text", "author"}}
	for _, t := range r.Teams {
		for _, c := range t.Worksheet {
			cards = append(cards, []string{strconv.Itoa(t.Company), t.Team, c.Kind, cell(c.Text), cell(c.Author)})
		}
	}
	files["worksheets.csv"] = cards
	wall := [][]string{{"cluster", "votes", "target", "note"}}
	for _, cl := range r.Wall.Clusters {
		for _, n := range cl.Notes {
			wall = append(wall, []string{cell(cl.Name), strconv.Itoa(cl.Votes), n.Target, cell(n.Text)})
		}
	}
	for _, n := range r.Wall.Unclustered {
		wall = append(wall, []string{"", "", n.Target, cell(n.Text)})
	}
	files["wall.csv"] = wall
	return files
}

func exportCSV(s *Server, c echo.Context, r *game.Report) error {
	lang := reportLang(c, r)
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	files := csvFiles(r, lang)
	for _, name := range []string{"players.csv", "teams.csv", "companies.csv", "sprints.csv", "incidents.csv", "worksheets.csv", "wall.csv"} {
		w, err := z.Create(name)
		if err != nil {
			return writeError(c, s.log, err)
		}
		cw := csv.NewWriter(w)
		cw.WriteAll(files[name])
		if err := cw.Error(); err != nil {
			return writeError(c, s.log, err)
		}
	}
	if err := z.Close(); err != nil {
		return writeError(c, s.log, err)
	}
	attachment(c, r, ".csv.zip")
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}

func reportLang(c echo.Context, r *game.Report) string {
	switch l := c.QueryParam("lang"); l {
	case "fr", "en":
		return l
	}
	return r.Game.Lang
}

//go:embed report.html.tmpl
var reportFS embed.FS

var reportTmpl = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"tr":  func(t rules.Text, lang string) string { return t.In(lang) },
	"pct": func(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + " %" },
	"num": func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"opt": func(f *float64) string {
		if f == nil {
			return "–"
		}
		return strconv.FormatFloat(*f, 'f', 1, 64)
	},
	"date": func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04 UTC") },
	"l":    label,
}).ParseFS(reportFS, "report.html.tmpl"))

func exportHTML(s *Server, c echo.Context, r *game.Report) error {
	lang := reportLang(c, r)
	var buf bytes.Buffer
	if err := reportTmpl.Execute(&buf, map[string]any{"R": r, "Lang": lang}); err != nil {
		return writeError(c, s.log, err)
	}
	// A self-contained page to print or save: its own styles, no script.
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// labels of the printable report.
var labels = map[string][2]string{
	"report":         {"Game report", "Rapport de partie"},
	"standings":      {"Final standings", "Classement final"},
	"company":        {"Company", "Entreprise"},
	"team":           {"Team", "Équipe"},
	"members":        {"Members", "Membres"},
	"rank":           {"Rank", "Rang"},
	"final":          {"Final mark", "Note finale"},
	"score":          {"Company score", "Score de l'entreprise"},
	"teamScore":      {"Team score", "Score d'équipe"},
	"debate":         {"Debate", "Débat"},
	"quiz":           {"Quiz", "Quiz"},
	"bonus":          {"Bonus", "Bonus"},
	"cluster":        {"Resembles the 2024 DORA cluster", "Ressemble au groupe DORA 2024"},
	"shareTeams":     {"of surveyed teams", "des équipes interrogées"},
	"sprints":        {"Sprints", "Sprints"},
	"sprint":         {"Sprint", "Sprint"},
	"leadTime":       {"Lead time (h)", "Délai de livraison (h)"},
	"deploys":        {"Deploys / day", "Déploiements / jour"},
	"cfr":            {"Change failure rate", "Taux d'échec des changements"},
	"mttr":           {"Time to restore (h)", "Temps de restauration (h)"},
	"avail":          {"Availability", "Disponibilité"},
	"value":          {"Value", "Valeur"},
	"bottleneck":     {"Bottleneck", "Goulot"},
	"done":           {"Actions done", "Actions réalisées"},
	"why":            {"What changed and why", "Ce qui a changé et pourquoi"},
	"incidents":      {"Incidents", "Incidents"},
	"restore":        {"Restored in (min)", "Rétabli en (min)"},
	"postmortem":     {"Post-mortem", "Post-mortem"},
	"what":           {"What happened", "Ce qui s'est passé"},
	"because":        {"Why", "Pourquoi"},
	"change":         {"What we change", "Ce que nous changeons"},
	"worksheets":     {"Team worksheets", "Fiches des équipes"},
	"wall":           {"Wall of confusion", "Mur de la confusion"},
	"votes":          {"votes", "votes"},
	"unclustered":    {"Not grouped", "Non regroupées"},
	"motion":         {"Motion", "Motion"},
	"before":         {"Before the debate", "Avant le débat"},
	"after":          {"After the debate", "Après le débat"},
	"for":            {"for", "pour"},
	"against":        {"against", "contre"},
	"shift":          {"Shift of opinion (points for)", "Évolution de l'opinion (points pour)"},
	"questions":      {"Questions asked", "Questions posées"},
	"created":        {"Created", "Créée le"},
	"none":           {"None.", "Aucun."},
	"finding":        {"Finding", "Constat"},
	"advantage":      {"Advantage", "Avantage"},
	"challenge":      {"Challenge", "Défi"},
	"recommendation": {"Recommendation", "Recommandation"},
}

// label returns a label of the report in a language.
func label(key, lang string) string {
	l, ok := labels[key]
	if !ok {
		return key
	}
	if lang == "fr" {
		return l[1]
	}
	return l[0]
}
