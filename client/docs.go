package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// The documents a session keeps: apply folds snapshots, updates and
// answers into them in version order, the accessors read them, and Wait
// blocks until a condition on them holds.

// apply folds one message into the session. Called with s.mu held.
// Documents are kept as the server encoded them (Docs normalises them).
func (s *Session) apply(out *Frame) {
	switch out.Type {
	case protocol.TypeSnapshot:
		s.docs = make(map[string]json.RawMessage, len(out.Docs))
		for k, v := range out.Docs {
			if !isNull(v) {
				s.docs[k] = v
			}
		}
		s.version = out.Version
		if out.You != nil {
			s.you = *out.You
		}
	case protocol.TypeUpdate:
		if out.Version <= s.version && len(out.Docs) > 0 {
			return // already seen
		}
		for k, v := range out.Docs {
			if isNull(v) {
				delete(s.docs, k)
			} else {
				s.docs[k] = v
			}
		}
		s.version = max(s.version, out.Version)
	case protocol.TypeAck, protocol.TypeError:
		if p, ok := s.pending[out.ID]; ok && out.ID != "" {
			delete(s.pending, out.ID)
			p.done <- protocol.Out{Type: out.Type, ID: out.ID, Version: out.Version, Result: out.Result,
				Code: out.Code, Message: out.Message, MessageFR: out.MessageFR}
		}
		if out.Type == protocol.TypeError && out.ID == "" && (out.Code == apperr.EUnauthorized) {
			s.fatal = &apperr.Error{Code: out.Code, Message: out.Message, MessageFR: out.MessageFR}
		}
	}
	s.notify()
}

// notify wakes the waiters of Wait. Called with s.mu held.
func (s *Session) notify() {
	if s.watched {
		close(s.changed)
		s.changed = make(chan struct{})
		s.watched = false
	}
}

// Version is the game version the session has reached.
func (s *Session) Version() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// You is who the server says this session is.
func (s *Session) You() protocol.You {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.you
}

// Doc decodes the document key into v and reports whether it exists.
func (s *Session) Doc(key string, v any) bool {
	s.mu.Lock()
	raw, ok := s.docs[key]
	s.mu.Unlock()
	if !ok {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

// Keys lists the documents whose key starts with prefix, sorted.
func (s *Session) Keys(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.docs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Docs returns a copy of every document the session holds, each
// normalised as encoding/json encodes it once decoded (object keys sorted).
func (s *Session) Docs() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]json.RawMessage, len(s.docs))
	for k, v := range s.docs {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			out[k] = v
			continue
		}
		out[k], _ = json.Marshal(x)
	}
	return out
}

// isNull reports whether an encoded document is JSON null (absent or no
// longer visible).
func isNull(v json.RawMessage) bool {
	return len(v) == 0 || string(bytes.TrimSpace(v)) == "null"
}

// Wait blocks until cond holds (checked at every change) or ctx ends.
func (s *Session) Wait(ctx context.Context, cond func(*Session) bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.watched = true
		s.mu.Unlock()
		if cond(s) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("client: condition not met: %w", ctx.Err())
		}
	}
}
