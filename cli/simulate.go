package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"devopschallenge/game/rules"
	"devopschallenge/game/rules/sim"
	"devopschallenge/scenarios"
)

// files is a repeatable flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// simulateOptions is the command line of `simulate`, once parsed.
type simulateOptions struct {
	file       string // scenario file; empty for the embedded one
	strategy   string // built-in strategy name, "all" or empty
	stratFiles files
	games      int
	seed       uint64
	asJSON     bool
	ablation   bool
}

// Simulate runs `simulate [--scenario FILE] [--strategy NAME] [--strategy-file
// FILE]... [--games N] [--seed S] [--json]`: it plays N seeded games headless
// with each strategy (every built-in one with --strategy all, the default
// without a strategy file) and prints the distribution of outcomes, as
// tables or as JSON. balanced-devops is always played too, as the
// reference. Without --scenario it plays the embedded E-commerce Platform.
func Simulate(args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseSimulate(args, stderr)
	if !ok {
		return code
	}
	strategies, ok := builtinStrategies(o, stderr)
	if !ok {
		return exitUsage
	}
	scn, err := simulatedScenario(o.file)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	if o.ablation {
		return simulateAblation(o, scn, stdout, stderr)
	}
	if strategies, err = withStrategyFiles(strategies, o.stratFiles, scn); err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	// balanced-devops is the reference every strategy is compared with.
	if !slices.ContainsFunc(strategies, func(s sim.Strategy) bool { return s.Name() == (sim.Balanced{}).Name() }) {
		strategies = append([]sim.Strategy{sim.Balanced{}}, strategies...)
	}
	results, err := sim.Games(scn, strategies, o.games, o.seed)
	if err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return exitError
	}
	writeSimulation(stdout, o, scn, strategies, results)
	return exitOK
}

// parseSimulate reads the command line of `simulate`. When it returns
// false, the caller stops with the exit code it gives (0 after -h).
func parseSimulate(args []string, stderr io.Writer) (simulateOptions, int, bool) {
	var o simulateOptions
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.file, "scenario", "", "scenario `FILE` (default: the embedded ecommerce-platform)")
	fs.StringVar(&o.strategy, "strategy", "", "built-in strategy `NAME`: "+strings.Join(sim.Names(), ", ")+", or all (default: all, or none with --strategy-file)")
	fs.Var(&o.stratFiles, "strategy-file", "a strategy written as data, in `FILE` (may be repeated; see scenarios/README.md)")
	fs.IntVar(&o.games, "games", 1000, "number of games `N`")
	fs.Uint64Var(&o.seed, "seed", 1, "seed `S` of the first game; game i uses S+i")
	fs.BoolVar(&o.asJSON, "json", false, "print the results as JSON")
	fs.BoolVar(&o.ablation, "ablation", false, "measure what each capability, CALMS pillar and batch-growing action is worth to balanced-devops")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: simulate [--scenario FILE] [--strategy NAME] [--strategy-file FILE]... [--games N] [--seed S] [--json] [--ablation]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, exitOK, false
		}
		return o, exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "simulate: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return o, exitUsage, false
	}
	if o.games < 1 {
		fmt.Fprintf(stderr, "simulate: --games must be at least 1, got %d\n", o.games)
		return o, exitUsage, false
	}
	return o, exitOK, true
}

// builtinStrategies returns the built-in strategies --strategy asks for:
// all of them by default, none when only strategy files are given.
func builtinStrategies(o simulateOptions, stderr io.Writer) ([]sim.Strategy, bool) {
	switch {
	case o.strategy == "all" || (o.strategy == "" && len(o.stratFiles) == 0):
		return sim.Strategies(), true
	case o.strategy == "":
		return nil, true
	}
	st, ok := sim.ByName(o.strategy)
	if !ok {
		fmt.Fprintf(stderr, "simulate: unknown strategy %q (use %s, or all)\n", o.strategy, strings.Join(sim.Names(), ", "))
		return nil, false
	}
	return []sim.Strategy{st}, true
}

// simulatedScenario loads the scenario file, or the embedded E-commerce
// Platform without one.
func simulatedScenario(file string) (*rules.Scenario, error) {
	if file == "" {
		return rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	}
	return loadFile(file)
}

// withStrategyFiles adds the strategies written as data, refusing a name
// already taken.
func withStrategyFiles(strategies []sim.Strategy, paths files, scn *rules.Scenario) ([]sim.Strategy, error) {
	for _, f := range paths {
		st, err := loadStrategy(f, scn)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(strategies, func(s sim.Strategy) bool { return s.Name() == st.Name() }) {
			return nil, fmt.Errorf("%s: another strategy is already named %q", f, st.Name())
		}
		strategies = append(strategies, st)
	}
	return strategies, nil
}

// simulateAblation measures what each capability, pillar and
// batch-growing action is worth to balanced-devops, and prints it.
func simulateAblation(o simulateOptions, scn *rules.Scenario, stdout, stderr io.Writer) int {
	mean, vs, err := sim.Ablation(scn, o.games, o.seed)
	if err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return exitError
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"scenario": scn.ID, "games": o.games, "firstSeed": o.seed, "mean": mean, "variants": vs})
		return exitOK
	}
	fmt.Fprintf(stdout, "Scenario %s, seeds %d..%d.\n\n", scn.ID, o.seed, o.seed+uint64(o.games)-1)
	sim.WriteAblation(stdout, scn, mean, vs)
	return exitOK
}

// writeSimulation prints the games' outcomes: as JSON, or as the tables,
// each strategy's trajectory and the actions every winning plan shares.
func writeSimulation(stdout io.Writer, o simulateOptions, scn *rules.Scenario, strategies []sim.Strategy, results [][]*sim.Result) {
	name := scn.ID
	if o.file != "" {
		name = filepath.Base(o.file)
	}
	summary := sim.Summarize(strategies, results)
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"scenario": name, "games": o.games, "firstSeed": o.seed, "sprints": scn.Sprints,
			"strategies": summary.Report()})
		return
	}
	fmt.Fprintf(stdout, "Scenario %s, seeds %d..%d, %d sprints per game.\n\n", name, o.seed, o.seed+uint64(o.games)-1, scn.Sprints)
	summary.WriteTable(stdout)
	summary.WriteClusters(stdout)
	for j, st := range strategies {
		sim.WriteTrajectory(stdout, st.Name(), sim.Trajectory(results, j))
	}
	if len(strategies) > 1 {
		if dom := sim.DominantActions(results); len(dom) > 0 {
			fmt.Fprintf(stdout, "\nActions in every winning plan: %s\n", strings.Join(dom, ", "))
		} else {
			fmt.Fprintf(stdout, "\nNo action appears in every winning plan.\n")
		}
	}
}
