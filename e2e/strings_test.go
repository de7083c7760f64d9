package e2e

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"devopschallenge/frontend"
	"devopschallenge/game"
)

// phaseKinds lists the kinds of phase the domain knows.
func phaseKinds() []string {
	var out []string
	for _, p := range game.Vocab().Phases {
		out = append(out, p.Kind)
	}
	return out
}

// TestStrings checks, without a browser, that every UI string the code
// asks for by a literal key exists in both dictionaries of strings.js, and
// that the dynamic keys (team.dev, phase.wall…) have every variant.
func TestStrings(t *testing.T) {
	keyRe := regexp.MustCompile(`(?m)^\s*'([a-zA-Z0-9_.]+)':|^\s*([a-zA-Z]+):`)
	en, fr := map[string]bool{}, map[string]bool{}
	dictFiles, _ := fs.Glob(frontend.FS, "js/strings*.js")
	if len(dictFiles) < 3 {
		t.Fatalf("dictionaries found: %v", dictFiles)
	}
	seenIn := [2]map[string]string{{}, {}}
	for _, file := range dictFiles {
		src, err := fs.ReadFile(frontend.FS, file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		split := strings.Index(text, "export const fr")
		if split < 0 {
			t.Fatalf("%s has no French dictionary", file)
		}
		for i, part := range []string{text[:split], text[split:]} {
			for _, m := range keyRe.FindAllStringSubmatch(part, -1) {
				if k := m[1] + m[2]; k != "plural" && k != "pluralFr" {
					// A key in two files: the one merged last would win
					// without a word.
					if where, twice := seenIn[i][k]; twice {
						t.Errorf("%s string %q is in %s and in %s", []string{"English", "French"}[i], k, where, file)
					}
					seenIn[i][k] = file
					[]map[string]bool{en, fr}[i][k] = true
				}
			}
		}
	}
	if len(en) < 300 || len(en) != len(fr) {
		t.Errorf("%d English strings, %d French ones", len(en), len(fr))
	}
	useRe := regexp.MustCompile(`\bt\('([a-zA-Z0-9_.]+)'`)
	files, _ := fs.Glob(frontend.FS, "js/*.js")
	used := 0
	for _, f := range files {
		b, _ := fs.ReadFile(frontend.FS, f)
		for _, m := range useRe.FindAllStringSubmatch(string(b), -1) {
			used++
			if !en[m[1]] || !fr[m[1]] {
				t.Errorf("%s asks for the string %q, missing in English or French", f, m[1])
			}
		}
	}
	if used < 200 {
		t.Errorf("only %d uses of t() found", used)
	}
	dynamic := map[string][]string{
		"team":         game.Vocab().Teams,
		"phase":        phaseKinds(),
		"calms":        {"culture", "automation", "lean", "measurement", "sharing"},
		"card":         {"finding", "advantage", "challenge", "recommendation"},
		"rating":       {"clarity", "relevance", "collaboration"},
		"question":     {"open", "taken", "dismissed"},
		"motion.stage": {"before", "after"},
		"motion":       {"for", "against"},
		"console.tab":  {"players", "wall", "study", "sprints", "debate", "results", "agenda"},
		"sprint.step":  {"planning", "incident", "review"},
		"tier":         {"elite", "high", "medium", "low"},
		"stage":        {"plan", "code", "build", "test", "release", "deploy", "operate", "monitor"},
		"metric":       {"leadTimeHours", "deploysPerDay", "changeFailureRate", "timeToRestoreHours"},
		"export":       {"html", "json", "csv"},
		// The verdict of the motion and the trend of a cited figure, as
		// the domain names them.
		"motion.verdict": {game.MotionCarried, game.MotionRejected, game.MotionTied},
		"evidence":       {"better", "worse", "same"},
		"rebuttal":       {"now", "answered", "later", "notReached", "passed"},
	}
	for prefix, list := range dynamic {
		for _, k := range list {
			if key := prefix + "." + k; !en[key] || !fr[key] {
				t.Errorf("string %q missing in English or French", key)
			}
		}
	}
}

// TestTextOnly checks that the UI never turns text into HTML: no
// innerHTML, outerHTML, insertAdjacentHTML, document.write or
// dangerouslySetInnerHTML anywhere in the modules (Preact renders strings
// as text).
func TestTextOnly(t *testing.T) {
	files, _ := fs.Glob(frontend.FS, "js/*.js")
	for _, f := range files {
		b, _ := fs.ReadFile(frontend.FS, f)
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "dangerouslySetInnerHTML", "eval(", "new Function"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s", f, bad)
			}
		}
	}
}
