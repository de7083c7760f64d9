package game

// Sprints is the simulation: planning, resolution, incidents and review,
// sprint after sprint, per company.
type Sprints struct{}
