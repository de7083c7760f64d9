package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// TestExportsATeacherHandsOut plays a whole game of two companies, then
// reads its exports as a teacher would hand them to a class: the
// printable report in French and in English, rendered by Chromium at the
// width of an A4 page for print (screenshots report-fr-a4.png and
// report-en-a4.png), and the CSV files as a spreadsheet of each language
// reads them.
func TestExportsATeacherHandsOut(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pg := startPlayedGame(ctx, t, srv, protocol.CreateGameRequest{Title: "DevOps 3A", Companies: 2, Lang: "fr"})
	pg.playAll() // with a bonus to the PM team of company 2

	h := &client.HTTP{BaseURL: srv.url}
	var links protocol.ExportLinks
	if err := h.Post(ctx, "/api/games/"+pg.g.GameID+"/exports", pg.g.FacilitatorToken, nil, &links); err != nil {
		t.Fatal(err)
	}
	var rep game.Report
	if err := h.Get(ctx, links.Links["json"], "", &rep); err != nil {
		t.Fatal(err)
	}
	u := b.newUser("Teacher", size{794, 1123, "a4"})
	for _, lang := range []string{"fr", "en"} {
		u.navigate(links.Links["html"] + "?lang=" + lang)
		u.media("print")
		checkReportPage(t, u, &rep, lang)
		u.shot("report-" + lang + "-a4")
		u.media("")

		zipped, _, err := h.GetRaw(ctx, links.Links["csv.zip"]+"?lang="+lang, "")
		if err != nil {
			t.Fatal(err)
		}
		checkCSV(t, zipped, &rep, lang)
	}
}

// checkReportPage checks what a reader of the printed report sees.
func checkReportPage(t *testing.T, u *user, rep *game.Report, lang string) {
	t.Helper()
	text := eval[string](u, `document.body.innerText`)
	// Names, never ids: actions, capabilities and incidents by name, teams
	// by name, and DORA levels in the report's language.
	for _, names := range []map[string]game.Text{rep.Names.Actions, rep.Names.Capabilities, rep.Names.Incidents} {
		for id := range names {
			if strings.Contains(id, "_") && strings.Contains(text, id) {
				t.Errorf("%s report shows the id %q", lang, id)
			}
		}
	}
	if regexp.MustCompile(`\b\d · (dev|ops|qa|pm)\b`).MatchString(text) {
		t.Errorf("%s report shows raw team keys", lang)
	}
	words := map[string][]string{
		"fr": {"elite", "low", "medium", "Company", "Sprint 1 — What", "release"},
		"en": {"élite", "bas", "moyen", "Entreprise", "Classement", "Livrer"},
	}[lang]
	for _, w := range words {
		if regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(w) + `\b`).MatchString(text) {
			t.Errorf("%s report shows %q", lang, w)
		}
	}
	// Numbers written for the language: decimal commas in French, points
	// in English; no "0.0" for a small figure.
	wrongDecimal := map[string]*regexp.Regexp{"fr": regexp.MustCompile(`\d\.\d`), "en": regexp.MustCompile(`\d,\d{1,2}\b`)}[lang]
	if m := wrongDecimal.FindString(text); m != "" {
		t.Errorf("%s report writes a number as %q", lang, m)
	}
	if m := regexp.MustCompile(`.{0,40}(^|[^\d])0[.,]0\s.{0,20}`).FindString(text); m != "" {
		t.Errorf("%s report rounds a small figure to zero: %q", lang, m)
	}
	// Teams by rank, in the teams table.
	ranks := eval[[]int](u, `[...document.querySelectorAll('table')[1].querySelectorAll('tbody tr td:first-child')].map(td => Number(td.textContent))`)
	if len(ranks) != len(rep.Teams) || !slices.IsSorted(ranks) {
		t.Errorf("%s report: team ranks %v are not in order", lang, ranks)
	}
	// Charts: four DORA metrics, CALMS and the value stream per company,
	// and the motion votes, as SVG that prints.
	if n, want := eval[int](u, `document.querySelectorAll('figure svg').length`), 6*len(rep.Companies)+1; n != want {
		t.Errorf("%s report has %d charts, want %d", lang, n, want)
	}
	// The motion's result.
	want := map[string][]string{"fr": {"Avant le débat", "Après le débat", "Évolution de l'opinion"},
		"en": {"Before the debate", "After the debate", "Shift of opinion"}}[lang]
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s report lacks %q (the motion's result)", lang, w)
		}
	}
	// No heading said twice.
	heads := eval[[]string](u, `[...document.querySelectorAll('h1, h2, h3')].map(h => h.textContent.trim())`)
	seen := map[string]bool{}
	for _, h := range heads {
		if seen[h] {
			t.Errorf("%s report repeats the heading %q", lang, h)
		}
		seen[h] = true
	}
	// Nothing wider than the page.
	if w := eval[int](u, `document.documentElement.scrollWidth`); w > 794 {
		t.Errorf("%s report is %d px wide at A4 width", lang, w)
	}
}

