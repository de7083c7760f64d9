package client

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// The command path: command IDs, Do and DoID (send, wait for the answer,
// retry while the server is unavailable), the pending table that a
// reconnection resends, and Send and SendRaw that do not wait.

// NewID returns a fresh command ID for this session.
func (s *Session) NewID() string { return "c" + strconv.FormatInt(s.seq.Add(1), 10) }

// Do sends a command and waits for its acknowledgement; a refusal comes
// back as a *apperr.Error.
func (s *Session) Do(ctx context.Context, cmd string, args any) (Ack, error) {
	return s.DoID(ctx, s.NewID(), cmd, args)
}

// DoID is Do with a chosen command ID. A command answered unavailable
// (the server's store did not answer) is sent again with the same ID,
// with growing pauses, until it gets another answer or ctx ends (the
// server applies an ID once, so this is safe); then the last unavailable
// error is returned.
func (s *Session) DoID(ctx context.Context, id, cmd string, args any) (Ack, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return Ack{}, err
	}
	msg, _ := json.Marshal(protocol.In{Type: protocol.TypeCmd, ID: id, Cmd: cmd, Args: raw})
	backoff := 100 * time.Millisecond
	for {
		out, err := s.send(ctx, id, msg)
		if err != nil {
			return Ack{}, err
		}
		if out.Type != protocol.TypeError {
			return Ack{Version: out.Version, Result: out.Result}, nil
		}
		e := &apperr.Error{Code: out.Code, Message: out.Message, MessageFR: out.MessageFR}
		if e.Code != apperr.EUnavailable {
			return Ack{}, e
		}
		t := time.NewTimer(backoff/2 + rand.N(backoff/2+1))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return Ack{}, e
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// send sends a command message and waits for its answer (an ack or an
// error).
func (s *Session) send(ctx context.Context, id string, msg []byte) (protocol.Out, error) {
	p := &pending{msg: msg, done: make(chan protocol.Out, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return protocol.Out{}, ErrClosed
	}
	if s.fatal != nil {
		err := s.fatal
		s.mu.Unlock()
		return protocol.Out{}, err
	}
	s.pending[id] = p
	s.mu.Unlock()
	if err := s.write(msg); err != nil && !s.opt.Reconnect {
		s.forget(id)
		return protocol.Out{}, err
	}
	select {
	case out := <-p.done:
		return out, nil
	case <-ctx.Done():
		s.forget(id)
		return protocol.Out{}, ctx.Err()
	}
}

func (s *Session) forget(id string) {
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
}

// Send sends a command without waiting for its answer (the load generator
// watches answers through OnMessage).
func (s *Session) Send(id, cmd string, args any) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	msg, _ := json.Marshal(protocol.In{Type: protocol.TypeCmd, ID: id, Cmd: cmd, Args: raw})
	return s.write(msg)
}

// SendRaw sends any bytes as one text message (for tests of bad input).
func (s *Session) SendRaw(msg []byte) error { return s.write(msg) }
