package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// healthInterval is how long the pub/sub connection may stay silent before
// a PING is sent on it, so that a dead connection is noticed (the failed
// write makes go-redis reconnect and resubscribe).
const healthInterval = 5 * time.Second

// subscriber is the store's single pub/sub connection and the goroutine
// that reads it.
//
// Every channel has a wanted state (Subscribe/Unsubscribe) and a live state
// (Redis confirmed the subscription). Subscribe waits until live. When the
// connection breaks, go-redis reconnects and resubscribes to the wanted
// channels; the read loop sees an error first, marks the live channels as
// needing a resync, and on their new "subscribe" confirmation calls the
// handler with Entry{Version: 0}.
type subscriber struct {
	r *Redis

	opMu sync.Mutex // serialises Subscribe and Unsubscribe

	mu      sync.Mutex
	ps      *redis.PubSub
	handler func(gameID string, e Entry)
	// direct receives the messages of the instance channel (Listen).
	direct func(msg []byte)
	chans  map[string]*chanState // by channel name
	closed bool

	stop     chan struct{}
	done     sync.WaitGroup
	lastRecv atomic.Int64 // unix ns of the last thing read on the connection
}

type chanState struct {
	gameID string // "" for the instance channel
	want   bool   // Subscribe called (and no Unsubscribe since)
	live   bool   // Redis confirmed the subscription on the current connection
	resync bool   // was live when the connection broke: notify on resubscription
	// unsubs counts UNSUBSCRIBEs sent and not yet confirmed: "subscribe"
	// confirmations read meanwhile answer an older SUBSCRIBE and are stale.
	unsubs  int
	waiters []chan struct{}
}

func (s *subscriber) init(r *Redis) {
	s.r = r
	s.chans = make(map[string]*chanState)
	s.stop = make(chan struct{})
}

// Watch implements Store. It starts the goroutine that reads the pub/sub
// connection.
func (r *Redis) Watch(handler func(gameID string, e Entry)) {
	s := &r.sub
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handler != nil {
		panic("store: Watch called twice")
	}
	if handler == nil {
		panic("store: Watch with a nil handler")
	}
	if s.closed {
		return
	}
	s.handler = handler
	s.ps = r.rdb.Subscribe(context.Background())
	s.lastRecv.Store(time.Now().UnixNano())
	s.done.Add(2)
	go s.readLoop(s.ps)
	go s.healthLoop(s.ps)
}

// Subscribe implements Store.
func (r *Redis) Subscribe(ctx context.Context, gameID string) error {
	if !validID(gameID) {
		return errGameNotFound()
	}
	return r.sub.subscribe(ctx, r.channel(gameID), gameID)
}

// subscribe subscribes to a channel: a game's, or with gameID "" the
// instance channel.
func (s *subscriber) subscribe(ctx context.Context, ch, gameID string) error {
	s.opMu.Lock()
	defer s.opMu.Unlock()

	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return err
	}
	cs := s.chans[ch]
	if cs == nil {
		cs = &chanState{gameID: gameID}
		s.chans[ch] = cs
	}
	if cs.want && cs.live {
		s.mu.Unlock()
		return nil
	}
	wait := make(chan struct{})
	cs.waiters = append(cs.waiters, wait)
	cs.want = true
	ps := s.ps
	s.mu.Unlock()

	// Not live yet: SUBSCRIBE (again, if an earlier Subscribe gave up; it
	// is idempotent on the server). On a write error go-redis keeps the
	// channel in its set but, having reconnected before recording it, may
	// not have subscribed on the new connection: send until a write
	// succeeds.
	for backoff := 50 * time.Millisecond; ; backoff = min(2*backoff, time.Second) {
		err := ps.Subscribe(ctx, ch)
		if err == nil {
			break
		}
		if errors.Is(err, redis.ErrClosed) {
			s.dropWaiter(cs, wait)
			return err
		}
		s.r.log.Debug("store: subscribe failed, retrying", "channel", ch, "err", err)
		if !sleep(ctx, s.stop, backoff) {
			s.dropWaiter(cs, wait)
			return subscribeErr(ctx, ch)
		}
	}
	select {
	case <-wait:
		return nil
	case <-ctx.Done():
	case <-s.stop:
	}
	// The subscription stays wanted: it completes in the background and a
	// later Subscribe waits for it.
	s.dropWaiter(cs, wait)
	return subscribeErr(ctx, ch)
}

func subscribeErr(ctx context.Context, ch string) error {
	if err := ctx.Err(); err != nil {
		return errors.New("store: subscribe to " + ch + ": " + err.Error())
	}
	return redis.ErrClosed
}

// sleep waits for d, and reports false if ctx ended or stop closed first.
func sleep(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	}
}

func (s *subscriber) dropWaiter(cs *chanState, wait chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, w := range cs.waiters {
		if w == wait {
			cs.waiters = append(cs.waiters[:i], cs.waiters[i+1:]...)
			break
		}
	}
}

// usable returns the reason the subscriber cannot subscribe, if any. s.mu
// must be held.
func (s *subscriber) usable() error {
	if s.closed {
		return redis.ErrClosed
	}
	if s.handler == nil {
		return errors.New("store: Subscribe called before Watch")
	}
	return nil
}

