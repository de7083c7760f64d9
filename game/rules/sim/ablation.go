package sim

import (
	"fmt"
	"io"
	"slices"

	"devopschallenge/game/rules"
)

// Variant is balanced-devops changed in one way, and what the change does
// to its score over the same seeded games.
type Variant struct {
	// Kind is "capability" (never acquired), "pillar" (none of the
	// pillar's practices), "action" (added to every sprint) or "features"
	// (no feature work at all).
	Kind string `json:"kind"`
	// Of is the capability, pillar or action.
	Of   string  `json:"of"`
	Mean float64 `json:"mean"`
	// Change is the change of the mean score, as a share of the base mean.
	Change float64 `json:"change"`
	// Lower is the share of games the variant scores less than the base.
	Lower float64 `json:"lower"`
	// Used is, for a capability, the share of base games that acquire it.
	Used float64 `json:"used,omitempty"`
	// Practices are the capabilities of a pillar.
	Practices []string `json:"practices,omitempty"`
}

// Ablation plays balanced-devops and its variants over n seeded games:
// each acquirable capability forbidden, each CALMS pillar's practices
// forbidden, each action that grows work in progress or batches added to
// every sprint, and no feature work. It returns the base games' mean score
// and the variants.
func Ablation(scn *rules.Scenario, n int, seed uint64) (float64, []Variant, error) {
	base := Balanced{}
	strategies := []Strategy{base}
	var vs []Variant
	for _, cp := range scn.Capabilities {
		if slices.Contains(scn.Start.Capabilities, cp.ID) {
			continue
		}
		strategies = append(strategies, WithoutCapability(base, cp.ID))
		vs = append(vs, Variant{Kind: "capability", Of: cp.ID})
	}
	for _, p := range rules.Pillars {
		strategies = append(strategies, WithoutPillar(scn, base, p))
		vs = append(vs, Variant{Kind: "pillar", Of: p, Practices: PillarPractices(scn, p)})
	}
	for _, id := range GrowsBatches(scn) {
		strategies = append(strategies, Plus{Base: base, Action: id})
		vs = append(vs, Variant{Kind: "action", Of: id})
	}
	strategies = append(strategies, NoFeatures{})
	vs = append(vs, Variant{Kind: "features", Of: "none"})

	results, err := Games(scn, strategies, n, seed)
	if err != nil {
		return 0, nil, err
	}
	fn := float64(n)
	mean := 0.0
	for _, row := range results {
		mean += row[0].Score / fn
	}
	for i := range vs {
		v := &vs[i]
		for _, row := range results {
			r := row[i+1]
			v.Mean += r.Score / fn
			if r.Score < row[0].Score {
				v.Lower += 1 / fn
			}
			if v.Kind == "capability" && slices.ContainsFunc(row[0].Actions, func(id string) bool { return scn.Action(id).Grants == v.Of }) {
				v.Used += 1 / fn
			}
		}
		v.Change = (v.Mean - mean) / mean
	}
	return mean, vs, nil
}

// WriteAblation prints the variants as tables, one per kind.
func WriteAblation(w io.Writer, scn *rules.Scenario, mean float64, vs []Variant) {
	fmt.Fprintf(w, "balanced-devops: mean score %.1f\n", mean)
	title := map[string]string{
		"capability": "\nWithout one capability (never acquired, nor what needs it):\n\n| capability | pillar | acquired in | mean score | change | games lower |\n|---|---|---|---|---|---|\n",
		"pillar":     "\nWithout a CALMS pillar's practices (culture: no post-mortems either):\n\n| pillar | practices | mean score | change | games lower |\n|---|---|---|---|---|\n",
		"action":     "\nWith an action that grows work in progress or batches, every sprint:\n\n| action | mean score | change | games lower |\n|---|---|---|---|\n",
		"features":   "\nWith no feature work at all:\n\n| variant | mean score | share of balanced | games lower |\n|---|---|---|---|\n",
	}
	kind := ""
	for _, v := range vs {
		if v.Kind != kind {
			kind = v.Kind
			fmt.Fprint(w, title[kind])
		}
		switch kind {
		case "capability":
			fmt.Fprintf(w, "| %s | %s | %.0f %% | %.1f | %+.1f %% | %.0f %% |\n", v.Of, scn.Capability(v.Of).Pillar(), 100*v.Used, v.Mean, 100*v.Change, 100*v.Lower)
		case "pillar":
			fmt.Fprintf(w, "| %s | %s | %.1f | %+.1f %% | %.0f %% |\n", v.Of, joinIDs(v.Practices), v.Mean, 100*v.Change, 100*v.Lower)
		case "action":
			fmt.Fprintf(w, "| %s | %.1f | %+.1f %% | %.0f %% |\n", v.Of, v.Mean, 100*v.Change, 100*v.Lower)
		case "features":
			fmt.Fprintf(w, "| no features | %.1f | %.0f %% | %.0f %% |\n", v.Mean, 100*v.Mean/mean, 100*v.Lower)
		}
	}
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += id
	}
	return out
}
