package rules

// Metrics are the outcomes of one sprint for one company. Times are in
// hours unless the name says otherwise; rates are shares between 0 and 1.
type Metrics struct {
	// LeadTimeHours is the lead time for changes: commit to production.
	LeadTimeHours float64 `json:"leadTimeHours" expr:"leadTimeHours"`
	// DeploysPerDay is the deployment frequency.
	DeploysPerDay float64 `json:"deploysPerDay" expr:"deploysPerDay"`
	// DeploysPerSprint is the number of deployments in the sprint.
	DeploysPerSprint float64 `json:"deploysPerSprint" expr:"deploysPerSprint"`
	// ChangeFailureRate is the share of deployments that cause a failure.
	ChangeFailureRate float64 `json:"changeFailureRate" expr:"changeFailureRate"`
	// FailedDeployments is the expected number of failed deployments.
	FailedDeployments float64 `json:"failedDeployments" expr:"failedDeployments"`
	// TimeToDetectMinutes is how long a failure goes unnoticed (MTTD).
	TimeToDetectMinutes float64 `json:"timeToDetectMinutes" expr:"timeToDetectMinutes"`
	// TimeToRestoreHours is the time to restore service after a failed
	// deployment (DORA's failed deployment recovery time). Incidents are
	// told apart in IncidentHours: they never change it.
	TimeToRestoreHours float64 `json:"timeToRestoreHours" expr:"timeToRestoreHours"`
	// BatchSize is the change work one deployment carries, in change
	// points: the sprint's work divided by its deployments.
	BatchSize float64 `json:"batchSize" expr:"batchSize"`
	// IncidentHours is how long the sprint's incident took to restore
	// (detection, decision and repair), 0 without an outage.
	IncidentHours float64 `json:"incidentHours" expr:"incidentHours"`
	// ExposureHours is how long the shop stayed open to a published
	// vulnerability before the patch was in (time to patch).
	ExposureHours float64 `json:"exposureHours" expr:"exposureHours"`
	// DowntimeMinutes counts minutes of full outage: a failure that hits
	// half of the customers for an hour counts 30 minutes.
	DowntimeMinutes float64 `json:"downtimeMinutes" expr:"downtimeMinutes"`
	// DowntimeHours is DowntimeMinutes in hours.
	DowntimeHours float64 `json:"downtimeHours" expr:"downtimeHours"`
	// Availability is the share of the sprint the shop was fully up.
	Availability float64 `json:"availability" expr:"availability"`
	// FeaturesBuilt is the number of feature points built in the sprint.
	FeaturesBuilt float64 `json:"featuresBuilt" expr:"featuresBuilt"`
	// FeaturesShipped is the number of feature points that reached
	// customers in the sprint (built now or waiting from earlier sprints).
	FeaturesShipped float64 `json:"featuresShipped" expr:"featuresShipped"`
	// Waiting is the number of feature points built but not shipped yet.
	Waiting float64 `json:"waiting" expr:"waiting"`
	// Value is the business value delivered: shipped points discounted by
	// the cost of delay.
	Value float64 `json:"value" expr:"value"`
	// FlowEfficiency is the share of the lead-time stages spent working
	// rather than waiting.
	FlowEfficiency float64 `json:"flowEfficiency" expr:"flowEfficiency"`
	// WIP is the number of changes in progress at once.
	WIP float64 `json:"wip" expr:"wip"`
	// Learning is the learning earned in the sprint (practices and
	// post-mortems).
	Learning float64 `json:"learning" expr:"learning"`
	// Debt is the technical debt at the end of the sprint (0–100).
	Debt float64 `json:"debt" expr:"debt"`
	// Bottleneck is the id of the slowest stage of the value stream.
	Bottleneck string `json:"bottleneck" expr:"bottleneck"`
}

// Tier is a DORA performance tier.
type Tier string

// The four DORA tiers, from best to worst.
const (
	Elite  Tier = "elite"
	High   Tier = "high"
	Medium Tier = "medium"
	Low    Tier = "low"
)

// Points returns 3 for elite, 2 for high, 1 for medium and 0 for low.
func (t Tier) Points() int {
	switch t {
	case Elite:
		return 3
	case High:
		return 2
	case Medium:
		return 1
	}
	return 0
}

