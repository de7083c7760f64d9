package rules

// metricUnit is how a metric's changes are told.
type metricUnit int

const (
	unitValue   metricUnit = iota // a plain number
	unitHours                     // a time, told in minutes, hours or days
	unitDeploys                   // deployments a day, a week or a month
	unitPoints                    // a rate, told in percentage points
	unitChange                    // change points
)

// metricDef describes an outcome the explanations tell: its id, label,
// value in Metrics, direction, unit and DORA tier.
type metricDef struct {
	id          string
	label       Text
	get         func(*Metrics) float64
	lowerBetter bool
	unit        metricUnit
	tier        func(Tiers) Tier
}

// metricDefs are the outcomes the explanations tell, in the order told.
var metricDefs = []metricDef{
	{"leadTimeHours", Text{"lead time for changes", "délai de mise en production (lead time)"}, func(m *Metrics) float64 { return m.LeadTimeHours }, true, unitHours, func(t Tiers) Tier { return t.LeadTime }},
	{"deploysPerDay", Text{"deployment frequency", "fréquence de déploiement"}, func(m *Metrics) float64 { return m.DeploysPerDay }, false, unitDeploys, func(t Tiers) Tier { return t.DeployFrequency }},
	{"changeFailureRate", Text{"change failure rate", "taux d'échec des changements"}, func(m *Metrics) float64 { return m.ChangeFailureRate }, true, unitPoints, func(t Tiers) Tier { return t.ChangeFailureRate }},
	{"timeToRestoreHours", Text{"failed deployment recovery time", "temps de rétablissement après un déploiement raté"}, func(m *Metrics) float64 { return m.TimeToRestoreHours }, true, unitHours, func(t Tiers) Tier { return t.TimeToRestore }},
	{"availability", Text{"availability", "disponibilité"}, func(m *Metrics) float64 { return m.Availability }, false, unitPoints, nil},
	{"downtimeHours", Text{"downtime", "temps de panne"}, func(m *Metrics) float64 { return m.DowntimeHours }, true, unitHours, nil},
	{"batchSize", Text{"size of a deployment", "taille d'un déploiement"}, func(m *Metrics) float64 { return m.BatchSize }, true, unitChange, nil},
	{"incidentHours", Text{"incident restore time", "temps de restauration après incident"}, func(m *Metrics) float64 { return m.IncidentHours }, true, unitHours, nil},
	{"exposureHours", Text{"exposure to a vulnerability", "exposition à une vulnérabilité"}, func(m *Metrics) float64 { return m.ExposureHours }, true, unitHours, nil},
	{"value", Text{"business value delivered", "valeur métier livrée"}, func(m *Metrics) float64 { return m.Value }, false, unitValue, nil},
}

// metricDefOf returns the definition of metric id (a bare one for an
// unknown id).
func metricDefOf(id string) metricDef {
	for _, d := range metricDefs {
		if d.id == id {
			return d
		}
	}
	return metricDef{id: id, label: Text{id, id}, get: func(*Metrics) float64 { return 0 }}
}

// incidentMetric reports whether a metric counts an incident (so that
// last sprint's incident, now over, is what changed it).
func incidentMetric(id string) bool {
	switch id {
	case "downtimeHours", "availability", "incidentHours", "exposureHours":
		return true
	}
	return false
}
