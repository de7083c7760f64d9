package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"devopschallenge/apperr"
)

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

// createScript reserves the code and creates the stream with entry 0-1.
//
// KEYS: code key, log, meta. ARGV: game ID, data, ttl ms (0: none), code
// ttl ms, cexp (code expiry, unix ms, 0: none), channel, code.
// Returns 0 on success, 1 when the code is taken, 2 when the game exists,
// 3 when it exists exactly as this call would create it (a replay: go-redis
// retries a command whose reply was lost, after it ran).
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('HGET', KEYS[3], 'code') == ARGV[7] then
    local e = redis.call('XRANGE', KEYS[2], '0-1', '0-1')
    if e[1] and e[1][2][2] == ARGV[2] then return 3 end
  end
  return 2
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 1 end
redis.call('XADD', KEYS[2], '0-1', 'd', ARGV[2])
redis.call('HSET', KEYS[3], 'code', ARGV[7], 'cexp', ARGV[5])
if tonumber(ARGV[3]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
redis.call('PUBLISH', ARGV[6], '1 ' .. ARGV[2])
return 0
`)

// appendBatchScript appends entries first..first+n-1 (IDs 0-<version>),
// all or none, if the stream holds first-1 entries; saves the snapshot
// (taken at version snapV of the batch), refreshes the TTLs once they have
// run down by 1 % and the lease once less than half of it is left (so that
// most appends write, and feed the AOF, one command), and publishes each
// entry, in order.
//
// KEYS: log, snap, meta, owner. ARGV: first, n, has snapshot ("1"/"0"),
// snapV, snapshot, ttl ms (0: keep), now (unix ms), channel, data1, …,
// dataN, lease owner ("": none), lease ttl ms.
// Returns {0, ""} when the game does not exist, {-1, length} when the
// stream is not at first-1, {1, code} on success where code is the join
// code whose key the caller must PEXPIRE to 1.5×ttl ("" when not needed),
// and {2, code} when entry first already holds exactly data1 and the
// stream holds the whole batch (a replay of this append: go-redis retries
// a command whose reply was lost, after it ran), with the code to refresh
// when ttl > 0.
var appendBatchScript = redis.NewScript(`
local len = redis.call('XLEN', KEYS[1])
if len == 0 then return {0, ''} end
local first = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
if len ~= first - 1 then
  if first >= 1 and len >= first + n - 1 then
    local e = redis.call('XRANGE', KEYS[1], '0-' .. ARGV[1], '0-' .. ARGV[1])
    if e[1] and e[1][2][2] == ARGV[9] then
      local code = ''
      if tonumber(ARGV[6]) > 0 then code = redis.call('HGET', KEYS[3], 'code') or '' end
      return {2, code}
    end
  end
  return {-1, len}
end
for i = 1, n do
  redis.call('XADD', KEYS[1], string.format('0-%d', first + i - 1), 'd', ARGV[8 + i])
end
local ttl = tonumber(ARGV[6])
local code = ''
if ttl > 0 then
  local left = redis.call('PTTL', KEYS[1])
  if left > ttl or left < ttl - math.floor(ttl / 100) then
    redis.call('PEXPIRE', KEYS[1], ARGV[6])
    redis.call('PEXPIRE', KEYS[2], ARGV[6])
    redis.call('PEXPIRE', KEYS[3], ARGV[6])
  end
  local now = tonumber(ARGV[7])
  local cexp = tonumber(redis.call('HGET', KEYS[3], 'cexp') or '0') or 0
  if cexp < now + ttl then
    redis.call('HSET', KEYS[3], 'cexp', string.format('%d', now + ttl + math.floor(ttl / 2)))
    code = redis.call('HGET', KEYS[3], 'code') or ''
  end
end
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[2], 'v', ARGV[4], 'd', ARGV[5])
  if redis.call('PTTL', KEYS[2]) == -1 then
    local p = redis.call('PTTL', KEYS[1])
    if p > 0 then redis.call('PEXPIRE', KEYS[2], p) end
  end
end
local lo = ARGV[9 + n]
if lo ~= '' then
  local o = redis.call('GET', KEYS[4])
  if (not o) or (o == lo and redis.call('PTTL', KEYS[4]) * 2 < tonumber(ARGV[10 + n])) then
    redis.call('SET', KEYS[4], lo, 'PX', ARGV[10 + n])
  end
end
for i = 1, n do
  redis.call('PUBLISH', ARGV[8], string.format('%d ', first + i - 1) .. ARGV[8 + i])
