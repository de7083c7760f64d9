package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// The write path of the Redis store: CreateGame and Append/AppendBatch,
// each one Lua script run in one round trip (the scripts' contracts are
// above them), then, in embedded mode, the journal write.

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
