// Package live is the runtime of the games being played: it holds each
// game an instance's clients are in, folded from the game's event log,
// takes their commands, stores them (one round trip per batch), applies
// them, and fans the changes out to the local subscribers (the transport's
// connections), per audience. Several instances may share a store: each
// game then has one writer (owners.go), and every instance holding the
// game applies the entries the store publishes.
//
// # API
//
//	rt, _ := live.New(engine, store, logger, registry, live.Options{Instance: "a"})
//	code, _ := rt.Create(ctx, args, newCode)    // the only way a game is written outside Submit
//	g, _ := rt.Open(ctx, id)                     // loaded at first use
//	ack, _ := g.Submit(ctx, cmd)                 // stored, applied, fanned out, then acked
//	g.Read(func(s *game.State) { ... })          // the stored state, under the game's lock
//	g.Attach(ctx, sub, fromVersion, identify)    // updates for sub's audience until Detach
//
// A command's way: the transport checks who sent it and its envelope
// (package server); the rules check and apply it (game.Engine.Apply, called
// here); the store keeps it (store.Store, here in commit.go); this package
// fans it out (fanout.go) before it answers the sender.
//
// Files, a job each: registry.go (games held, creation, unloading, the
// janitor), game.go (the Game, its API and its goroutine), replica.go
// (load, fold, entries published, catch-up, rebuild and reload), commit.go
// (batches of commands to the store), fanout.go (updates per audience,
// resume, subscribers), encode.go (messages encoded once), timers.go
// (deadlines, store retries), presence.go (who is connected), owners.go
// (one writer per game), errors.go, metrics.go.
//
// # Concurrency contract
//
// Goroutines and what they own:
//
//   - Each loaded game has one goroutine (Game.run). It alone changes the
//     game's state: it commits the queued commands, applies the entries
//     the store publishes, catches up with the stream, reloads and
//     rebuilds the state; with it go the shadow state, the snapshot
//     bookkeeping, the history of recent versions and the audiences' sets
//     of documents known as absent. It records this instance's presence
//     (itself, or through a goroutine of its own when the game may have
//     its owner elsewhere). The only state it does not make is the first,
//     loaded before it starts.
//   - Other goroutines hand it work and wait: Submit queues a command and
//     waits for its outcome; ReadLatest, Attach (when behind) and a
//     command answered by another instance queue a catch-up request; the
//     store's pub/sub goroutine puts published entries in the inbox. All
//     three go through Game.inMu and a wake-up channel, never Game.mu.
//   - Subscribers' goroutines (the transport's connections) change the
//     sets of subscribers (Attach, Detach) under Game.mu and read the state
//     through Read. Subscriber.Send and Revoke are called with Game.mu
//     held, in version order, and must not block.
//   - Runtime.spawn runs, on goroutines Close waits for, what must not
//     hold up the game's goroutine or the store's pub/sub goroutine: a
//     deadline's command, presence sent to another instance, a command
//     another instance sent here. The janitor beats the heart, clears the
//     presence of dead instances and unloads idle games.
//
// Lock order, outermost first (a goroutine holding one may take those after
// it, never those before):
//
//	Runtime.mu → Game.presMu → Game.mu → Game.inMu, Game.ownMu, router.mu, the subscribers' own locks
//
// Game.mu is held for the store's round trip of a batch (so that nobody
// reads a state the store does not hold) and for the catch-ups a commit
// needs; the store is otherwise read without it.
//
// Places where a lock is released in the middle of a call (what each
// checks again once it has it back):
//
//   - Game.work releases Game.mu between batches, and while it waits
//     before retrying commands another instance's append beat.
//   - Game.refresh and Game.reload read the store without Game.mu, then
//     take it and check that the state is still (un)synced and loaded.
//   - Runtime.Open looks the game up under Runtime.mu, then checks under
//     Game.mu that it was not unloaded meanwhile (else looks again).
//   - Game.Attach, when the state lags behind the client, releases
//     Game.mu for the game's goroutine to catch up, then identifies the
//     client again.
//   - Game.syncPresence, with owners: the presence sender holds presMu
//     throughout, takes Game.mu to read the counts, releases it while the
//     commands travel, and takes it again to mark those that failed.
//   - Runtime.sweep reads a game's upkeep under Game.mu and releases it
//     before clearing dead presence (commands) and unloading (which takes
//     Runtime.mu then Game.mu, and checks again that the game is idle).
//   - Game.expire submits the deadline's command without locks, then
//     re-arms a retry under Game.mu only if that timer is still current.
package live
