// Package store keeps games in Redis: per game an append-only stream of
// accepted commands (the truth), an occasional snapshot, and a pub/sub channel
// that fans every new entry out to the server instances holding the game.
//
// The same code talks to a real Redis (REDIS_URL) and to the embedded
// miniredis server used by the zero-config mode; the embedded mode also
// journals every entry to one file per game so that a restart loses nothing.
//
// Key layout (all keys of one game share the hash tag {gameID}, so the
// append and load scripts touch one hash slot and hold on Redis Cluster):
//
//	<prefix>g:{<id>}:log   stream; entry version v has the explicit ID 0-v
//	<prefix>g:{<id>}:snap  hash {v: version, d: snapshot bytes}
//	<prefix>g:{<id>}:meta  hash {code: join code, cexp: code key expiry (ms)}
//	<prefix>g:{<id>}:ch    pub/sub channel; messages are "<version> <data>"
//	<prefix>g:{<id>}:owner string with a TTL: the instance writing the game (see Owners)
//	<prefix>code:<CODE>    string: the game ID a join code points to
//	<prefix>inst:<id>      string with a TTL: a live server instance
//	<prefix>inst:<id>:ch   pub/sub channel: messages to that instance (see Owners)
//
// The join code key cannot share the game's hash slot (it is looked up by
// code alone), so CreateGame's single script is the one place that spans two
// slots: fine on a single Redis node (and miniredis), the supported targets;
// a Cluster port would reserve the code first and undo it on failure.
//
// Game IDs are 1 to 128 characters from [A-Za-z0-9_.-], not starting with a
// dot (they appear in key names and, in embedded mode, in file names). Entry
// data must not contain a newline byte (the embedded journal is line based;
// the rule holds in every mode so that both behave the same).
package store

import (
	"context"
	"time"
)

// Entry is one accepted command as stored in a game's stream.
type Entry struct {
	// Version is the entry's position in the stream, from 1.
	Version int64
	// Data is the encoded command, opaque to the store.
	Data []byte
}

// AppendOptions are the optional extras of one Append, done in the same
// round trip.
type AppendOptions struct {
	// Snapshot, when not nil, is saved as the game's snapshot at this
	// entry's version (replacing an older one).
	Snapshot []byte
	// TTL, when positive, is set as the expiry of all the game's keys
	// (refreshed by an append once it has run down by more than 1 %, or
	// when it is longer than TTL: keys live TTL, give or take 1 %, after
	// the last append). The join code is kept alive at least as
	// long: its key lives 1.5×TTL and is refreshed, by a separate PEXPIRE,
	// only when it would otherwise expire before the game's keys (at most
	// once per TTL/2), since it lives in another hash slot.
	TTL time.Duration
	// Owner, when not "", renews the game's writer lease (see Owners) for
	// OwnerTTL, if nobody holds it, or if Owner does and less than half of
	// OwnerTTL is left: after an append Owner holds the lease for at
	// least OwnerTTL/2, and an owner that keeps writing keeps its lease at
	// no extra round trip.
	Owner    string
	OwnerTTL time.Duration
}

// Store is the persistence the server needs. Implementations are safe for
// concurrent use. Errors that are the caller's business are *apperr.Error
// values with a code (see each method); any other error is an
// infrastructure fault (Redis unreachable…) to be logged and reported as
// internal.
type Store interface {
	// CreateGame reserves code for gameID and appends first as version 1
	// (also published on the game's channel), in one round trip. A positive
	// ttl is the expiry of the game's keys (and 1.5×ttl that of the code).
	// Returns a apperr.EConflict error when the code is already taken or the
	// game already exists; nothing is written then.
	CreateGame(ctx context.Context, gameID, code string, first []byte, ttl time.Duration) error

	// Append stores data as entry number version of the game's stream and
	// publishes it on the game's channel, in one round trip, only if the
	// stream holds exactly version-1 entries. Returns a apperr.EConflict error
	// (and writes nothing) when the stream has moved on, and a
	// apperr.ENotFound error when the game does not exist.
	//
	// Append is idempotent: when entry number version already holds
	// exactly data, it succeeds without writing or publishing anything.
	// So a command retried after a lost reply (go-redis retries on a
	// broken connection, after the script may have run) is stored once
	// and reported as stored, not as a conflict. CreateGame is idempotent
	// in the same way (same game, code and first entry).
	Append(ctx context.Context, gameID string, version int64, data []byte, opts AppendOptions) error

	// Load returns the game's latest snapshot (version 0 and nil when there
	// is none) and every entry after it, in order. Returns a apperr.ENotFound
	// error when the game does not exist.
	Load(ctx context.Context, gameID string) (snapVersion int64, snapshot []byte, entries []Entry, err error)

	// Entries returns the entries with version >= from, in order (possibly
	// none).
	Entries(ctx context.Context, gameID string, from int64) ([]Entry, error)

	// LookupCode returns the game ID a join code points to, or a
	// apperr.ENotFound error. Codes are matched exactly (callers normalise).
	LookupCode(ctx context.Context, code string) (string, error)

	// Subscribe starts delivering the entries published for the given game
	// to the handler given to Watch. It returns once Redis has confirmed the
	// subscription, so every entry appended after Subscribe returns is
	// delivered: subscribe first, then load, and nothing falls in between.
	// Idempotent.
	Subscribe(ctx context.Context, gameID string) error
	// Unsubscribe stops delivering the game's entries. Idempotent.
	Unsubscribe(ctx context.Context, gameID string) error
	// Watch sets the function called for every published entry of a
	// subscribed game, from one goroutine, in the order received. It must
	// be called once, before Subscribe, and the handler must not block
	// for long (hand the entry to the game's own goroutine) nor call
	// Subscribe or Unsubscribe itself.
	//
	// An Entry with Version 0 (and no data) means "you may have missed
	// entries of this game; read the stream": it is delivered for every
	// subscribed game after the pub/sub connection was lost and restored,
	// and for a message that could not be parsed. Pub/sub delivers at
	// most once, so callers also fill any version gap from the stream.
	Watch(handler func(gameID string, e Entry))

	// Heartbeat marks a server instance alive for ttl.
	Heartbeat(ctx context.Context, instanceID string, ttl time.Duration) error
	// Alive reports which of the given instances have a live heartbeat.
	Alive(ctx context.Context, instanceIDs []string) (map[string]bool, error)

	// Ping checks that Redis answers (for readiness).
	Ping(ctx context.Context) error
	// Close releases connections and, for the embedded store, stops the
	// embedded server and closes the journal files.
	Close() error
}
