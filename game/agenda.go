package game

import "slices"

// Phase kinds, in the order of the default agenda.
const (
	KindLobby   = "lobby"
	KindWall    = "wall"
	KindStudy   = "study"
	KindSprints = "sprints"
	KindDebate  = "debate"
	KindRetro   = "retro"
)

// Phase is one step of the agenda.
type Phase struct {
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Minutes is the phase's planned duration (0: no timer). For sprints it
	// is the planning time of each sprint.
	Minutes int `json:"minutes"`
	// Sprints is the number of sprints of a sprints phase.
	Sprints int `json:"sprints,omitempty"`
	// IncidentMinutes is the response time given for an incident (sprints).
	IncidentMinutes int `json:"incidentMinutes,omitempty"`
	// Silo hides other teams' plans during the first sprint (sprints).
	Silo bool `json:"silo,omitempty"`
	// Quiz adds the quiz to a study phase.
	Quiz bool `json:"quiz,omitempty"`
	// RebuttalMinutes is the time a team of a debate gets to answer its
	// best-voted questions after presenting (0: no rebuttal turn).
	RebuttalMinutes int `json:"rebuttalMinutes,omitempty"`
}

// phaseKind is the behaviour of one kind of phase.
type phaseKind struct {
	// name in English and French, for messages.
	en, fr string
	// reopen: the facilitator may go back to a phase of this kind.
	reopen bool
	// enter prepares the phase's state when it becomes current; it cannot
	// fail (everything it needs was validated with the agenda).
	enter func(x *ctx)
	// leave runs when the phase stops being current (next or back).
	leave func(x *ctx)
	// deadline runs when the current timer of the phase expires (or the
	// facilitator ends it early). By default the timer just stops.
	deadline func(x *ctx)
	// next, when set, handles "phase.next" inside the phase (e.g. the next
	// step of a sprint); it returns false to let the agenda move on.
	next func(x *ctx) (bool, error)
	// validate checks a phase's settings in an agenda.
	validate func(p Phase) error
}

var phaseKinds = map[string]*phaseKind{
	KindLobby:   {en: "lobby", fr: "salle d'attente"},
	KindWall:    {en: "wall of confusion", fr: "mur de la confusion", reopen: true},
	KindStudy:   {en: "study", fr: "étude", reopen: true},
	KindSprints: {en: "sprints", fr: "sprints"},
	KindDebate:  {en: "debate", fr: "débat", reopen: true},
	KindRetro:   {en: "retrospective", fr: "rétrospective", reopen: true},
}

func phaseName(kind, lang string) string {
	k, ok := phaseKinds[kind]
	if !ok {
		return kind
	}
	if lang == "fr" {
		return k.fr
	}
	return k.en
}

// DefaultAgenda is the agenda of a game created without one.
func DefaultAgenda() []Phase {
	return []Phase{
		{Kind: KindLobby},
		{Kind: KindWall, Minutes: 10},
		{Kind: KindStudy, Minutes: 20, Quiz: true},
		{Kind: KindSprints, Minutes: 4, Sprints: 6, IncidentMinutes: 2, Silo: true},
		{Kind: KindDebate, Minutes: 5, RebuttalMinutes: 2},
		{Kind: KindRetro},
	}
}

// Limits of an agenda.
const (
	maxPhases     = 20
	maxMinutes    = 240
	maxSprints    = 12
	maxIncidentMn = 30
)

