// Package game is the domain of DevOps Challenge: a game's state, the
// commands that change it, who may send which command in which phase, and
// what each audience may see. It does no I/O and imports no HTTP, WebSocket
// or Redis package, so every rule is testable without a network.
//
// A game's state is the fold of its event log: Apply takes a state and an
// accepted command (stamped by the server with its actor and time) and
// changes the state, or returns an *Error and leaves the state untouched.
// Randomness comes from the game's seed and the command's version, and time
// from the command, so folding the same commands always gives the same state.
//
// Every command is a row of one table, commandTable in commands.go: its
// name, who may send it, in which phases, and the named function that
// checks and applies it, which lives in its concept's file (addNote in
// wall.go for note.add) with its exported argument type (NoteAddArgs).
// What some commands answer is in acks.go (NoteAddResult, …); clients,
// tests and the load generator use these types and the exported document
// types (GameDoc, SprintDoc, OptionsDoc, …) rather than copies.
//
// What clients see is a set of small JSON documents keyed by name ("game",
// "player/p3", "note/n12", "me", …). A View holds the documents one audience
// may see; Apply reports which documents a command touched, so the server
// sends each audience only the documents that changed.
package game
