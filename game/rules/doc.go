// Package rules is the rules engine of DevOps Challenge: it loads scenarios
// and simulates, for one company at a time, the sprints of the game.
//
// It is pure: no clock, no network, no file other than the fs.FS it is
// given, and randomness only from the seed passed in. The same calls with
// the same arguments give byte-identical JSON results, so the game server
// can keep a Company inside its own state and rebuild it from its event
// log.
//
// A game server calls it in this order:
//
//	scns, err := rules.LoadAll(scenarios.FS)        // once, at start
//	scn := scns["ecommerce-platform"]
//	c := rules.NewCompany(scn)                       // per company
//
//	// Planning: show each team its options and capacity, check its picks.
//	opts := rules.Options(scn, c, "ops")
//	capa := rules.Capacity(scn, c, "ops")
//	err = rules.ValidatePlan(scn, c, "ops", []string{"ops_containers"}) // *rules.Error (en, fr)
//
//	// Resolution: all teams' plans at once.
//	c, res, err := rules.ResolveSprint(scn, c, rules.SprintInput{
//		Sprint: c.Sprint + 1, Seed: gameSeed, Plans: plans})
//
//	// Incident: if res.Incident != nil, teams pick responses under a timer.
//	c, inc, err := rules.ResolveIncident(scn, c, rules.IncidentInput{
//		Responses: responses, ResponseSeconds: 42, Seed: gameSeed})
//	c, pm, err := rules.ApplyPostmortem(scn, c, rules.Postmortem{...})
//
//	// After the last sprint and the debates:
//	ranking := rules.FinalRanking(scn, entries)
//
// A sprint works like this. The actions that take effect (a joint action
// only if both of its teams picked it) may grant capabilities. The effects
// of the capabilities owned and of the actions done apply to the
// scenario's starting figures; then the rules whose condition holds add
// theirs. The value stream follows: each stage takes processing plus
// waiting time, the slowest stage (the bottleneck) sets the deployment
// rate, and the lead time is work in progress divided by that rate
// (Little's law), never less than the sum of the lead-time stages. The
// failure rate, detection, diagnosis and rollback times give the change
// failure rate, the time to restore, downtime and availability; shipped
// features, discounted by the lead time, give the business value. DORA
// tiers, CALMS maturity and the scores follow, an incident may be drawn,
// and every change since the last sprint is explained with its causes.
package rules
