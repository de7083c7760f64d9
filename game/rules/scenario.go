package rules

import "math"

// Teams are the four teams of every company, in display order.
var Teams = []string{"dev", "ops", "qa", "pm"}

// Pillars are the five CALMS pillars, in display order.
var Pillars = []string{"culture", "automation", "lean", "measurement", "sharing"}

// StageIDs are the eight stages of the value stream, from idea to feedback.
var StageIDs = []string{"plan", "code", "build", "test", "release", "deploy", "operate", "monitor"}

// leadStages are the stages a change crosses between commit and production:
// their times make up the lead time for changes.
var leadStages = []string{"code", "build", "test", "release", "deploy"}

// Scenario is a complete game scenario as loaded from a YAML file: the texts
// players read, the capabilities and actions they can pick, the rules and
// incidents of the simulation and the scoring. Load validates it; after
// that it is read-only and may be shared by every game.
type Scenario struct {
	ID                       string          `yaml:"id" json:"id"`
	Title                    Text            `yaml:"title" json:"title"`
	Summary                  Text            `yaml:"summary" json:"summary"`
	Sprints                  int             `yaml:"sprints" json:"sprints"`
	SprintDays               int             `yaml:"sprintDays" json:"sprintDays"`
	Capacity                 int             `yaml:"capacity" json:"capacity"`
	MinCapacity              int             `yaml:"minCapacity" json:"minCapacity"`
	ResponseMinutesPerSecond float64         `yaml:"responseMinutesPerSecond" json:"responseMinutesPerSecond"`
	Product                  Product         `yaml:"product" json:"product"`
	Teams                    TeamBriefs      `yaml:"teams" json:"teams"`
	Stages                   []*Stage        `yaml:"stages" json:"stages"`
	Start                    Start           `yaml:"start" json:"start"`
	Capabilities             []*Capability   `yaml:"capabilities" json:"capabilities"`
	Actions                  []*Action       `yaml:"actions" json:"actions"`
	Rules                    []*Rule         `yaml:"rules" json:"rules"`
	Incidents                []*Incident     `yaml:"incidents" json:"incidents"`
	Postmortem               PostmortemRules `yaml:"postmortem" json:"postmortem"`
	Quiz                     []*Question     `yaml:"quiz" json:"quiz"`
	Debates                  []*Motion       `yaml:"debates" json:"debates"`
	DORA                     Thresholds      `yaml:"dora" json:"dora"`
	Value                    ValueModel      `yaml:"value" json:"value"`
	Changes                  ChangeModel     `yaml:"changes,omitempty" json:"changes"`
	Measurement              Measurement     `yaml:"measurement,omitempty" json:"measurement"`
	Scoring                  Scoring         `yaml:"scoring" json:"scoring"`

	idx index // lookups built by Load
}

// Product is the brief of the product the companies work on.
type Product struct {
	Name        Text    `yaml:"name" json:"name"`
	Description Text    `yaml:"description" json:"description"`
	Features    []*Item `yaml:"features" json:"features"`
	Stack       []*Item `yaml:"stack" json:"stack"`
	StudySteps  []*Item `yaml:"studySteps" json:"studySteps"`
	Challenges  []*Item `yaml:"challenges" json:"challenges"`
}

// Item is a named entry of a brief: a feature, a layer of the stack, a study
// step or a challenge.
type Item struct {
	ID          string `yaml:"id" json:"id"`
	Name        Text   `yaml:"name" json:"name"`
	Description Text   `yaml:"description" json:"description"`
}

// TeamBriefs holds the brief of each of the four teams.
type TeamBriefs struct {
	Dev *TeamBrief `yaml:"dev" json:"dev"`
	Ops *TeamBrief `yaml:"ops" json:"ops"`
	QA  *TeamBrief `yaml:"qa" json:"qa"`
	PM  *TeamBrief `yaml:"pm" json:"pm"`
}

