package server

import (
	"fmt"
	"strings"

	"devopschallenge/game"
)

// The motion in the printable report: the votes before and after the
// debate, the shift of opinion, the verdict and who changed sides.

// motion describes the motion votes, or nil when none was cast.
func (v *reportView) motion(r *game.Report) *motionView {
	d := r.Debate
	if d.Motion == nil {
		return nil
	}
	m := &motionView{Text: "“" + v.tr(d.Motion.Motion) + "”"}
	if v.Lang == "fr" {
		m.Text = "«" + nbsp + v.tr(d.Motion.Motion) + nbsp + "»"
	}
	var rows []string
	var yes, no []float64
	for _, st := range []string{"before", "after"} {
		t, ok := d.Tally[st]
		if !ok || t.For+t.Against == 0 {
			continue
		}
		share := float64(t.For) / float64(t.For+t.Against)
		line := fmt.Sprintf(v.l("tally"), t.For, t.Against, fmtPct(share, v.Lang))
		if st == "before" {
			m.Before = line
		} else {
			m.After = line
		}
		rows = append(rows, v.l(st))
		yes, no = append(yes, 100*share), append(no, 100-100*share)
	}
	if d.Shift != nil {
		sign := "+"
		if *d.Shift < 0 {
			sign = ""
		}
		m.Shift = fmt.Sprintf(v.l("shiftBy"), sign+fmtNum(*d.Shift, v.Lang))
	}
	v.motionOutcome(m, d.Result)
	if len(rows) > 0 {
		m.Chart = voteBars(v.l("motionChart"), rows, yes, no, v.Lang)
		m.Keys = []legendKey{{"k-green", v.l("for")}, {"k-orange", v.l("against")}}
	}
	return m
}

// motionOutcome writes the verdict of the vote after the debate and who
// changed sides between the two votes.
func (v *reportView) motionOutcome(m *motionView, r game.MotionResult) {
	switch r.Verdict {
	case game.MotionCarried, game.MotionRejected:
		m.Verdict = fmt.Sprintf(v.l("verdict."+r.Verdict), fmtPct(float64(r.After.For)/float64(r.After.For+r.After.Against), v.Lang))
	case game.MotionTied:
		m.Verdict = v.l("verdict.tied")
	default:
		if r.Before.For+r.Before.Against > 0 {
			m.Verdict = v.l("noAfter")
		}
	}
	switch {
	case r.BothVotes == 0:
	case r.BothVotes == 1 && r.ToFor == 1:
		m.Changed = fmt.Sprintf(v.l("votedOnce"), v.l("onlyToFor"))
	case r.BothVotes == 1 && r.ToAgainst == 1:
		m.Changed = fmt.Sprintf(v.l("votedOnce"), v.l("onlyToAgainst"))
	case r.BothVotes == 1:
		m.Changed = fmt.Sprintf(v.l("votedOnce"), v.l("onlyKept"))
	default:
		var parts []string
		for _, p := range []struct {
			n         int
			one, many string
		}{{r.ToFor, "toFor1", "toForN"}, {r.ToAgainst, "toAgainst1", "toAgainstN"}} {
			switch {
			case p.n == 1:
				parts = append(parts, fmt.Sprintf(v.l(p.one), p.n))
			case p.n > 1:
				parts = append(parts, fmt.Sprintf(v.l(p.many), p.n))
			}
		}
		if len(parts) == 0 {
			parts = []string{v.l("nobodyChanged")}
		}
		m.Changed = fmt.Sprintf(v.l("votedTwice"), r.BothVotes, strings.Join(parts, v.l("andList")))
	}
}
