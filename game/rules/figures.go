package rules

import "math"

// A figure is one number of the simulation that effects can change. Stage
// times, the failure rate, detection and repair times, CALMS points… are
// recomputed every sprint from the scenario's starting values and the
// effects in force; the counters (debt, learning) carry over from sprint to
// sprint and effects add to them.

const (
	// The two figures of stage i are 2i (processing) and 2i+1 (waiting).
	figWIP = 2*8 + iota
	figFailureRate
	figBlastRadius
	figDetect
	figDiagnose
	figRollback
	figHotfixShare
	figEmergencyWait
	figFeatures
	figProductivity
	figFirefighting
	figValuePerPoint
	figDecision
	figChangeSize
	figCulture
	figAutomation
	figLean
	figMeasurement
	figSharing
	figDebt
	figLearning
	numFigures
)

type figures [numFigures]float64

type figureDef struct {
	name    string
	label   Text
	unit    string // "h", "min", "%", "" — for sentences
	lo, hi  float64
	counter bool    // carries over between sprints
	start   bool    // given in start.figures
	opt     bool    // may be left out of start.figures: then def
	def     float64 // starting value when left out
}

var figureDefs = func() [numFigures]figureDef {
	var d [numFigures]figureDef
	for i, s := range StageIDs {
		d[2*i] = figureDef{name: "stage." + s + ".process", unit: "h", lo: 0, hi: 1e6}
		d[2*i+1] = figureDef{name: "stage." + s + ".wait", unit: "h", lo: 0, hi: 1e6}
	}
	d[figWIP] = figureDef{"wip", Text{"work in progress", "travail en cours"}, "", 1, 100, false, true, false, 0}
	d[figFailureRate] = figureDef{"failureRate", Text{"baseline deployment risk", "risque de base d'un déploiement"}, "%", 0.01, 0.95, false, true, false, 0}
	d[figBlastRadius] = figureDef{"blastRadius", Text{"share of customers hit by a failed change", "part des clients touchés par un changement raté"}, "%", 0.01, 1, false, true, false, 0}
	d[figDetect] = figureDef{"detectMinutes", Text{"time to detect a failure", "temps de détection d'une panne"}, "min", 1, 1e6, false, true, false, 0}
	d[figDiagnose] = figureDef{"diagnoseMinutes", Text{"time to find the cause", "temps de diagnostic"}, "min", 1, 1e6, false, true, false, 0}
	d[figRollback] = figureDef{"rollbackMinutes", Text{"time to roll back a release", "temps de retour arrière (rollback)"}, "min", 1, 1e6, false, true, false, 0}
	d[figHotfixShare] = figureDef{"hotfixShare", Text{"share of the pipeline a hotfix goes through", "part du pipeline que traverse un correctif"}, "%", 0.01, 1, false, true, false, 0}
	d[figEmergencyWait] = figureDef{"emergencyWaitMinutes", Text{"wait for an emergency change approval", "attente d'approbation d'un changement urgent"}, "min", 0, 1e6, false, true, false, 0}
	d[figFeatures] = figureDef{"features", Text{"feature points built", "points de fonctionnalités construits"}, "", 0, 1e6, false, false, false, 0}
	d[figProductivity] = figureDef{"productivity", Text{"productivity", "productivité"}, "x", 0.1, 10, false, true, false, 0}
	d[figFirefighting] = figureDef{"firefighting", Text{"capacity lost per hour of downtime", "capacité perdue par heure de panne"}, "", 0, 10, false, true, false, 0}
	d[figValuePerPoint] = figureDef{name: "valuePerPoint", label: Text{"value of a feature point", "valeur d'un point de fonctionnalité"}, unit: "x", lo: 0.1, hi: 10, start: true, opt: true, def: 1}
	d[figChangeSize] = figureDef{name: "changeSize", label: Text{"size of each change", "taille de chaque changement"}, unit: "x", lo: 0.05, hi: 10, start: true, opt: true, def: 1}
	d[figDecision] = figureDef{name: "decisionFactor", label: Text{"time the teams take to decide during an incident", "temps de décision des équipes pendant un incident"}, unit: "x", lo: 0.05, hi: 10, start: true, opt: true, def: 1}
	d[figCulture] = figureDef{"calms.culture", Text{"CALMS culture", "culture (CALMS)"}, "", 0, 5, false, true, false, 0}
	d[figAutomation] = figureDef{"calms.automation", Text{"CALMS automation", "automatisation (CALMS)"}, "", 0, 5, false, true, false, 0}
	d[figLean] = figureDef{"calms.lean", Text{"CALMS lean", "lean (CALMS)"}, "", 0, 5, false, true, false, 0}
	d[figMeasurement] = figureDef{"calms.measurement", Text{"CALMS measurement", "mesure (CALMS)"}, "", 0, 5, false, true, false, 0}
	d[figSharing] = figureDef{"calms.sharing", Text{"CALMS sharing", "partage (CALMS)"}, "", 0, 5, false, true, false, 0}
	d[figDebt] = figureDef{"debt", Text{"technical debt", "dette technique"}, "", 0, 100, true, true, false, 0}
	d[figLearning] = figureDef{"learning", Text{"learning", "apprentissage"}, "", 0, 1e6, true, false, false, 0}
	return d
}()

var figureIndex = func() map[string]int {
	m := make(map[string]int, numFigures)
	for i, d := range figureDefs {
		m[d.name] = i
	}
	return m
}()

// FigureNames returns the names an effect may target, in a fixed order.
func FigureNames() []string {
	out := make([]string, numFigures)
	for i, d := range figureDefs {
		out[i] = d.name
	}
	return out
}

func pillarFigure(p string) int {
	switch p {
	case "culture":
		return figCulture
	case "automation":
		return figAutomation
	case "lean":
		return figLean
	case "measurement":
		return figMeasurement
	case "sharing":
		return figSharing
	}
	return -1
}

// label returns the display name of figure i; stage figures are named after
// the scenario's stage names.
func (s *Scenario) figureLabel(i int) Text {
	if i < 16 {
		st := s.Stages[i/2].Name
		if i%2 == 0 {
			return textf("%s — processing time", "%s — temps de traitement", st)
		}
		return textf("%s — waiting time", "%s — temps d'attente", st)
	}
	return figureDefs[i].label
}

// clamp keeps every figure inside its range.
func (f *figures) clamp() {
	for i := range f {
		d := &figureDefs[i]
		v := f[i]
		if math.IsNaN(v) {
			v = d.lo
		}
		f[i] = math.Min(d.hi, math.Max(d.lo, v))
	}
}

// apply applies one operation to a figure.
func applyOp(op string, cur, v float64) float64 {
	switch op {
	case "mul":
		return cur * v
	case "add":
		return cur + v
	case "set":
		return v
	case "min":
		return math.Min(cur, v)
	case "max":
		return math.Max(cur, v)
	}
	return cur
}

// round4 rounds to four decimals so that stored figures stay short and equal
// on every platform.
func round4(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	r := math.Round(x*1e4) / 1e4
	if r == 0 {
		return 0 // no negative zero
	}
	return r
}