// Unsubscribe implements Store. It does not wait for Redis to confirm: no
// entry of the game is delivered once it has returned.
func (r *Redis) Unsubscribe(ctx context.Context, gameID string) error {
	if !validID(gameID) {
		return nil
	}
	s := &r.sub
	ch := r.channel(gameID)

	s.opMu.Lock()
	defer s.opMu.Unlock()

	s.mu.Lock()
	cs := s.chans[ch]
	if s.closed || s.handler == nil || cs == nil || !cs.want {
		s.mu.Unlock()
		return nil
	}
	cs.want, cs.live, cs.resync = false, false, false
	cs.unsubs++
	ps := s.ps
	s.mu.Unlock()

	// go-redis drops the channel from its set before writing, so even when
	// the write fails the channel is not resubscribed after a reconnect.
	if err := ps.Unsubscribe(ctx, ch); err != nil && !errors.Is(err, redis.ErrClosed) {
		s.r.log.Debug("store: unsubscribe failed", "game", gameID, "err", err)
	}
	return nil
}

// readLoop reads the pub/sub connection until the PubSub is closed.
func (s *subscriber) readLoop(ps *redis.PubSub) {
	defer s.done.Done()
	backoff := time.Duration(0)
	for {
		msg, err := ps.Receive(context.Background())
		if err != nil {
			if s.isClosed() || errors.Is(err, redis.ErrClosed) {
				return
			}
			s.connectionLost(err, backoff == 0)
			backoff = min(max(2*backoff, 50*time.Millisecond), 2*time.Second)
			if !sleep(context.Background(), s.stop, backoff) {
				return
			}
			continue
		}
		backoff = 0
		s.lastRecv.Store(time.Now().UnixNano())
		switch m := msg.(type) {
		case *redis.Subscription:
			s.confirmed(m)
		case *redis.Message:
			s.message(m)
		}
	}
}

// connectionLost marks every live channel as needing a resync: go-redis
// resubscribes on its new connection and the confirmations then trigger
// the Version 0 notices.
func (s *subscriber) connectionLost(err error, first bool) {
	if first {
		s.r.log.Warn("store: pub/sub connection lost; reconnecting", "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch, cs := range s.chans {
		if cs.live {
			cs.resync = true
		}
		cs.live = false
		cs.unsubs = 0
		if !cs.want && len(cs.waiters) == 0 {
			delete(s.chans, ch)
		}
	}
}

func (s *subscriber) confirmed(m *redis.Subscription) {
	s.mu.Lock()
	cs := s.chans[m.Channel]
	if cs == nil {
		s.mu.Unlock()
		return
	}
	var notify func(string, Entry)
	switch m.Kind {
	case "unsubscribe":
		if cs.unsubs > 0 {
			cs.unsubs--
		}
		if !cs.want && cs.unsubs == 0 && len(cs.waiters) == 0 {
			delete(s.chans, m.Channel)
		}
	case "subscribe":
		if cs.unsubs > 0 || !cs.want {
			break // answers a SUBSCRIBE made before a later UNSUBSCRIBE
		}
		if (cs.live || cs.resync) && cs.gameID != "" {
			notify = s.handler
		}
		cs.live, cs.resync = true, false
		for _, w := range cs.waiters {
			close(w)
		}
		cs.waiters = nil
	}
	gameID := cs.gameID
	s.mu.Unlock()
	if notify != nil {
		notify(gameID, Entry{Version: 0})
	}
}

func (s *subscriber) message(m *redis.Message) {
	s.mu.Lock()
	cs := s.chans[m.Channel]
	wanted := cs != nil && cs.want
	handler, direct := s.handler, s.direct
	s.mu.Unlock()
	if !wanted {
		return
	}
	if cs.gameID == "" {
		direct([]byte(m.Payload))
		return
	}
	vs, data, ok := strings.Cut(m.Payload, " ")
	v, err := strconv.ParseInt(vs, 10, 64)
	if !ok || err != nil || v < 1 {
		s.r.log.Warn("store: malformed pub/sub message; asking for a resync", "channel", m.Channel)
		handler(cs.gameID, Entry{Version: 0})
		return
	}
	handler(cs.gameID, Entry{Version: v, Data: []byte(data)})
}

// healthLoop pings the connection when it has been silent for a while.
func (s *subscriber) healthLoop(ps *redis.PubSub) {
	defer s.done.Done()
	t := time.NewTicker(healthInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if time.Since(time.Unix(0, s.lastRecv.Load())) < healthInterval {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), healthInterval)
		err := ps.Ping(ctx)
		cancel()
		if err != nil && !errors.Is(err, redis.ErrClosed) {
			s.r.log.Debug("store: pub/sub ping failed", "err", err)
		}
	}
}

func (s *subscriber) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// close stops the goroutines and closes the pub/sub connection.
func (s *subscriber) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.stop)
	ps := s.ps
	s.mu.Unlock()
	if ps != nil {
		_ = ps.Close()
	}
	s.done.Wait()
}