// Get returns the brief of a team ("dev", "ops", "qa" or "pm"), or nil.
func (b *TeamBriefs) Get(team string) *TeamBrief {
	switch team {
	case "dev":
		return b.Dev
	case "ops":
		return b.Ops
	case "qa":
		return b.QA
	case "pm":
		return b.PM
	}
	return nil
}

// TeamBrief is what a team studies and what its own objective rewards.
type TeamBrief struct {
	Name      Text `yaml:"name" json:"name"`
	Mission   Text `yaml:"mission" json:"mission"`
	Objective Text `yaml:"objective" json:"objective"`
	// Study follows the product's study steps, one entry per step, in
	// their order: what the team looks at in that step.
	Study      []*StudyStep     `yaml:"study" json:"study"`
	Challenges []string         `yaml:"challenges" json:"challenges"`
	Questions  []*CALMSQuestion `yaml:"questions" json:"questions"`
	// Score gives the team's own score for one sprint.
	Score Expr `yaml:"score" json:"score"`
}

// StudyStep is one of the product's study steps as a team works through
// it: what to look at, a short case from the product, the course notions
// it draws on and the questions to answer on the worksheet.
type StudyStep struct {
	Step      string `yaml:"step" json:"step"`
	Look      Text   `yaml:"look" json:"look"`
	Case      Text   `yaml:"case" json:"case"`
	Notions   []Text `yaml:"notions" json:"notions"`
	Questions []Text `yaml:"questions" json:"questions"`
}

// CALMSQuestion is a question a team should ask itself about one pillar.
type CALMSQuestion struct {
	Pillar string `yaml:"pillar" json:"pillar"`
	Text   Text   `yaml:"text" json:"text"`
}

// Stage is one step of the value stream with its starting processing time
// (hands-on work per change batch) and waiting time (queues, approvals,
// hand-offs), in hours.
type Stage struct {
	ID          string  `yaml:"id" json:"id"`
	Name        Text    `yaml:"name" json:"name"`
	Description Text    `yaml:"description" json:"description"`
	Process     float64 `yaml:"process" json:"process"`
	Wait        float64 `yaml:"wait" json:"wait"`
}

// Start is the state of every company before the first sprint.
type Start struct {
	Capabilities []string           `yaml:"capabilities" json:"capabilities"`
	Figures      map[string]float64 `yaml:"figures" json:"figures"`
	Inventory    float64            `yaml:"inventory,omitempty" json:"inventory"`
}

// Capability is a practice or a tool a company owns once acquired. While
// owned, its effects apply every sprint.
type Capability struct {
	ID          string             `yaml:"id" json:"id"`
	Name        Text               `yaml:"name" json:"name"`
	Description Text               `yaml:"description" json:"description"`
	Stages      []string           `yaml:"stages" json:"stages"`
	CALMS       map[string]float64 `yaml:"calms" json:"calms"`
	Requires    []string           `yaml:"requires,omitempty" json:"requires"`
	Effects     []*Effect          `yaml:"effects,omitempty" json:"effects"`
	// Upkeep is the capacity each team spends every sprint to keep the
	// capability working (running the cluster, maintaining the test suite).
	Upkeep map[string]int `yaml:"upkeep,omitempty" json:"upkeep,omitempty"`
}

// Pillar returns the CALMS pillar the capability contributes most to (the
// first in Pillars order on a tie): the pillar whose practices it belongs
// to.
func (c *Capability) Pillar() string {
	best, bestV := "", 0.0
	for _, p := range Pillars {
		if v := c.CALMS[p]; best == "" || v > bestV {
			best, bestV = p, v
		}
	}
	return best
}

// Action is something a team can spend capacity on during planning. A joint
// action lists two teams and happens only if both pick it in the same
// sprint; each of them then pays its cost.
type Action struct {
	ID          string    `yaml:"id" json:"id"`
	Teams       []string  `yaml:"teams" json:"teams"`
	Name        Text      `yaml:"name" json:"name"`
	Description Text      `yaml:"description" json:"description"`
	Cost        int       `yaml:"cost" json:"cost"`
	Requires    []string  `yaml:"requires,omitempty" json:"requires"`
	Grants      string    `yaml:"grants,omitempty" json:"grants,omitempty"`
	Effects     []*Effect `yaml:"effects,omitempty" json:"effects"`
	// Tags describe the intent of the action (feature, speed, stability,
	// devops); the headless strategies use them.
	Tags []string `yaml:"tags,omitempty" json:"tags"`
}

