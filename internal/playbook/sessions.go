package playbook

import (
	"context"
	"testing"
	"time"

	"devopschallenge/client"
)

// Sessions is a Table over Go client sessions: the facilitator's and one
// per player, each command waiting until the facilitator, who sees every
// change, has caught up with it.
type Sessions struct {
	testing.TB
	Ctx context.Context
	// Timeout, if not zero, bounds each command (sent and seen by the
	// facilitator) rather than the whole game.
	Timeout time.Duration
	Fac     *client.Session
	// Seats are the players' sessions, and Joined where each sits.
	Seats  []*client.Session
	Joined []Player
}

// Players implements Table.
func (s *Sessions) Players() []Player { return s.Joined }

// Do implements Table.
func (s *Sessions) Do(seat int, cmd string, args any) map[string]any {
	s.Helper()
	from := s.Fac
	if seat != Facilitator {
		from = s.Seats[seat]
	}
	ctx := s.Ctx
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	ack, err := from.Do(ctx, cmd, args)
	if err != nil {
		s.Fatalf("%s: %v", cmd, err)
	}
	if err := s.Fac.Wait(ctx, func(f *client.Session) bool { return f.Version() >= ack.Version }); err != nil {
		s.Fatalf("after %s: %v", cmd, err)
	}
	return ack.Result
}

// Doc implements Table.
func (s *Sessions) Doc(key string, v any) bool { return s.Fac.Doc(key, v) }
