package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Expr is an expression of the scenario: a number or a formula over the
// state, written in the expr language (https://expr-lang.org). It is
// compiled and type-checked once, when the scenario is loaded.
type Expr struct {
	// Src is the expression as written in the scenario.
	Src string

	line    int
	isConst bool
	c       float64
	prog    *vm.Program
}

// Constant returns the value of an expression that is a plain number.
func (e *Expr) Constant() (float64, bool) { return e.c, e.isConst }

// MarshalJSON encodes the expression as its source text.
func (e Expr) MarshalJSON() ([]byte, error) { return json.Marshal(e.Src) }

// UnmarshalJSON reads an expression as documents carry it (its source), so
// that a client can decode the documents that show actions. It does not
// compile it: only a loaded scenario's expressions are evaluated.
func (e *Expr) UnmarshalJSON(b []byte) error {
	*e = Expr{}
	return json.Unmarshal(b, &e.Src)
}

// env is what expressions see. Its field names (the expr tags) are the
// names a scenario may use; README.md lists them.
type env struct {
	Sprint        int             `expr:"sprint"`
	Sprints       int             `expr:"sprints"`
	Silo          bool            `expr:"silo"`
	Has           map[string]bool `expr:"has"`
	Did           map[string]bool `expr:"did"`
	Seen          map[string]int  `expr:"seen"`
	Coming        map[string]bool `expr:"coming"`
	Stage         stagesEnv       `expr:"stage"`
	WIP           float64         `expr:"wip"`
	FailureRate   float64         `expr:"failureRate"`
	BlastRadius   float64         `expr:"blastRadius"`
	Detect        float64         `expr:"detectMinutes"`
	Diagnose      float64         `expr:"diagnoseMinutes"`
	Rollback      float64         `expr:"rollbackMinutes"`
	HotfixShare   float64         `expr:"hotfixShare"`
	EmergencyWait float64         `expr:"emergencyWaitMinutes"`
	Features      float64         `expr:"features"`
	Productivity  float64         `expr:"productivity"`
	Firefighting  float64         `expr:"firefighting"`
	ValuePerPoint float64         `expr:"valuePerPoint"`
	Decision      float64         `expr:"decisionFactor"`
	ChangeSize    float64         `expr:"changeSize"`
	CALMS         CALMS           `expr:"calms"`
	Debt          float64         `expr:"debt"`
	Learning      float64         `expr:"learning"`
	Postmortems   int             `expr:"postmortems"`
	Unlearned     int             `expr:"unlearned"`
	Blames        int             `expr:"blames"`
	Collaboration int             `expr:"collaboration"`
	Joint         int             `expr:"joint"`
	Metrics       Metrics         `expr:"metrics"`
	Prev          Metrics         `expr:"prev"`
	Tier          tierEnv         `expr:"tier"`

	machine vm.VM // reused by every evaluation with this environment
}

type stagesEnv struct {
	Plan    stageEnv `expr:"plan"`
	Code    stageEnv `expr:"code"`
	Build   stageEnv `expr:"build"`
	Test    stageEnv `expr:"test"`
	Release stageEnv `expr:"release"`
	Deploy  stageEnv `expr:"deploy"`
	Operate stageEnv `expr:"operate"`
	Monitor stageEnv `expr:"monitor"`
}

type stageEnv struct {
	Process float64 `expr:"process"`
	Wait    float64 `expr:"wait"`
	Time    float64 `expr:"time"`
}

type tierEnv struct {
	LeadTime          int `expr:"leadTime"`
	DeployFrequency   int `expr:"deployFrequency"`
	ChangeFailureRate int `expr:"changeFailureRate"`
	TimeToRestore     int `expr:"timeToRestore"`
}

// setFigures copies the figures into the environment.
func (e *env) setFigures(f *figures) {
	st := [8]*stageEnv{&e.Stage.Plan, &e.Stage.Code, &e.Stage.Build, &e.Stage.Test,
		&e.Stage.Release, &e.Stage.Deploy, &e.Stage.Operate, &e.Stage.Monitor}
	for i, s := range st {
		s.Process, s.Wait = f[2*i], f[2*i+1]
		s.Time = s.Process + s.Wait
	}
	e.WIP = f[figWIP]
	e.FailureRate = f[figFailureRate]
	e.BlastRadius = f[figBlastRadius]
	e.Detect = f[figDetect]
	e.Diagnose = f[figDiagnose]
	e.Rollback = f[figRollback]
	e.HotfixShare = f[figHotfixShare]
	e.EmergencyWait = f[figEmergencyWait]
	e.Features = f[figFeatures]
	e.Productivity = f[figProductivity]
	e.Firefighting = f[figFirefighting]
	e.ValuePerPoint = f[figValuePerPoint]
	e.Decision = f[figDecision]
	e.ChangeSize = f[figChangeSize]
	e.CALMS = CALMS{f[figCulture], f[figAutomation], f[figLean], f[figMeasurement], f[figSharing]}
	e.Debt = f[figDebt]
	e.Learning = f[figLearning]
}