// Joint reports whether the action needs two teams.
func (a *Action) Joint() bool { return len(a.Teams) == 2 }

// Partner returns the other team of a joint action for the given team, or
// "" for a single-team action.
func (a *Action) Partner(team string) string {
	if !a.Joint() {
		return ""
	}
	if a.Teams[0] == team {
		return a.Teams[1]
	}
	return a.Teams[0]
}

// HasTag reports whether the action carries the tag.
func (a *Action) HasTag(tag string) bool {
	for _, t := range a.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Effect changes one figure: exactly one of Mul, Add, Set, Min and Max is
// given, as a number or an expression over the state.
type Effect struct {
	Target string `yaml:"target" json:"target"`
	Mul    *Expr  `yaml:"mul,omitempty" json:"mul,omitempty"`
	Add    *Expr  `yaml:"add,omitempty" json:"add,omitempty"`
	Set    *Expr  `yaml:"set,omitempty" json:"set,omitempty"`
	Min    *Expr  `yaml:"min,omitempty" json:"min,omitempty"`
	Max    *Expr  `yaml:"max,omitempty" json:"max,omitempty"`

	op    string
	value *Expr
	fig   int
}

// Op returns the operation of the effect: "mul", "add", "set", "min" or
// "max".
func (e *Effect) Op() string { return e.op }

// Value returns the number or expression the operation applies.
func (e *Effect) Value() *Expr { return e.value }

// Rule is a condition over the state and the effects that apply in every
// sprint in which the condition holds. Players see its explanation when it
// fires.
type Rule struct {
	ID      string    `yaml:"id" json:"id"`
	Name    Text      `yaml:"name" json:"name"`
	When    Expr      `yaml:"when" json:"when"`
	Effects []*Effect `yaml:"effects" json:"effects"`
	Explain Text      `yaml:"explain" json:"explain"`
	// State, optional, says with its numbers what the condition saw, as a
	// template: "technical debt {debt}, above the threshold of 20". It
	// names the rule where it is a cause of a change.
	State *Text `yaml:"state,omitempty" json:"state,omitempty"`

	state *textTemplate
}

// Incident is an event that may strike at the end of a sprint. When and
// Chance decide whether it strikes; Impact, Detect and Repair give the share
// of customers affected, the minutes until someone notices and the minutes
// of repair work before the teams' responses.
//
// An outage (the default kind) takes the shop down for Impact of its
// customers until it is restored. A security incident (kind "security") is
// an exposure: the shop keeps running, open to attack, until the patch is
// in; it counts as exposure time, not downtime, unless a response takes the
// shop offline.
type Incident struct {
	ID          string `yaml:"id" json:"id"`
	Name        Text   `yaml:"name" json:"name"`
	Description Text   `yaml:"description" json:"description"`
	Kind        string `yaml:"kind,omitempty" json:"kind"`
	// Announce tells the teams one sprint ahead that the incident will
	// strike (a sales peak is in the calendar), when its condition holds
	// for the next sprint and its chance is 1.
	Announce bool `yaml:"announce,omitempty" json:"announce"`
	When     Expr `yaml:"when" json:"when"`
	Chance   Expr `yaml:"chance" json:"chance"`
	Impact   Expr `yaml:"impact" json:"impact"`
	Detect   Expr `yaml:"detect" json:"detect"`
	Repair   Expr `yaml:"repair" json:"repair"`
	Load     int  `yaml:"load,omitempty" json:"load"`
	// Weight counts each minute of the incident's downtime this many times
	// (a sales peak brings several times the usual traffic, so an outage
	// turns away several times the usual customers); 1 when omitted.
	Weight    float64     `yaml:"weight,omitempty" json:"weight"`
	Responses []*Response `yaml:"responses" json:"responses"`
}

// Response is one option a team may choose while an incident is running.
// Factor multiplies the repair time (1 when omitted), Minutes adds to it,
// and CALMS adds to the maturity of the sprint. Blame marks a response that
// looks for a culprit: the company remembers it, and its next incident
// decisions are slower. Offline takes the whole shop down until the repair
// is done (closing a security exposure at the price of an outage).
type Response struct {
	ID       string             `yaml:"id" json:"id"`
	Team     string             `yaml:"team" json:"team"`
	Name     Text               `yaml:"name" json:"name"`
	Explain  Text               `yaml:"explain" json:"explain"`
	Requires []string           `yaml:"requires,omitempty" json:"requires"`
	Factor   float64            `yaml:"factor,omitempty" json:"factor"`
	Minutes  float64            `yaml:"minutes,omitempty" json:"minutes"`
	CALMS    map[string]float64 `yaml:"calms,omitempty" json:"calms,omitempty"`
	Blame    bool               `yaml:"blame,omitempty" json:"blame,omitempty"`
	Offline  bool               `yaml:"offline,omitempty" json:"offline,omitempty"`
}

// PostmortemRules says what a blameless post-mortem earns, once the
// facilitator accepts it: learning points (more when the company owns the
// Practice capability) and a RepeatFactor on the chance that the same
// incident strikes again. An incident that struck without an accepted
// post-mortem becomes UnlearnedFactor times as likely (1 when omitted):
// its causes are still there. A post-mortem earns at most CostShare (1
// when omitted) of the points its incident cost, so that no incident ever
// pays.
type PostmortemRules struct {
	Learning        float64 `yaml:"learning" json:"learning"`
	Practice        string  `yaml:"practice,omitempty" json:"practice,omitempty"`
	PracticeBonus   float64 `yaml:"practiceBonus,omitempty" json:"practiceBonus"`
	RepeatFactor    float64 `yaml:"repeatFactor" json:"repeatFactor"`
	UnlearnedFactor float64 `yaml:"unlearnedFactor,omitempty" json:"unlearnedFactor"`
	CostShare       float64 `yaml:"costShare,omitempty" json:"costShare"`
	Explain         Text    `yaml:"explain" json:"explain"`
}

// Question is a quiz question with its options, the id of the right option
// and the explanation shown after answering.
type Question struct {
	ID          string    `yaml:"id" json:"id"`
	Topic       string    `yaml:"topic" json:"topic"`
	Question    Text      `yaml:"question" json:"question"`
	Options     []*Option `yaml:"options" json:"options"`
	Answer      string    `yaml:"answer" json:"answer"`
	Explanation Text      `yaml:"explanation" json:"explanation"`
}

// Option is one answer of a quiz question.
type Option struct {
	ID   string `yaml:"id" json:"id"`
	Text Text   `yaml:"text" json:"text"`
}

// Motion is a debate motion with arguments for and against, for the
// facilitator.
type Motion struct {
	ID      string `yaml:"id" json:"id"`
	Motion  Text   `yaml:"motion" json:"motion"`
	For     []Text `yaml:"for" json:"for"`
	Against []Text `yaml:"against" json:"against"`
}

// Thresholds are the DORA tier limits of the four metrics.
type Thresholds struct {
	LeadTimeHours      TierLimits `yaml:"leadTimeHours" json:"leadTimeHours"`
	DeploysPerDay      TierLimits `yaml:"deploysPerDay" json:"deploysPerDay"`
	ChangeFailureRate  TierLimits `yaml:"changeFailureRate" json:"changeFailureRate"`
	TimeToRestoreHours TierLimits `yaml:"timeToRestoreHours" json:"timeToRestoreHours"`
}

// TierLimits are the limits of the elite, high and medium tiers. For deploys
// per day a figure at or above a limit reaches the tier; for the three other
// metrics a figure strictly under a limit does.
type TierLimits struct {
	Elite  float64 `yaml:"elite" json:"elite"`
	High   float64 `yaml:"high" json:"high"`
	Medium float64 `yaml:"medium" json:"medium"`
}

// ValueModel sets how shipped features turn into business value:
// a feature that reaches customers after a lead time of L days is worth
// 1/(1 + L/CostOfDelayDays) of its points.
type ValueModel struct {
	CostOfDelayDays float64 `yaml:"costOfDelayDays" json:"costOfDelayDays"`
}

// ChangeModel ties the risk of a deployment to the size of the change it
// carries. A sprint's change work is the feature points built plus
// BaseWork (fixes, upgrades, configuration); each deployment carries the
// work done since the previous one, so the batch is that work divided by
// the deployments of the sprint, times the changeSize figure (below 1 when
// the work is split into small independent changes). At Reference points per deployment the
// failureRate, blastRadius and diagnoseMinutes figures hold as they are;
// a batch s times as big fails s^FailureExponent times as often, hits s
// times as many customers and takes s times as long to diagnose. Without
// a reference, the size of the change plays no part.
type ChangeModel struct {
	BaseWork        float64 `yaml:"baseWork" json:"baseWork"`
	Reference       float64 `yaml:"reference" json:"reference"`
	FailureExponent float64 `yaml:"failureExponent" json:"failureExponent"`
}

// Measurement names the capabilities that let a company measure itself.
// Without one of Stream, its players do not see the stage times and the
// bottleneck of their value stream; without one of DORA, they see their
// DORA figures only as estimates. An empty list means always measured.
type Measurement struct {
	Stream []string `yaml:"stream,omitempty" json:"stream"`
	DORA   []string `yaml:"dora,omitempty" json:"dora"`
}

// Scoring lists the parts of the company score, each an expression
// evaluated every sprint, the scale of the absolute marks and the weights
// of the final ranking.
type Scoring struct {
	Company []*ScorePart `yaml:"company" json:"company"`
	Marks   MarkScales   `yaml:"marks" json:"marks"`
	Final   FinalWeights `yaml:"final" json:"final"`
}

// MarkScales turn the company score and each team score into marks out of
// 100, the same for every game of the scenario: a company is marked
// against these targets, not against the other companies in the room.
type MarkScales struct {
	Company MarkScale `yaml:"company" json:"company"`
	Dev     MarkScale `yaml:"dev" json:"dev"`
	Ops     MarkScale `yaml:"ops" json:"ops"`
	QA      MarkScale `yaml:"qa" json:"qa"`
	PM      MarkScale `yaml:"pm" json:"pm"`
}

// Get returns the scale of "company" or of a team.
func (m *MarkScales) Get(who string) *MarkScale {
	switch who {
	case "company":
		return &m.Company
	case "dev":
		return &m.Dev
	case "ops":
		return &m.Ops
	case "qa":
		return &m.QA
	case "pm":
		return &m.PM
	}
	return nil
}

// MarkScale maps a score per sprint to a mark: Zero per sprint earns 0,
// Full per sprint earns 100, linearly in between.
type MarkScale struct {
	Zero float64 `yaml:"zero" json:"zero"`
	Full float64 `yaml:"full" json:"full"`
}

// Mark returns the mark (0–100) of a total score over n sprints.
func (m MarkScale) Mark(total float64, n int) float64 {
	if n <= 0 || m.Full == m.Zero {
		return 0
	}
	x := (total/float64(n) - m.Zero) / (m.Full - m.Zero)
	return round4(100 * math.Min(1, math.Max(0, x)))
}

// ScorePart is one part of the company score.
type ScorePart struct {
	ID     string `yaml:"id" json:"id"`
	Name   Text   `yaml:"name" json:"name"`
	Points Expr   `yaml:"points" json:"points"`
}

// FinalWeights weigh the four parts of a team's final mark: its company's
// score, its own team score, the debate ratings it received and its quiz
// result.
type FinalWeights struct {
	Company float64 `yaml:"company" json:"company"`
	Team    float64 `yaml:"team" json:"team"`
	Debate  float64 `yaml:"debate" json:"debate"`
	Quiz    float64 `yaml:"quiz" json:"quiz"`
}