// checkCSV reads the CSV files as a spreadsheet of the language would.
func checkCSV(t *testing.T, zipped []byte, rep *game.Report, lang string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	sep, point, wrong := ',', ".", ","
	if lang == "fr" {
		sep, point, wrong = ';', ",", "."
	}
	tables := map[string][][]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		raw, _ := io.ReadAll(rc)
		rc.Close()
		body, ok := bytes.CutPrefix(raw, []byte("\ufeff"))
		if !ok {
			t.Errorf("%s %s has no UTF-8 byte order mark", lang, f.Name)
		}
		r := csv.NewReader(bytes.NewReader(body))
		r.Comma = sep
		rows, err := r.ReadAll()
		if err != nil {
			t.Errorf("%s %s: %v", lang, f.Name, err)
			continue
		}
		tables[f.Name] = rows
	}
	names := map[string][]string{"fr": {"joueurs.csv", "equipes.csv", "entreprises.csv", "sprints.csv", "incidents.csv", "fiches.csv", "mur.csv", "motion.csv"},
		"en": {"players.csv", "teams.csv", "companies.csv", "sprints.csv", "incidents.csv", "worksheets.csv", "wall.csv", "motion.csv"}}[lang]
	for _, n := range names {
		if tables[n] == nil {
			t.Errorf("%s CSV export lacks %s (has %v)", lang, n, keysOf(tables))
		}
	}
	header := map[string]string{"fr": "Rang", "en": "Rank"}[lang]
	teams := tables[names[1]]
	if len(teams) != len(rep.Teams)+1 || teams[0][0] != header {
		t.Fatalf("%s teams table: %d rows, header %v", lang, len(teams), teams[:1])
	}
	// Marks are numbers in the language's style, rounded.
	number := regexp.MustCompile(`^-?\d+(` + regexp.QuoteMeta(point) + `\d{1,6})?$`)
	for _, row := range teams[1:] {
		mark := row[4]
		if !number.MatchString(mark) || strings.Contains(mark, wrong) {
			t.Errorf("%s teams.csv: final mark %q is not a %s number", lang, mark, lang)
		}
		if i := strings.Index(mark, point); i >= 0 && len(mark)-i-1 > 1 {
			t.Errorf("%s teams.csv: final mark %q is not rounded", lang, mark)
		}
	}
	sprints := tables["sprints.csv"]
	for _, row := range sprints[1:] {
		if row[3] == "0" || !number.MatchString(row[3]) {
			t.Errorf("%s sprints.csv: deployments a day %q", lang, row[3])
		}
		if strings.Contains(strings.Join(row, " "), "dev_") {
			t.Errorf("%s sprints.csv shows action ids: %v", lang, row)
		}
	}
	if fmt.Sprint(tables["motion.csv"]) == "[]" || len(tables["motion.csv"]) != 3 {
		t.Errorf("%s motion.csv: %v", lang, tables["motion.csv"])
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// media emulates a CSS media type ("print"), or stops ("").
func (u *user) media(m string) {
	u.b.t.Helper()
	u.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	}))
}