// Label returns the tier's name in both languages.
func (t Tier) Label() Text {
	switch t {
	case Elite:
		return Text{"elite", "élite"}
	case High:
		return Text{"high", "élevé"}
	case Medium:
		return Text{"medium", "moyen"}
	}
	return Text{"low", "faible"}
}

// Tiers holds the DORA tier of each of the four metrics.
type Tiers struct {
	LeadTime          Tier `json:"leadTime"`
	DeployFrequency   Tier `json:"deployFrequency"`
	ChangeFailureRate Tier `json:"changeFailureRate"`
	TimeToRestore     Tier `json:"timeToRestore"`
}

// All returns the four tiers in the order lead time, deployment frequency,
// change failure rate, time to restore.
func (t Tiers) All() [4]Tier {
	return [4]Tier{t.LeadTime, t.DeployFrequency, t.ChangeFailureRate, t.TimeToRestore}
}

func lowerTier(v float64, l TierLimits) Tier {
	switch {
	case v < l.Elite:
		return Elite
	case v < l.High:
		return High
	case v < l.Medium:
		return Medium
	}
	return Low
}

func higherTier(v float64, l TierLimits) Tier {
	switch {
	case v >= l.Elite:
		return Elite
	case v >= l.High:
		return High
	case v >= l.Medium:
		return Medium
	}
	return Low
}

// TiersOf returns the DORA tiers of a sprint's metrics under the scenario's
// thresholds.
func (s *Scenario) TiersOf(m Metrics) Tiers {
	return Tiers{
		LeadTime:          lowerTier(m.LeadTimeHours, s.DORA.LeadTimeHours),
		DeployFrequency:   higherTier(m.DeploysPerDay, s.DORA.DeploysPerDay),
		ChangeFailureRate: lowerTier(m.ChangeFailureRate, s.DORA.ChangeFailureRate),
		TimeToRestore:     lowerTier(m.TimeToRestoreHours, s.DORA.TimeToRestoreHours),
	}
}

// CALMS is the maturity of each pillar, from 0 to 5.
type CALMS struct {
	Culture     float64 `json:"culture" expr:"culture"`
	Automation  float64 `json:"automation" expr:"automation"`
	Lean        float64 `json:"lean" expr:"lean"`
	Measurement float64 `json:"measurement" expr:"measurement"`
	Sharing     float64 `json:"sharing" expr:"sharing"`
}

// Get returns the maturity of a pillar by name.
func (c CALMS) Get(pillar string) float64 {
	switch pillar {
	case "culture":
		return c.Culture
	case "automation":
		return c.Automation
	case "lean":
		return c.Lean
	case "measurement":
		return c.Measurement
	case "sharing":
		return c.Sharing
	}
	return 0
}

func (c *CALMS) add(pillar string, v float64) {
	clamp := func(x float64) float64 { return round4(min(5, max(0, x))) }
	switch pillar {
	case "culture":
		c.Culture = clamp(c.Culture + v)
	case "automation":
		c.Automation = clamp(c.Automation + v)
	case "lean":
		c.Lean = clamp(c.Lean + v)
	case "measurement":
		c.Measurement = clamp(c.Measurement + v)
	case "sharing":
		c.Sharing = clamp(c.Sharing + v)
	}
}

// StageTime is one stage of the value stream in a sprint.
type StageTime struct {
	Stage   string  `json:"stage"`
	Process float64 `json:"process"`
	Wait    float64 `json:"wait"`
	// Time is Process + Wait: a change batch leaves the stage every Time
	// hours at best.
	Time float64 `json:"time"`
}

// Cluster returns the 2024 Accelerate State of DevOps cluster a sprint's
// tiers resemble: the tier most of the four metrics fall in, the lower one
// on a tie (a company is as good as its weaker metrics).
func (t Tiers) Cluster() Tier {
	count := [4]int{}
	for _, x := range t.All() {
		count[x.Points()]++
	}
	best := 0
	for p := 1; p < 4; p++ {
		if count[p] > count[best] {
			best = p
		}
	}
	return [4]Tier{Low, Medium, High, Elite}[best]
}

// ClusterShare is the share of the teams surveyed in 2024 that fall in
// each cluster, in percent (reference/dora.md).
func ClusterShare(t Tier) int {
	switch t {
	case Elite:
		return 19
	case High:
		return 22
	case Medium:
		return 35
	}
	return 25
}
