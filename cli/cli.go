// Package cli implements the command-line tools of DevOps Challenge that
// work on scenarios: checking a scenario file and playing headless games to
// measure its balance. main.go wires them as `scenario` and `simulate`.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"devopschallenge/game/rules"
	"devopschallenge/game/rules/sim"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the scenario is bad or a game failed
	exitUsage = 2 // bad command line
)

const scenarioUsage = `usage: scenario validate FILE

Checks a scenario file and prints OK, or every problem as path:line: reason.
`

// Scenario runs `scenario validate FILE` and returns the exit code: 0 when
// the file is valid, 1 when it has problems, 2 on a bad command line.
func Scenario(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, scenarioUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] != "validate" {
		fmt.Fprintf(stderr, "scenario: unknown command %q\n%s", args[0], scenarioUsage)
		return exitUsage
	}
	if len(args) != 2 {
		fmt.Fprintf(stderr, "scenario validate: expected exactly one FILE, got %d arguments\n%s", len(args)-1, scenarioUsage)
		return exitUsage
	}
	if _, err := loadFile(args[1]); err != nil {
		fmt.Fprintln(stdout, err)
		return exitError
	}
	fmt.Fprintln(stdout, "OK")
	return exitOK
}

// loadFile loads a scenario from the file system; problems name the file as
// given on the command line.
func loadFile(path string) (*rules.Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &rules.LoadError{Problems: []rules.Problem{{Path: path, Line: 0, Reason: err.Error()}}}
	}
	return rules.Parse(path, data)
}

// loadStrategy reads a strategy file; problems name the file as given.
func loadStrategy(path string, scn *rules.Scenario) (sim.Strategy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &rules.LoadError{Problems: []rules.Problem{{Path: path, Line: 0, Reason: err.Error()}}}
	}
	return sim.LoadStrategy(path, data, scn)
}
