// Package protocol defines the messages exchanged over the WebSocket and the
// HTTP API, shared by the server and the Go client. docs/protocol.md
// describes them with a complete example session.
package protocol

import "encoding/json"

// Subprotocol is the WebSocket subprotocol name clients should offer.
const Subprotocol = "devops-challenge.v1"

// Message types.
const (
	// Client to server.
	TypeHello = "hello" // first message: the token and the last version seen
	TypeCmd   = "cmd"   // a command
	TypePing  = "ping"  // a heartbeat, exactly {"type":"ping"}: answered with a pong
	// Server to client.
	TypeSnapshot = "snapshot" // every document the client may see
	TypeUpdate   = "update"   // the documents that changed since the client's version
	TypeAck      = "ack"      // a command was accepted (or had been already)
	TypeError    = "error"    // a command or the hello was refused
	TypePong     = "pong"     // the answer to a ping, with the server's time
)

// Close codes the server uses besides the standard ones. A client must not
// reconnect after CloseRevoked.
const (
	// CloseRevoked: the token is unknown, wrong or was revoked (kicked).
	CloseRevoked = 4001
	// CloseBadHello: the first message was not a valid hello.
	CloseBadHello = 4002
	// CloseTooSlow: the client did not read its messages fast enough.
	CloseTooSlow = 4008
)

// In is any message a client sends; Type says which fields are used.
type In struct {
	Type string `json:"type"`
	// Hello.
	Token   string `json:"token,omitempty"`
	Version int64  `json:"version,omitempty"`
	// Cmd.
	ID   string          `json:"id,omitempty"`
	Cmd  string          `json:"cmd,omitempty"`
	Args json.RawMessage `json:"args,omitempty"`
}

// You describes who the connection is.
type You struct {
	Role     string `json:"role"`
	PlayerID string `json:"playerId,omitempty"`
	Company  int    `json:"company,omitempty"`
	Team     string `json:"team,omitempty"`
}

// Out is any message the server sends.
type Out struct {
	Type string `json:"type"`
	// Version is the game version the snapshot or update brings the client
	// to, or at which an acked command was applied.
	Version int64 `json:"version,omitempty"`
	// Now is the server time in Unix milliseconds (to correct clock skew
	// in countdowns).
	Now int64 `json:"now,omitempty"`
	// You, on snapshots.
	You *You `json:"you,omitempty"`
	// Docs: on a snapshot every visible document; on an update the changed
	// ones, null meaning deleted or no longer visible.
	Docs map[string]any `json:"docs,omitempty"`
	// ID of the command acked or refused.
	ID string `json:"id,omitempty"`
	// Result of an acked command.
	Result map[string]any `json:"result,omitempty"`
	// Error.
	Code      string `json:"code,omitempty"`
	Message   string `json:"message,omitempty"`
	MessageFR string `json:"messageFr,omitempty"`
}

// CreateGameRequest is the body of POST /api/games. Every field is
// optional.
type CreateGameRequest struct {
	Title      string          `json:"title,omitempty"`
	Scenario   string          `json:"scenario,omitempty"`
	Companies  int             `json:"companies,omitempty"`
	TeamCap    int             `json:"teamCap,omitempty"`
	Assignment string          `json:"assignment,omitempty"`
	Lang       string          `json:"lang,omitempty"`
	Agenda     json.RawMessage `json:"agenda,omitempty"`
}

// CreateGameResponse is the answer to POST /api/games.
type CreateGameResponse struct {
	GameID           string `json:"gameId"`
	Code             string `json:"code"`
	FacilitatorToken string `json:"facilitatorToken"`
	ProjectorToken   string `json:"projectorToken"`
}

// JoinRequest is the body of POST /api/games/join.
type JoinRequest struct {
	Code     string `json:"code"`
	Nickname string `json:"nickname"`
	Team     string `json:"team,omitempty"`
}

// JoinResponse is the answer to POST /api/games/join.
type JoinResponse struct {
	GameID      string `json:"gameId"`
	PlayerID    string `json:"playerId"`
	PlayerToken string `json:"playerToken"`
	Team        string `json:"team"`
	Company     int    `json:"company"`
}

// SnapshotResponse is the answer to GET /api/games/{id}.
type SnapshotResponse struct {
	Version int64          `json:"version"`
	You     You            `json:"you"`
	Docs    map[string]any `json:"docs"`
}

// ErrorResponse is the body of every HTTP error.
type ErrorResponse struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageFR string `json:"messageFr"`
}

// ExportLinks is the answer to POST /api/games/:id/exports: signed links
// to the game's exports, valid until ExpiresAt (ms since the epoch) or
// until the facilitator revokes them.
type ExportLinks struct {
	ExpiresAt int64             `json:"expiresAt"`
	Links     map[string]string `json:"links"`
}