func (e *env) setTiers(t Tiers) {
	e.Tier = tierEnv{t.LeadTime.Points(), t.DeployFrequency.Points(), t.ChangeFailureRate.Points(), t.TimeToRestore.Points()}
}

// exprKind is the type an expression must have.
type exprKind int

const (
	kindNumber exprKind = iota
	kindBool
)

// idSets are the ids that may follow has., did. and seen. in expressions.
type idSets struct {
	capabilities map[string]bool
	actions      map[string]bool
	incidents    map[string]bool
	// didUsed collects the actions expressions test with did.<id>.
	didUsed map[string]bool
}

// compile compiles e for the kind and checks every has./did./seen. id.
// It returns a sentence describing the first problem, or "".
func (e *Expr) compile(kind exprKind, ids *idSets) string {
	src := strings.TrimSpace(e.Src)
	if src == "" {
		return "empty expression"
	}
	if kind == kindNumber {
		if v, err := strconv.ParseFloat(src, 64); err == nil {
			e.isConst, e.c = true, v
			return ""
		}
	}
	opts := []expr.Option{expr.Env(env{})}
	if kind == kindBool {
		opts = append(opts, expr.AsBool())
	} else {
		opts = append(opts, expr.AsFloat64())
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return exprMessage(err)
	}
	if msg := checkIDs(src, ids); msg != "" {
		return msg
	}
	e.prog = prog
	return ""
}

// goNames turns the Go type names in expr's messages into the names a
// scenario uses.
var goNames = strings.NewReplacer(
	"type rules.Metrics", "metrics", "type rules.CALMS", "calms", "type rules.stagesEnv", "stage",
	"type rules.stageEnv", "a stage", "type rules.tierEnv", "tier", "rules.", "")

// exprMessage returns the first line of an expr error with its column.
func exprMessage(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fmt.Sprintf("%s (column %d)", goNames.Replace(fe.Message), fe.Column+1)
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

type idChecker struct {
	ids     *idSets
	bare    map[string]int // identifiers has/did/seen seen anywhere
	checked map[string]int // of which used as has.<id>
	msgs    []string
}

// Visit implements ast.Visitor: it checks the id after has., did. and seen.
func (v *idChecker) Visit(n *ast.Node) {
	switch node := (*n).(type) {
	case *ast.IdentifierNode:
		if node.Value == "has" || node.Value == "did" || node.Value == "seen" || node.Value == "coming" {
			v.bare[node.Value]++
		}
	case *ast.MemberNode:
		id, ok := node.Node.(*ast.IdentifierNode)
		if !ok {
			return
		}
		var set map[string]bool
		var what string
		switch id.Value {
		case "has":
			set, what = v.ids.capabilities, "capability"
		case "did":
			set, what = v.ids.actions, "action"
		case "seen", "coming":
			set, what = v.ids.incidents, "incident"
		default:
			return
		}
		v.checked[id.Value]++
		prop, ok := node.Property.(*ast.StringNode)
		if !ok {
			v.msgs = append(v.msgs, fmt.Sprintf("%s must be followed by a literal %s id, as in %s.some_id", id.Value, what, id.Value))
			return
		}
		if !set[prop.Value] {
			v.msgs = append(v.msgs, fmt.Sprintf("unknown %s %q in %s.%s", what, prop.Value, id.Value, prop.Value))
		} else if id.Value == "did" && v.ids.didUsed != nil {
			v.ids.didUsed[prop.Value] = true
		}
	}
}

func checkIDs(src string, ids *idSets) string {
	tree, err := parser.Parse(src)
	if err != nil {
		return exprMessage(err)
	}
	v := &idChecker{ids: ids, bare: map[string]int{}, checked: map[string]int{}}
	ast.Walk(&tree.Node, v)
	if len(v.msgs) > 0 {
		return strings.Join(v.msgs, "; ")
	}
	for _, name := range []string{"has", "did", "seen", "coming"} {
		if v.bare[name] != v.checked[name] {
			return fmt.Sprintf("%s must be followed by an id, as in %s.some_id", name, name)
		}
	}
	return ""
}

// float evaluates a number expression. A result that is not a finite number
// counts as 0.
func (e *Expr) float(en *env) (float64, error) {
	if e.isConst {
		return e.c, nil
	}
	if e.prog == nil {
		return 0, fmt.Errorf("expression %q was not compiled", e.Src)
	}
	out, err := en.machine.Run(e.prog, en)
	if err != nil {
		return 0, fmt.Errorf("line %d: %q: %w", e.line, e.Src, err)
	}
	v, _ := out.(float64)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	return v, nil
}

// bool evaluates a condition.
func (e *Expr) bool(en *env) (bool, error) {
	if e.prog == nil {
		return false, fmt.Errorf("expression %q was not compiled", e.Src)
	}
	out, err := en.machine.Run(e.prog, en)
	if err != nil {
		return false, fmt.Errorf("line %d: %q: %w", e.line, e.Src, err)
	}
	b, _ := out.(bool)
	return b, nil
}
