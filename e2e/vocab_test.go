package e2e

import (
	"io/fs"
	"regexp"
	"testing"

	"devopschallenge/frontend"
	"devopschallenge/game"
)

// TestUIHasNoCopyOfTheVocabulary checks, without a browser, that the UI
// takes the domain's vocabulary from the server (GET /api/vocab): every
// command it sends exists, and no module keeps its own list of teams,
// phase kinds, default durations or phases that can be reopened. The
// browser test (TestWorkshop) checks that the create form shows the
// server's default agenda.
func TestUIHasNoCopyOfTheVocabulary(t *testing.T) {
	cmds := game.CommandTypes()
	sendRe := regexp.MustCompile(`\bsend\(\s*(?:[a-z]+ \? )?'([a-z]+\.[a-zA-Z]+)'(?: : '([a-z]+\.[a-zA-Z]+)')?`)
	copies := map[string]*regexp.Regexp{
		"a list of teams":          regexp.MustCompile(`\[\s*'dev',\s*'ops'`),
		"a list of phase kinds":    regexp.MustCompile(`\[\s*'(?:lobby|wall)',\s*'(?:wall|study)'`),
		"a default duration":       regexp.MustCompile(`\{\s*kind(?::\s*'[a-z]+')?,\s*minutes:\s*\d`),
		"phases that can reopen":   regexp.MustCompile(`(?i)reopen\w*\s*=\s*\[`),
		"a default sprints number": regexp.MustCompile(`sprints:\s*\d`),
	}
	files, _ := fs.Glob(frontend.FS, "js/*.js")
	sent := 0
	for _, f := range files {
		b, _ := fs.ReadFile(frontend.FS, f)
		src := string(b)
		for _, m := range sendRe.FindAllStringSubmatch(src, -1) {
			for _, name := range m[1:] {
				if name == "" {
					continue
				}
				sent++
				if _, ok := cmds[name]; !ok {
					t.Errorf("%s sends %q, which the server does not know", f, name)
				}
			}
		}
		for what, re := range copies {
			if loc := re.FindStringIndex(src); loc != nil {
				t.Errorf("%s keeps its own copy of %s: %q", f, what, src[loc[0]:loc[1]])
			}
		}
	}
	if sent < 40 {
		t.Errorf("only %d commands found in the UI's modules; is the pattern still right?", sent)
	}
}
