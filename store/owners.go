package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Owners lets the server instances that share a Redis agree on one writer
// per game (the owner), so that they do not append over each other: an
// instance that does not own a game sends its commands to the owner, which
// stores them with its own. The lease is advisory: Append's version check
// still keeps the log whole when two instances believe they own a game (a
// lease that expired while its holder was stalled). The keys are in the
// package comment.
type Owners interface {
	// Claim makes instance the game's owner for ttl when nobody owns it,
	// when instance owns it already (renewing the lease) or when takeFrom
	// (not "") owns it: the caller found that instance gone. It returns
	// the owner after the call and how long its lease has left.
	Claim(ctx context.Context, gameID, instance string, ttl time.Duration, takeFrom string) (owner string, left time.Duration, err error)
	// Release ends the game's lease if instance holds it; otherwise it
	// does nothing.
	Release(ctx context.Context, gameID, instance string) error
	// Send publishes msg to the instance's channel and reports whether an
	// instance was listening (false: the instance is gone).
	Send(ctx context.Context, instance string, msg []byte) (bool, error)
	// Listen subscribes to the instance's channel and calls handler for
	// every message sent to it, from the goroutine that delivers the
	// entries given to Watch, in the order Redis delivered them all: a
	// message sent after an append is handled after that append's entries.
	// The handler must not block. It returns once Redis has confirmed the
	// subscription; Watch must have been called. Call it once.
	Listen(ctx context.Context, instance string, handler func(msg []byte)) error
}

var _ Owners = (*Redis)(nil)

func (r *Redis) ownerKey(id string) string    { return r.gameKey(id, "owner") }
func (r *Redis) instChannel(id string) string { return r.instKey(id) + ":ch" }

// claimScript takes or renews a game's lease.
//
// KEYS: owner. ARGV: instance, ttl ms, takeFrom ("" for none). Returns
// {owner, ms left}.
var claimScript = redis.NewScript(`
local o = redis.call('GET', KEYS[1])
if (not o) or o == ARGV[1] or (ARGV[3] ~= '' and o == ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {ARGV[1], tonumber(ARGV[2])}
end
return {o, redis.call('PTTL', KEYS[1])}
`)

// releaseScript deletes the lease if the instance holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`)

// Claim implements Owners.
func (r *Redis) Claim(ctx context.Context, gameID, instance string, ttl time.Duration, takeFrom string) (string, time.Duration, error) {
	if !validID(gameID) {
		return "", 0, errGameNotFound()
	}
	if instance == "" || ttl < time.Millisecond {
		return "", 0, errors.New("store: claim needs an instance and a TTL of at least 1 ms")
	}
	res, err := claimScript.Run(ctx, r.rdb, []string{r.ownerKey(gameID)}, instance, ms(ttl), takeFrom).Slice()
	if err != nil {
		return "", 0, fmt.Errorf("store: claim game %s: %w", gameID, err)
	}
	owner, _ := res[0].(string)
	left, _ := res[1].(int64)
	if len(res) != 2 || owner == "" {
		return "", 0, fmt.Errorf("store: claim game %s: unexpected script result %v", gameID, res)
	}
	return owner, time.Duration(max(left, 0)) * time.Millisecond, nil
}

// Release implements Owners.
func (r *Redis) Release(ctx context.Context, gameID, instance string) error {
	if !validID(gameID) {
		return nil
	}
	if err := releaseScript.Run(ctx, r.rdb, []string{r.ownerKey(gameID)}, instance).Err(); err != nil {
		return fmt.Errorf("store: release game %s: %w", gameID, err)
	}
	return nil
}

// Send implements Owners.
func (r *Redis) Send(ctx context.Context, instance string, msg []byte) (bool, error) {
	n, err := r.rdb.Publish(ctx, r.instChannel(instance), msg).Result()
	if err != nil {
		return false, fmt.Errorf("store: send to instance %s: %w", instance, err)
	}
	return n > 0, nil
}

// Listen implements Owners.
func (r *Redis) Listen(ctx context.Context, instance string, handler func(msg []byte)) error {
	if instance == "" || handler == nil {
		return errors.New("store: Listen needs an instance and a handler")
	}
	s := &r.sub
	s.mu.Lock()
	if s.direct != nil {
		s.mu.Unlock()
		return errors.New("store: Listen called twice")
	}
	s.direct = handler
	s.mu.Unlock()
	err := s.subscribe(ctx, r.instChannel(instance), "")
	if err != nil {
		s.mu.Lock()
		s.direct = nil
		s.mu.Unlock()
	}
	return err
}
