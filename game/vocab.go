package game

import (
	"maps"
	"slices"
)

// Vocabulary is the domain's words and defaults that clients need to
// build their forms and screens: the kinds of phase (in the default
// agenda's order, with their names and whether the facilitator may go
// back to one), the default agenda, the teams, every command with the
// roles that may send it, and the limits of a form's fields. The browser
// UI has no copy of any of it: it asks the server (GET /api/vocab).
type Vocabulary struct {
	Phases        []PhaseKindInfo   `json:"phases"`
	DefaultAgenda []Phase           `json:"defaultAgenda"`
	Teams         []string          `json:"teams"`
	Commands      map[string][]Role `json:"commands"`
	Limits        VocabLimits       `json:"limits"`
	// Evidence lists the figures a worksheet card can cite.
	Evidence []EvidenceMetric `json:"evidence"`
}

// PhaseKindInfo describes one kind of phase. Defaults is the phase as the
// default agenda has it (or as a new one of this kind starts); the fields
// it sets are the settings of that kind.
type PhaseKindInfo struct {
	Kind     string `json:"kind"`
	Name     Text   `json:"name"`
	Reopen   bool   `json:"reopen"`
	Defaults Phase  `json:"defaults"`
}

// VocabLimits are the bounds the server enforces on what forms send.
type VocabLimits struct {
	Phases          int `json:"phases"`
	Minutes         int `json:"minutes"`
	Sprints         int `json:"sprints"`
	IncidentMinutes int `json:"incidentMinutes"`
	RebuttalMinutes int `json:"rebuttalMinutes"`
	Companies       int `json:"companies"`
	Title           int `json:"title"`
	Nickname        int `json:"nickname"`
	NoteText        int `json:"noteText"`
	ClusterName     int `json:"clusterName"`
	Clusters        int `json:"clusters"`
}

// Vocab returns the domain's vocabulary (a fresh copy each call).
func Vocab() Vocabulary {
	agenda := DefaultAgenda()
	v := Vocabulary{
		DefaultAgenda: agenda,
		Teams:         slices.Clone(Teams),
		Commands:      CommandTypes(),
		Limits: VocabLimits{Phases: maxPhases, Minutes: maxMinutes, Sprints: maxSprints, IncidentMinutes: maxIncidentMn, RebuttalMinutes: maxRebuttalMn,
			Companies: MaxCompanies, Title: MaxTitle, Nickname: MaxNickname, NoteText: MaxNoteText,
			ClusterName: MaxClusterName, Clusters: MaxClusters},
		Evidence: EvidenceMetrics(),
	}
	seen := map[string]bool{}
	add := func(p Phase) {
		k, ok := phaseKinds[p.Kind]
		if !ok || seen[p.Kind] {
			return
		}
		seen[p.Kind] = true
		v.Phases = append(v.Phases, PhaseKindInfo{Kind: p.Kind, Name: Text{EN: k.en, FR: k.fr}, Reopen: k.reopen, Defaults: p})
	}
	for _, p := range agenda {
		add(p)
	}
	// Kinds the default agenda leaves out come last, in name order.
	for _, kind := range slices.Sorted(maps.Keys(phaseKinds)) {
		add(Phase{Kind: kind})
	}
	return v
}
