package game

import "slices"

// The commands a game accepts: every command type, who may send it, in
// which phases, and the function that checks and applies it. Each
// function lives in its concept's file, with its exported argument type
// (e.g. NoteAddArgs for note.add) that clients and tests reuse; Apply
// (command.go) checks the role and phase named here before calling it.
var commandTable = []command{
	// lobby.go, removed.go: creating the game, joining, teams, presence.
	{"game.create", serverOnly, anyPhase, createGame},
	{"player.join", serverOnly, anyPhase, joinPlayer},
	{"player.team", playerOnly, inLobby, chooseTeam},
	{"player.move", facilitatorOnly, anyPhase, reassignPlayer},
	{"player.rename", facilitatorOnly, anyPhase, renamePlayer},
	{"presence.set", serverOnly, anyPhase, setPresence},
	{"player.kick", facilitatorOnly, anyPhase, kickPlayer},
	{"player.readmit", facilitatorOnly, anyPhase, readmitPlayer},
	{"game.close", facilitatorOnly, anyPhase, closeGame},
	// agenda.go: phases and timers.
	{"game.start", facilitatorOnly, anyPhase, startGame},
	{"phase.next", facilitatorOnly, anyPhase, nextPhase},
	{"phase.back", facilitatorOnly, anyPhase, previousPhase},
	{"agenda.set", facilitatorOnly, anyPhase, setAgenda},
	{"timer.pause", facilitatorOnly, anyPhase, pauseTimer},
	{"timer.resume", facilitatorOnly, anyPhase, resumeTimer},
	{"timer.extend", facilitatorOnly, anyPhase, extendTimer},
	{"timer.end", facilitatorOnly, anyPhase, endTimer},
	{"deadline", serverOnly, anyPhase, passDeadline},
	// wall.go, wallgroup.go: the wall of confusion.
	{"note.add", playerOnly, inWall, addNote},
	{"note.hide", facilitatorOnly, anyPhase, hideNote},
	{"note.move", facilitatorOnly, anyPhase, moveNote},
	{"cluster.create", facilitatorOnly, anyPhase, createCluster},
	{"cluster.rename", facilitatorOnly, anyPhase, renameCluster},
	{"cluster.delete", facilitatorOnly, anyPhase, deleteCluster},
	{"cluster.vote", playerOnly, inWall, voteCluster},
	{"cluster.unvote", playerOnly, inWall, unvoteCluster},
	{"notes.group", facilitatorOnly, anyPhase, groupNotes},
	{"cluster.merge", facilitatorOnly, anyPhase, mergeClusters},
	// study.go, evidence.go, quiz.go: worksheets, cited figures, the quiz.
	{"evidence.cite", playerOnly, worksheetPhases, cite},
	{"evidence.remove", playerOnly, worksheetPhases, uncite},
	{"quiz.answer", playerOnly, inStudy, answerQuiz},
	{"card.add", playerOnly, worksheetPhases, addCard},
	{"card.edit", playerOnly, worksheetPhases, editCard},
	{"card.delete", playerOnly, worksheetPhases, deleteCard},
	// sprints.go, postmortems.go: plans, incidents, post-mortems.
	{"postmortem.submit", playerOnly, postmortemPhases, submitPostmortem},
	{"postmortem.review", facilitatorOnly, postmortemPhases, reviewPostmortem},
	{"plan.set", playerOnly, inSprints, setPlan},
	{"plan.ready", playerOnly, inSprints, setPlanReady},
	{"incident.respond", playerOnly, inSprints, respondToIncident},
	// debate.go, questions.go, rebuttal.go, motion.go: the debate.
	{"debate.order", facilitatorOnly, anyPhase, setOrder},
	{"rating.submit", playerOnly, inDebate, submitRating},
	{"debate.bonus", facilitatorOnly, anyPhase, setBonus},
	{"motion.set", facilitatorOnly, anyPhase, setMotion},
	{"motion.open", facilitatorOnly, anyPhase, openMotion},
	{"motion.close", facilitatorOnly, anyPhase, closeMotion},
	{"motion.vote", playerOnly, anyPhase, voteMotion},
	{"question.ask", playerOnly, inDebate, askQuestion},
	{"question.upvote", playerOnly, inDebate, voteQuestion(true)},
	{"question.unvote", playerOnly, inDebate, voteQuestion(false)},
	{"question.take", facilitatorOnly, anyPhase, setQuestionStatus(questionTaken)},
	{"question.dismiss", facilitatorOnly, anyPhase, setQuestionStatus(questionDismissed)},
	{"question.reopen", facilitatorOnly, anyPhase, setQuestionStatus(questionOpen)},
	{"question.hide", facilitatorOnly, anyPhase, hideQuestion},
	{"rebuttal.start", facilitatorOnly, inDebate, startRebuttalCmd},
	{"rebuttal.next", facilitatorOnly, inDebate, nextQuestion},
	{"rebuttal.skip", facilitatorOnly, inDebate, skipRebuttal},
	// exports.go: the report links.
	{"exports.revoke", facilitatorOnly, anyPhase, revokeExports},
}

// Who may send a command, and in which phases (none: any phase).
var (
	facilitatorOnly  = []Role{RoleFacilitator}
	playerOnly       = []Role{RolePlayer}
	serverOnly       = []Role{RoleSystem}
	anyPhase         []string
	inLobby          = []string{KindLobby}
	inWall           = []string{KindWall}
	inStudy          = []string{KindStudy}
	inSprints        = []string{KindSprints}
	inDebate         = []string{KindDebate}
	postmortemPhases = []string{KindSprints, KindDebate, KindRetro}
)

// command is one row of the table.
type command struct {
	// typ names the command, e.g. "note.add".
	typ string
	// roles may send the command.
	roles []Role
	// phases, when not empty, are the phase kinds in which it is allowed.
	phases []string
	// apply validates the command fully and only then changes the state.
	// Returning an error after changing the state is a bug.
	apply func(x *ctx) error
}

// handlers indexes the table by command type.
var handlers = map[string]*command{}

func init() {
	for i := range commandTable {
		c := &commandTable[i]
		if _, dup := handlers[c.typ]; dup {
			panic("game: command listed twice: " + c.typ)
		}
		handlers[c.typ] = c
	}
}

// CommandTypes lists every command type with the roles that may send it.
func CommandTypes() map[string][]Role {
	out := make(map[string][]Role, len(commandTable))
	for _, c := range commandTable {
		out[c.typ] = slices.Clone(c.roles)
	}
	return out
}
