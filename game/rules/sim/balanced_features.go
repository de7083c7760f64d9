package sim

import (
	"cmp"
	"slices"

	"devopschallenge/game/rules"
)

// The feature work of balanced play: which feature actions a company
// prefers, in which order, and what its usual sprint of features is.

// featureOrder lists the preferred feature actions, those that build the
// most feature points per point of capacity first (ties in an order drawn
// for the sprint).
func featureOrder(g *Game, features map[string]bool) []*rules.Action {
	var feats []*rules.Action
	for _, a := range g.Scn.Actions {
		if features[a.ID] && !a.Joint() {
			feats = append(feats, a)
		}
	}
	yield := func(a *rules.Action) float64 {
		for _, e := range a.Effects {
			if v, ok := e.Value().Constant(); ok && e.Target == "features" && e.Op() == "add" {
				return v / float64(a.Cost)
			}
		}
		return 0
	}
	slices.SortStableFunc(feats, func(x, y *rules.Action) int {
		return cmp.Or(cmp.Compare(yield(y), yield(x)), cmp.Compare(noise(g, "feature", x.ID), noise(g, "feature", y.ID)))
	})
	return feats
}

// opensFeatures reports whether owning the chain would make a preferred
// feature action available that is not now.
func opensFeatures(g *Game, features map[string]bool, chain []string) bool {
	for id := range features {
		a := g.Scn.Action(id)
		missing := rules.MissingPrerequisites(g.Scn, g.C, a)
		if len(missing) == 0 {
			continue
		}
		all := true
		for _, r := range missing {
			all = all && slices.Contains(chain, r)
		}
		if all {
			return true
		}
	}
	return false
}

// usualFeatures is the feature work the teams would do in a sprint if they
// owned the extra capabilities too, and the capacity it takes per team.
func usualFeatures(g *Game, features map[string]bool, extra []string) ([]string, map[string]int) {
	need := map[string]int{}
	var out []string
	for _, a := range featureOrder(g, features) {
		ok := true
		for _, r := range rules.MissingPrerequisites(g.Scn, g.C, a) {
			ok = ok && slices.Contains(extra, r)
		}
		if t := a.Teams[0]; ok && need[t]+a.Cost <= rules.Capacity(g.Scn, g.C, t) {
			need[t] += a.Cost
			out = append(out, a.ID)
		}
	}
	return out, need
}

// focus draws, once per game, the actions the company will not consider
// (each with a chance of one in sixteen: every company has its blind
// spots) and the feature actions it prefers: all the small ones that build
// features but one, and each other feature action with a chance of two in
// three. So paths to success differ from game to game, and no action is in
// every plan.
func focus(g *Game) (skip, features map[string]bool) {
	rng := newRng(g.Seed, "balanced-focus")
	skip, features = map[string]bool{}, map[string]bool{}
	var builders []string
	for _, a := range g.Scn.Actions {
		if rng.IntN(16) == 0 {
			skip[a.ID] = true
		}
		if !a.HasTag("feature") || a.HasTag("speed") || harmful(a) {
			continue
		}
		if buildsFeatures(a) && len(a.Requires) == 0 {
			builders = append(builders, a.ID)
			features[a.ID] = true
		} else if rng.IntN(3) > 0 {
			features[a.ID] = true
		}
	}
	if len(builders) > 1 {
		delete(features, builders[rng.IntN(len(builders))])
	}
	return skip, features
}

// buildsFeatures reports whether an action adds feature points.
func buildsFeatures(a *rules.Action) bool {
	for _, e := range a.Effects {
		if v, ok := e.Value().Constant(); ok && e.Target == "features" && e.Op() == "add" && v > 0 {
			return true
		}
	}
	return false
}
