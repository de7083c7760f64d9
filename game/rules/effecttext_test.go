package rules

import (
	"strings"
	"testing"
)

// What a response changed reads as a trainer would say it: "d'exposition"
// elided before a vowel, and the time to patch, not a time to restore, for
// a vulnerability.
func TestEffectTextFrench(t *testing.T) {
	sec := effectText(ResponseEffect{RestoreMinutes: -936, ExposureMinutes: -936}, "security")
	for _, want := range []string{"de temps de correction en moins", "d'exposition en moins"} {
		if !strings.Contains(sec.FR, want) {
			t.Errorf("security effect %q lacks %q", sec.FR, want)
		}
	}
	if !strings.Contains(sec.EN, "time to patch") || strings.Contains(sec.EN+sec.FR, "restor") {
		t.Errorf("security effect speaks of restoring: %q / %q", sec.EN, sec.FR)
	}
	if strings.Contains(sec.FR, "de exposition") {
		t.Errorf("no elision: %q", sec.FR)
	}
	out := effectText(ResponseEffect{RestoreMinutes: 120, DowntimeMinutes: 60}, "outage")
	for _, want := range []string{"de temps de restauration en plus", "de panne en plus"} {
		if !strings.Contains(out.FR, want) {
			t.Errorf("outage effect %q lacks %q", out.FR, want)
		}
	}
}
