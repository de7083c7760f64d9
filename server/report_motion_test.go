package server

import (
	"testing"

	"devopschallenge/game"
)

// The printed report says how the motion ended and who changed sides, in
// both languages.
func TestReportTellsTheMotionsOutcome(t *testing.T) {
	type tally = struct{ For, Against int }
	result := func(before, after tally, both, toFor, toAgainst int, verdict string) game.MotionResult {
		var r game.MotionResult
		r.Before.For, r.Before.Against, r.After.For, r.After.Against = before.For, before.Against, after.For, after.Against
		r.BothVotes, r.ToFor, r.ToAgainst, r.Verdict = both, toFor, toAgainst, verdict
		return r
	}
	for _, c := range []struct {
		lang             string
		r                game.MotionResult
		verdict, changed string
	}{
		{"fr", result(tally{3, 5}, tally{6, 2}, 8, 4, 1, game.MotionCarried),
			"Après le débat, la motion est adoptée (75\u00a0% pour).",
			"Sur les 8 participants ayant voté deux fois, 4 sont passés du contre au pour et 1 est passé du pour au contre."},
		{"en", result(tally{3, 5}, tally{6, 2}, 8, 4, 1, game.MotionCarried),
			"After the debate, the motion is carried (75% for).",
			"Of the 8 people who voted twice, 4 went from against to for and 1 went from for to against."},
		{"fr", result(tally{4, 0}, tally{1, 3}, 4, 0, 3, game.MotionRejected),
			"Après le débat, la motion est rejetée (25\u00a0% pour).",
			"Sur les 4 participants ayant voté deux fois, 3 sont passés du pour au contre."},
		{"en", result(tally{1, 1}, tally{1, 1}, 2, 0, 0, game.MotionTied),
			"After the debate, the vote is tied.", "Of the 2 people who voted twice, nobody changed sides."},
		{"fr", result(tally{1, 0}, tally{0, 1}, 1, 0, 1, game.MotionRejected),
			"Après le débat, la motion est rejetée (0\u00a0% pour).", "La seule personne ayant voté deux fois est passée du pour au contre."},
		{"en", result(tally{2, 3}, tally{}, 0, 0, 0, ""), "The vote after the debate did not take place.", ""},
	} {
		m := &motionView{}
		(&reportView{Lang: c.lang}).motionOutcome(m, c.r)
		if m.Verdict != c.verdict || m.Changed != c.changed {
			t.Errorf("%s, %+v:\n got %q\n     %q\nwant %q\n     %q", c.lang, c.r, m.Verdict, m.Changed, c.verdict, c.changed)
		}
	}
}
