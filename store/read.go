package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The read path of the Redis store: Load (the snapshot and the entries
// after it, read atomically by one script), Entries, and the parsing of
// stream entry IDs.

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