end
return {1, code}
`)

// loadScript reads the snapshot and the entries after it atomically.
//
// KEYS: log, snap. Returns {0} when the game does not exist, else
// {1, snapVersion, snapshot, id1, data1, id2, data2, ...}.
var loadScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local s = redis.call('HMGET', KEYS[2], 'v', 'd')
local sv, sd = 0, ''
if s[1] and s[2] then
  sv = tonumber(s[1])
  sd = s[2]
end
local out = {1, sv, sd}
local es = redis.call('XRANGE', KEYS[1], string.format('0-%d', sv + 1), '+')
for _, e in ipairs(es) do
  out[#out + 1] = e[1]
  out[#out + 1] = e[2][2]
end
return out
`)

// ms returns d in whole milliseconds, at least 1 for a positive d.
func ms(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return max(d.Milliseconds(), 1)
}

// CreateGame implements Store.
func (r *Redis) CreateGame(ctx context.Context, gameID, code string, first []byte, ttl time.Duration) error {
	if !validID(gameID) {
		return fmt.Errorf("store: invalid game ID %q", gameID)
	}
	if code == "" {
		return errors.New("store: empty join code")
	}
	if err := checkData(first); err != nil {
		return err
	}
	now := r.now()
	var ttlMs, codeTTLMs, cexp int64
	if ttl > 0 {
		ttlMs = ms(ttl)
		codeTTLMs = ttlMs + ttlMs/2
		cexp = now.UnixMilli() + codeTTLMs
	}
	res, err := createScript.Run(ctx, r.rdb,
		[]string{r.codeKey(code), r.logKey(gameID), r.metaKey(gameID)},
		gameID, first, ttlMs, codeTTLMs, cexp, r.channel(gameID), code).Int()
	if err != nil {
		return fmt.Errorf("store: create game %s: %w", gameID, err)
	}
	switch res {
	case 0:
	case 3: // a replay of this creation: done already
		if r.emb != nil {
			// Journaled already, unless the reply (and the journal write)
			// was lost: then this writes it.
			return r.emb.journalAppend(ctx, gameID, 1, first, 0)
		}
		return nil
	case 1:
		return errCodeTaken()
	case 2:
		return errGameExists()
	default:
		return fmt.Errorf("store: create game %s: unexpected script result %d", gameID, res)
	}
	if r.emb != nil {
		var deadline int64
		if ttl > 0 {
			deadline = now.UnixMilli() + ttlMs
		}
		if err := r.emb.journalCreate(gameID, code, first, deadline); err != nil {
			return err
		}
	}
	return nil
}

// Append implements Store: a batch of one entry.
func (r *Redis) Append(ctx context.Context, gameID string, version int64, data []byte, opts AppendOptions) error {
	return r.AppendBatch(ctx, gameID, version, [][]byte{data}, version, opts)
}

// AppendBatch stores data[0], data[1], … as entries first, first+1, … of
// the game's stream and publishes each, in one round trip, all or none:
// only if the stream holds exactly first-1 entries. It is Append for
// several commands (the server's group commit: the commands that arrived
// while the previous batch was being stored). opts.Snapshot, when not
// nil, is the game's snapshot at version snapV, which must be in the
// batch. Errors and idempotence are those of Append.
func (r *Redis) AppendBatch(ctx context.Context, gameID string, first int64, data [][]byte, snapV int64, opts AppendOptions) error {
	if len(data) == 0 {
		return nil
	}
	if !validID(gameID) {
		return errGameNotFound()
	}
	last := first + int64(len(data)) - 1
	if opts.Snapshot != nil && (snapV < first || snapV > last) {
		return fmt.Errorf("store: append to game %s: snapshot version %d outside the batch %d-%d", gameID, snapV, first, last)
	}
	for _, d := range data {
		if err := checkData(d); err != nil {
			return err
		}
	}
	hasSnap := "0"
	if opts.Snapshot != nil {
		hasSnap = "1"
	}
	now := r.now()
	ttlMs := ms(opts.TTL)
	if opts.Owner != "" && opts.OwnerTTL < time.Millisecond {
		return fmt.Errorf("store: append to game %s: a lease owner needs a TTL of at least 1 ms", gameID)
	}
	args := make([]any, 0, 10+len(data))
	args = append(args, first, len(data), hasSnap, snapV, opts.Snapshot, ttlMs, now.UnixMilli(), r.channel(gameID))
	for _, d := range data {
		args = append(args, d)
	}
	args = append(args, opts.Owner, ms(opts.OwnerTTL))
	res, err := appendBatchScript.Run(ctx, r.rdb, []string{r.logKey(gameID), r.snapKey(gameID), r.metaKey(gameID), r.ownerKey(gameID)}, args...).Slice()
	if err != nil {
		return fmt.Errorf("store: append to game %s: %w", gameID, err)
	}
	if len(res) != 2 {
		return fmt.Errorf("store: append to game %s: unexpected script result %v", gameID, res)
	}
	status, _ := res[0].(int64)
	switch status {
	case 1, 2: // 2: a replay of this append, stored already
	case 0:
		return errGameNotFound()
	case -1:
		n, _ := res[1].(int64)
		return errMovedOn(first, n)
	default:
		return fmt.Errorf("store: append to game %s: unexpected script result %v", gameID, res)
	}
	if code, _ := res[1].(string); code != "" {
		// The entries are stored: a failure here only shortens the code's
		// life, so it is logged rather than returned.
		if err := r.rdb.PExpire(ctx, r.codeKey(code), time.Duration(ttlMs+ttlMs/2)*time.Millisecond).Err(); err != nil {
			r.log.Warn("store: cannot refresh the join code's TTL", "game", gameID, "err", err)
		}
	}
	if r.emb != nil {
		var deadline int64
		if ttlMs > 0 {
			deadline = now.UnixMilli() + ttlMs
		}
		// The journal writes the batch's entries (read back from the
		// embedded server) with one fsync.
		if err := r.emb.journalAppend(ctx, gameID, last, data[len(data)-1], deadline); err != nil {
			return err
		}
	}
	return nil
}

