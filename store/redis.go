package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"devopschallenge/apperr"
)

// The Redis store: connecting, key names, the checks of IDs and data, the
// domain errors, and the small commands (join codes, heartbeats, ping,
// close). The write path is in write.go, the read path in read.go, pub/sub
// in pubsub.go, writer leases in owners.go, the embedded mode in
// embedded.go and its journal in journal.go and restore.go.

// Redis is the Store backed by a Redis server: a real one (New, Open) or the
// embedded miniredis of the zero-config mode (OpenEmbedded), through the
// same go-redis code path.
type Redis struct {
	rdb    redis.UniversalClient
	prefix string
	log    *slog.Logger
	now    func() time.Time

	sub subscriber

	// emb is the embedded server and its journal, nil for a real Redis.
	emb *embedded

	closeOnce sync.Once
	closeErr  error
}

var _ Store = (*Redis)(nil)

// New returns a Store on an existing go-redis client. Keys are prefixed with
// prefix (for instance "dc:"; "" for none). The store owns the client from
// then on: Close closes it. A nil logger discards the store's logs.
func New(client redis.UniversalClient, prefix string, logger *slog.Logger) *Redis {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Redis{rdb: client, prefix: prefix, log: logger, now: time.Now}
	r.sub.init(r)
	return r
}

// Open connects to the Redis server at redisURL (redis://[:password@]host:port[/db]
// or rediss:// for TLS) and checks that it answers, giving up after 5
// seconds unless ctx ends sooner. Each call of the store then ends when
// its context does.
func Open(ctx context.Context, redisURL, prefix string, logger *slog.Logger) (*Redis, error) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("store: invalid Redis URL: %w", err)
	}
	// Every call is bounded by its context (the server gives each store
	// call a budget and reports a store that did not answer in time as
	// unavailable); without this go-redis waits for its own read timeout
	// whatever the context says.
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	if err := ping(ctx, client); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("store: cannot reach Redis at %s (db %d): %w", opt.Addr, opt.DB, err)
	}
	return New(client, prefix, logger), nil
}

// ping checks that the server answers, within 5 seconds at most.
func ping(ctx context.Context, client redis.UniversalClient) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return client.Ping(ctx).Err()
}

// Key names. All the keys of one game carry the hash tag {id}.

func (r *Redis) gameKey(id, suffix string) string {
	return r.prefix + "g:{" + id + "}:" + suffix
}
func (r *Redis) logKey(id string) string    { return r.gameKey(id, "log") }
func (r *Redis) snapKey(id string) string   { return r.gameKey(id, "snap") }
func (r *Redis) metaKey(id string) string   { return r.gameKey(id, "meta") }
func (r *Redis) channel(id string) string   { return r.gameKey(id, "ch") }
func (r *Redis) codeKey(code string) string { return r.prefix + "code:" + code }
func (r *Redis) instKey(inst string) string { return r.prefix + "inst:" + inst }

// validID reports whether id is a valid game ID: 1 to 128 characters from
// [A-Za-z0-9_.-], not starting with a dot.
func validID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Domain errors.

func errGameNotFound() error { return apperr.GameNotFound() }

func errCodeNotFound() error {
	return apperr.Errorf(apperr.ENotFound,
		"No game has this code. Check the code and try again.",
		"Aucune partie n'a ce code. Vérifiez le code et réessayez.")
}

func errCodeTaken() error {
	return apperr.Errorf(apperr.EConflict,
		"This join code is already in use.",
		"Ce code de partie est déjà utilisé.")
}

func errGameExists() error {
	return apperr.Errorf(apperr.EConflict,
		"A game with this ID already exists.",
		"Une partie avec cet identifiant existe déjà.")
}

func errMovedOn(version, length int64) error {
	return apperr.Errorf(apperr.EConflict,
		"The game has moved on (entry %d asked, %d stored); reload it and try again.",
		"La partie a avancé (entrée %d demandée, %d enregistrées) ; rechargez-la et réessayez.",
		version, length)
}

// checkData rejects data the journal could not store as one line.
func checkData(data []byte) error {
	if bytes.IndexByte(data, '\n') >= 0 {
		return errors.New("store: entry data contains a newline byte")
	}
	return nil
}

// LookupCode implements Store.
func (r *Redis) LookupCode(ctx context.Context, code string) (string, error) {
	if code == "" {
		return "", errCodeNotFound()
	}
	id, err := r.rdb.Get(ctx, r.codeKey(code)).Result()
	if errors.Is(err, redis.Nil) {
		return "", errCodeNotFound()
	}
	if err != nil {
		return "", fmt.Errorf("store: look up join code: %w", err)
	}
	return id, nil
}

// Heartbeat implements Store.
func (r *Redis) Heartbeat(ctx context.Context, instanceID string, ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("store: heartbeat needs a positive TTL")
	}
	if err := r.rdb.Set(ctx, r.instKey(instanceID), "1", ttl).Err(); err != nil {
		return fmt.Errorf("store: heartbeat: %w", err)
	}
	return nil
}

// Alive implements Store. It pipelines one EXISTS per instance (one round
// trip on a single node; unlike MGET it also works across Cluster slots).
func (r *Redis) Alive(ctx context.Context, instanceIDs []string) (map[string]bool, error) {
	alive := make(map[string]bool, len(instanceIDs))
	if len(instanceIDs) == 0 {
		return alive, nil
	}
	pipe := r.rdb.Pipeline()
	cmds := make([]*redis.IntCmd, len(instanceIDs))
	for i, id := range instanceIDs {
		cmds[i] = pipe.Exists(ctx, r.instKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: check instances: %w", err)
	}
	for i, id := range instanceIDs {
		alive[id] = cmds[i].Val() > 0
	}
	return alive, nil
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// EmbeddedAddr returns the host:port the embedded Redis server listens on
// (handy with redis-cli), or "" when the store uses an external Redis.
func (r *Redis) EmbeddedAddr() string {
	if r.emb == nil {
		return ""
	}
	return r.emb.m.Addr()
}

// Close implements Store. It stops the pub/sub goroutine (the Watch handler
// is not called once Close has returned), closes the client and, for the
// embedded store, stops the embedded server and closes the journals. Calling
// it again does nothing.
func (r *Redis) Close() error {
	r.closeOnce.Do(func() {
		r.sub.close()
		if r.emb != nil {
			r.emb.stop()
		}
		if err := r.rdb.Close(); err != nil {
			r.closeErr = fmt.Errorf("store: close: %w", err)
		}
		if r.emb != nil {
			r.emb.close()
		}
	})
	return r.closeErr
}
