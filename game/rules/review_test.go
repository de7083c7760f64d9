package rules

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// What a review tells, as players read it, in both languages: per metric
// at most three causes, each naming who did it and when, with amounts in
// the metric's unit that add up, with "and N smaller effects", to the
// change shown; the causes' exact deltas add up to the change.
func TestReviewsAddUpAsShown(t *testing.T) {
	seen := 0
	for name, sc := range readScripts(t) {
		out, _ := playScript(t, sc)
		scn := loadScript(t, sc)
		for _, r := range out {
			var changes []MetricChange
			switch x := r.(type) {
			case *SprintResult:
				// And the same review as a company that does not measure
				// its DORA figures sees it.
				changes = append(slices.Clone(x.Metrics), scn.observeChanges(x.Metrics)...)
			case *IncidentResult:
				changes = x.Metrics
			}
			for _, mc := range changes {
				seen++
				checkChange(t, name, mc)
			}
		}
	}
	if seen < 50 {
		t.Fatalf("only %d metric changes checked", seen)
	}
}

func loadScript(t *testing.T, sc script) *Scenario {
	t.Helper()
	if strings.HasSuffix(sc.Scenario, ".yaml") {
		return loadMinimal(t)
	}
	return loadEcommerce(t)
}

var (
	frDecimalPoint = regexp.MustCompile(`\d\.\d`)
	enDecimalComma = regexp.MustCompile(`\d,\d`)
	inAll          = map[string]*regexp.Regexp{"en": regexp.MustCompile(`\(([−+][^ ]+|about 0) .*in all\)$|\(about 0 in all\)$`), "fr": regexp.MustCompile(`\(([−+][^ ]+|environ 0) .*au total\)$|\(environ 0 au total\)$`)}
)

// amountOf reads the number an amount starts with: "−14.0 days" → −14,
// "+0,21 par mois" → 0.21, "≈ 0" → 0.
func amountOf(t *testing.T, s string) float64 {
	t.Helper()
	if strings.HasPrefix(s, "≈ 0") || strings.HasPrefix(s, "about 0") || strings.HasPrefix(s, "environ 0") {
		return 0
	}
	sign := 1.0
	switch {
	case strings.HasPrefix(s, "−"):
		sign, s = -1, strings.TrimPrefix(s, "−")
	case strings.HasPrefix(s, "+"):
		s = strings.TrimPrefix(s, "+")
	default:
		t.Errorf("amount %q has no sign", s)
	}
	f, _, _ := strings.Cut(strings.ReplaceAll(s, "\u00a0", " "), " ")
	f, _, _ = strings.Cut(f, "/")
	v, err := strconv.ParseFloat(strings.Replace(f, ",", ".", 1), 64)
	if err != nil {
		t.Errorf("amount %q: %v", s, err)
	}
	return sign * v
}

func checkChange(t *testing.T, game string, mc MetricChange) {
	t.Helper()
	where := game + ", " + mc.Metric + ": " + mc.Text.EN
	if mc.Shown < 1 || mc.Shown > shownCauses || mc.Shown > len(mc.Causes) {
		t.Errorf("%s: %d causes shown of %d; want 1 to %d", where, mc.Shown, len(mc.Causes), shownCauses)
	}
	// The smaller effects are told when one of them shows (≈ 0 otherwise).
	worth := false
	for _, c := range mc.Causes[min(mc.Shown, len(mc.Causes)):] {
		worth = worth || (c.Amount.EN != "≈ 0" && c.Amount.EN != "↑" && c.Amount.EN != "↓")
	}
	if mc.Estimate {
		worth = len(mc.Causes) > mc.Shown && mc.More.EN != ""
	}
	if worth != (mc.More.EN != "" && mc.More.FR != "") {
		t.Errorf("%s: %d causes, %d shown, smaller effects %q / %q", where, len(mc.Causes), mc.Shown, mc.More.EN, mc.More.FR)
	}
	for _, txt := range []Text{mc.Text, mc.More, mc.Change} {
		if frDecimalPoint.MatchString(txt.FR) || enDecimalComma.MatchString(txt.EN) {
			t.Errorf("%s: decimal separators: %q / %q", where, txt.EN, txt.FR)
		}
	}
	sum := 0.0
	for i, c := range mc.Causes {
		sum += c.Delta
		if c.Label.EN == "" || c.Label.FR == "" || c.Text.EN == "" || c.Text.FR == "" || c.Amount.EN == "" || c.Amount.FR == "" {
			t.Errorf("%s: cause %d not told in both languages: %+v", where, i, c)
		}
		if frDecimalPoint.MatchString(c.Text.FR) || enDecimalComma.MatchString(c.Text.EN) {
			t.Errorf("%s: decimal separators: %q / %q", where, c.Text.EN, c.Text.FR)
		}
		kind, _, _ := strings.Cut(c.Source, ":")
		if (kind == "action" || (kind == "capability" && c.Sprint > 0)) && len(c.Teams) == 0 {
			t.Errorf("%s: %q does not say who did it", where, c.Text.EN)
		}
		if c.Ended && kind == "action" && !(strings.HasSuffix(c.Label.EN, "): effect over") && strings.HasSuffix(c.Label.FR, ")\u00a0: effet terminé")) {
			t.Errorf("%s: an ended action does not say it ended: %q / %q", where, c.Label.EN, c.Label.FR)
		}
	}
	if mc.Estimate {
		for _, c := range mc.Causes {
			if c.Delta != 0 || (c.Amount.EN != "↑" && c.Amount.EN != "↓") {
				t.Errorf("%s: an estimate tells an amount: %+v", where, c)
			}
		}
		return
	}
	if math.Abs(sum-(mc.After-mc.Before)) > 1e-6*math.Max(1, math.Abs(mc.After)) {
		t.Errorf("%s: the causes add up to %v, the change is %v", where, sum, mc.After-mc.Before)
	}
	// What is shown adds up: the causes shown and the smaller effects make
	// the change, in both languages.
	for _, lang := range []string{"en", "fr"} {
		shown := 0.0
		for _, c := range mc.Causes[:mc.Shown] {
			shown += amountOf(t, c.Amount.In(lang))
		}
		if more := mc.More.In(lang); more != "" {
			m := inAll[lang].FindStringSubmatch(more)
			if m == nil {
				t.Errorf("%s: smaller effects %q", where, more)
				continue
			}
			shown += amountOf(t, m[1])
		}
		if total := amountOf(t, mc.Change.In(lang)); math.Abs(shown-total) > 1e-9*math.Max(1, math.Abs(total)) {
			t.Errorf("%s (%s): shown amounts add up to %v, the change shown is %q", where, lang, shown, mc.Change.In(lang))
		}
	}
}