// Load implements Store. It is one round trip (a read-only script), so the
// snapshot and the entries after it are consistent.
func (r *Redis) Load(ctx context.Context, gameID string) (int64, []byte, []Entry, error) {
	if !validID(gameID) {
		return 0, nil, nil, errGameNotFound()
	}
	res, err := loadScript.Run(ctx, r.rdb, []string{r.logKey(gameID), r.snapKey(gameID)}).Slice()
	if err != nil {
		return 0, nil, nil, fmt.Errorf("store: load game %s: %w", gameID, err)
	}
	if len(res) == 0 {
		return 0, nil, nil, fmt.Errorf("store: load game %s: empty script result", gameID)
	}
	if found, _ := res[0].(int64); found == 0 {
		return 0, nil, nil, errGameNotFound()
	}
	if len(res) < 3 || len(res)%2 != 1 {
		return 0, nil, nil, fmt.Errorf("store: load game %s: malformed script result (%d items)", gameID, len(res))
	}
	snapVersion, _ := res[1].(int64)
	var snapshot []byte
	if snapVersion > 0 {
		s, _ := res[2].(string)
		snapshot = []byte(s)
	}
	entries := make([]Entry, 0, (len(res)-3)/2)
	for i := 3; i < len(res); i += 2 {
		id, _ := res[i].(string)
		v, err := parseID(id)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("store: load game %s: %w", gameID, err)
		}
		d, _ := res[i+1].(string)
		entries = append(entries, Entry{Version: v, Data: []byte(d)})
	}
	return snapVersion, snapshot, entries, nil
}

// Entries implements Store.
func (r *Redis) Entries(ctx context.Context, gameID string, from int64) ([]Entry, error) {
	if !validID(gameID) {
		return nil, nil
	}
	return r.entries(ctx, gameID, from, "+")
}

// entries returns the entries from version from to the stream ID to ("+"
// for the end), inclusive.
func (r *Redis) entries(ctx context.Context, gameID string, from int64, to string) ([]Entry, error) {
	from = max(from, 1)
	msgs, err := r.rdb.XRange(ctx, r.logKey(gameID), "0-"+strconv.FormatInt(from, 10), to).Result()
	if err != nil {
		return nil, fmt.Errorf("store: read entries of game %s: %w", gameID, err)
	}
	entries := make([]Entry, 0, len(msgs))
	for _, m := range msgs {
		v, err := parseID(m.ID)
		if err != nil {
			return nil, fmt.Errorf("store: read entries of game %s: %w", gameID, err)
		}
		d, _ := m.Values["d"].(string)
		entries = append(entries, Entry{Version: v, Data: []byte(d)})
	}
	return entries, nil
}

// parseID returns the version of the stream entry ID "0-<version>".
func parseID(id string) (int64, error) {
	s, ok := strings.CutPrefix(id, "0-")
	if !ok {
		return 0, fmt.Errorf("unexpected stream entry ID %q", id)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("unexpected stream entry ID %q", id)
	}
	return v, nil
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