// validateAgenda checks the phases the facilitator asks for; the first must
// be the lobby only when first is true (a whole agenda at creation).
func validateAgenda(phases []Phase, whole bool) error {
	if len(phases) > maxPhases {
		return invalid("An agenda has at most %d phases.", "Un programme a au plus %d phases.", maxPhases)
	}
	if whole && (len(phases) == 0 || phases[0].Kind != KindLobby) {
		return invalid("The agenda must start with the lobby.", "Le programme doit commencer par la salle d'attente.")
	}
	for i, p := range phases {
		k, ok := phaseKinds[p.Kind]
		if !ok {
			return invalid("Phase %d: unknown kind %q (use wall, study, sprints, debate or retro).",
				"Phase %d : type « %s » inconnu (utilisez wall, study, sprints, debate ou retro).", i+1, p.Kind)
		}
		if p.Kind == KindLobby && (i > 0 || !whole) {
			return invalid("The lobby can only be the first phase.", "La salle d'attente ne peut être que la première phase.")
		}
		if p.Minutes < 0 || p.Minutes > maxMinutes {
			return invalid("Phase %d: minutes must be between 0 and %d.", "Phase %d : la durée doit être entre 0 et %d minutes.", i+1, maxMinutes)
		}
		if p.Kind == KindSprints {
			if p.Sprints < 1 || p.Sprints > maxSprints {
				return invalid("Phase %d: the number of sprints must be between 1 and %d.",
					"Phase %d : le nombre de sprints doit être entre 1 et %d.", i+1, maxSprints)
			}
			if p.IncidentMinutes < 0 || p.IncidentMinutes > maxIncidentMn {
				return invalid("Phase %d: the incident response time must be between 0 and %d minutes.",
					"Phase %d : le temps de réponse aux incidents doit être entre 0 et %d minutes.", i+1, maxIncidentMn)
			}
		} else if p.Sprints != 0 || p.IncidentMinutes != 0 || p.Silo {
			return invalid("Phase %d: sprints, incidentMinutes and silo only apply to a sprints phase.",
				"Phase %d : sprints, incidentMinutes et silo ne s'appliquent qu'à une phase de sprints.", i+1)
		}
		if p.RebuttalMinutes != 0 && p.Kind != KindDebate {
			return invalid("Phase %d: rebuttalMinutes only applies to a debate phase.",
				"Phase %d : rebuttalMinutes ne s'applique qu'à une phase de débat.", i+1)
		}
		if p.Quiz && p.Kind != KindStudy {
			return invalid("Phase %d: the quiz belongs to a study phase.", "Phase %d : le quiz fait partie d'une phase d'étude.", i+1)
		}
		if k.validate != nil {
			if err := k.validate(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// startClock arms the timer for the given number of milliseconds from now.
func (x *ctx) startClock(ms int64) {
	seq := x.s.Clock.Seq + 1
	if ms <= 0 {
		x.s.Clock = Clock{Seq: seq}
	} else {
		x.s.Clock = Clock{DeadlineMs: x.c.At + ms, Seq: seq}
	}
	x.ch.touch("game")
}

// stopClock clears the timer.
func (x *ctx) stopClock() {
	x.s.Clock = Clock{Seq: x.s.Clock.Seq + 1}
	x.ch.touch("game")
}

// enterPhase makes agenda position i current and runs its enter hook.
func (x *ctx) enterPhase(i int) {
	if ph := x.s.CurrentPhase(); ph != nil {
		if k := phaseKinds[ph.Kind]; k.leave != nil {
			k.leave(x)
		}
	}
	x.s.Phase = i
	ph := &x.s.Agenda[i]
	x.startClock(int64(ph.Minutes) * 60_000)
	if k := phaseKinds[ph.Kind]; k.enter != nil {
		k.enter(x)
	}
	x.ch.touch("game")
	for _, h := range phaseChangeHooks {
		h(x)
	}
}

func (x *ctx) finish() {
	if ph := x.s.CurrentPhase(); ph != nil {
		if k := phaseKinds[ph.Kind]; k.leave != nil {
			k.leave(x)
		}
	}
	x.s.Status = StatusFinished
	x.stopClock()
	x.ch.Finished = true
	for _, h := range phaseChangeHooks {
		h(x)
	}
}

// expire stops the timer and runs the current phase's deadline behaviour.
func (x *ctx) expire() {
	x.stopClock()
	if k := phaseKinds[x.s.CurrentPhase().Kind]; k.deadline != nil {
		k.deadline(x)
	}
}

func (x *ctx) requireRunning() error {
	switch x.s.Status {
	case StatusLobby:
		return Errorf(EConflict, "The game has not started yet.", "La partie n'a pas encore commencé.")
	case StatusFinished:
		return errFinished()
	}
	return nil
}

func errFinished() error {
	return Errorf(EConflict, "This game is over.", "Cette partie est terminée.")
}

func startGame(x *ctx) error {
	if x.s.Status != StatusLobby {
		return Errorf(EConflict, "The game has already started.", "La partie a déjà commencé.")
	}
	if len(x.s.Agenda) < 2 {
		return Errorf(EConflict, "The agenda has no phase after the lobby; add one first.",
			"Le programme n'a aucune phase après la salle d'attente ; ajoutez-en une d'abord.")
	}
	x.s.Status = StatusRunning
	x.enterPhase(1)
	return nil
}

func nextPhase(x *ctx) error {
	if err := x.requireRunning(); err != nil {
		return err
	}
	if k := phaseKinds[x.s.CurrentPhase().Kind]; k.next != nil {
		handled, err := k.next(x)
		if err != nil || handled {
			return err
		}
	}
	if x.s.Phase+1 >= len(x.s.Agenda) {
		x.finish()
		return nil
	}
	x.enterPhase(x.s.Phase + 1)
	return nil
}

func previousPhase(x *ctx) error {
	if err := x.requireRunning(); err != nil {
		return err
	}
	if x.s.Phase <= 1 {
		return Errorf(EConflict, "There is no earlier phase to go back to.", "Il n'y a pas de phase précédente.")
	}
	prev := x.s.Agenda[x.s.Phase-1]
	if !phaseKinds[prev.Kind].reopen {
		return Errorf(EConflict, "You cannot go back to the %[1]s: their results are final.",
			"Impossible de revenir aux %[2]s : leurs résultats sont définitifs.", phaseName(prev.Kind, "en"), phaseName(prev.Kind, "fr"))
	}
	x.enterPhase(x.s.Phase - 1)
	return nil
}

// AgendaSetArgs are the arguments of agenda.set.
type AgendaSetArgs struct {
	Upcoming []Phase `json:"upcoming"`
}

func setAgenda(x *ctx) error {
	var a AgendaSetArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if x.s.Status == StatusFinished {
		return errFinished()
	}
	if err := validateAgenda(a.Upcoming, false); err != nil {
		return err
	}
	keep := x.s.Phase + 1
	if len(a.Upcoming)+keep > maxPhases {
		return invalid("An agenda has at most %d phases.", "Un programme a au plus %d phases.", maxPhases)
	}
	x.s.Agenda = append(slices.Clone(x.s.Agenda[:keep]), a.Upcoming...)
	x.ch.touch("game")
	return nil
}

func pauseTimer(x *ctx) error {
	if err := x.requireRunning(); err != nil {
		return err
	}
	c := x.s.Clock
	if c.Paused || c.DeadlineMs == 0 {
		return Errorf(EConflict, "No timer is running.", "Aucun minuteur ne tourne.")
	}
	x.s.Clock = Clock{Paused: true, RemainingMs: max(c.DeadlineMs-x.c.At, 0), Seq: c.Seq + 1}
	x.ch.touch("game")
	return nil
}

func resumeTimer(x *ctx) error {
	if err := x.requireRunning(); err != nil {
		return err
	}
	c := x.s.Clock
	if !c.Paused {
		return Errorf(EConflict, "The timer is not paused.", "Le minuteur n'est pas en pause.")
	}
	x.s.Clock = Clock{DeadlineMs: x.c.At + c.RemainingMs, Seq: c.Seq + 1}
	x.ch.touch("game")
	return nil
}

// TimerExtendArgs are the arguments of timer.extend.
type TimerExtendArgs struct {
	Seconds int64 `json:"seconds"`
}

func extendTimer(x *ctx) error {
	var a TimerExtendArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if err := x.requireRunning(); err != nil {
		return err
	}
	if a.Seconds < 1 || a.Seconds > 3600 {
		return invalid("Extend by 1 to 3600 seconds.", "Prolongez de 1 à 3 600 secondes.")
	}
	c := x.s.Clock
	switch {
	case c.Paused:
		c.RemainingMs += a.Seconds * 1000
	case c.DeadlineMs > x.c.At:
		c.DeadlineMs += a.Seconds * 1000
	default: // no timer or expired: start one
		c = Clock{DeadlineMs: x.c.At + a.Seconds*1000}
	}
	c.Seq = x.s.Clock.Seq + 1
	x.s.Clock = c
	x.ch.touch("game")
	return nil
}

// phase.end ends the current timer now, with the same effect as its
// expiry (e.g. planning closes and the sprint is resolved).
func endTimer(x *ctx) error {
	if err := x.requireRunning(); err != nil {
		return err
	}
	x.expire()
	return nil
}

// DeadlineArgs are the arguments of deadline.
type DeadlineArgs struct {
	Seq int64 `json:"seq"`
}

// deadline is sent by the server when a timer expires; it names the
// timer by its sequence number so that it takes effect once.
func passDeadline(x *ctx) error {
	var a DeadlineArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	c := x.s.Clock
	if x.s.Status != StatusRunning || c.Seq != a.Seq || c.Paused || c.DeadlineMs == 0 || x.c.At < c.DeadlineMs {
		return Errorf(EConflict, "This timer has already ended or changed.", "Ce minuteur est déjà terminé ou a changé.")
	}
	x.expire()
	return nil
}
