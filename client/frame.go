package client

import (
	"bytes"
	"encoding/json"
	"strconv"

	"devopschallenge/protocol"
)

// The messages a session receives: Frame, the cheap scan of a message's
// head for sessions that ignore documents, and receive, which decodes a
// message and calls the Options' hooks.

// Frame is a message from the server with its documents left encoded.
type Frame struct {
	Type    string                     `json:"type"`
	Version int64                      `json:"version"`
	Now     int64                      `json:"now"`
	You     *protocol.You              `json:"you"`
	Docs    map[string]json.RawMessage `json:"docs"`
	ID      string                     `json:"id"`
	Result  map[string]any             `json:"result"`
	Code    string                     `json:"code"`
	Message string                     `json:"message"`
	// MessageFR is the French error message.
	MessageFR string `json:"messageFr"`
	// Raw is the whole message as received.
	Raw []byte `json:"-"`
}

// frameHead is a Frame without its documents.
type frameHead struct {
	Type      string         `json:"type"`
	Version   int64          `json:"version"`
	Now       int64          `json:"now"`
	You       *protocol.You  `json:"you"`
	ID        string         `json:"id"`
	Result    map[string]any `json:"result"`
	Code      string         `json:"code"`
	Message   string         `json:"message"`
	MessageFR string         `json:"messageFr"`
}

// scanHead fills f from a message without decoding its documents: a
// single pass over the top-level object, strings without escapes and
// integers read directly, result and you decoded with encoding/json, docs
// only skipped. It reports false (f unspecified) for anything it does not
// handle, and the caller then decodes the message the ordinary way.
func scanHead(b []byte, f *Frame) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		key, j, ok := plainString(b, i)
		if !ok {
			return false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		end, ok := skipValue(b, i)
		if !ok {
			return false
		}
		val := bytes.TrimRight(b[i:end], " \t\n\r")
		switch key {
		case "type", "id", "code", "message", "messageFr":
			v, k, ok := plainString(b, i)
			if !ok || k != i+len(val) {
				return false
			}
			switch key {
			case "type":
				f.Type = v
			case "id":
				f.ID = v
			case "code":
				f.Code = v
			case "message":
				f.Message = v
			default:
				f.MessageFR = v
			}
		case "version", "now":
			n, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil {
				return false
			}
			if key == "version" {
				f.Version = n
			} else {
				f.Now = n
			}
		case "result":
			if err := json.Unmarshal(val, &f.Result); err != nil {
				return false
			}
		case "you":
			if err := json.Unmarshal(val, &f.You); err != nil {
				return false
			}
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			return skipSpace(b, i+1) == len(b)
		}
		if b[i] != ',' {
			return false
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string without escapes starting at b[i] and
// returns it and the index after its closing quote.
func plainString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return string(b[i+1 : j]), j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// skipValue returns the index after the JSON value starting at b[i]. It
// checks the nesting of brackets and the ends of strings, not the rest of
// the grammar (the server's messages are valid JSON; a malformed one makes
// the caller decode it properly, which reports the error).
func skipValue(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return 0, false
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i, true
			}
			i++
		default:
			i++
		}
		if depth == 0 && i < len(b) && (b[i] == ',' || b[i] == '}' || b[i] == ']') {
			return i, true
		}
	}
	if depth == 0 {
		return i, true
	}
	return 0, false
}

// receive decodes a message, calls the hooks and returns the frame.
func (s *Session) receive(raw []byte) (*Frame, error) {
	f := &Frame{Raw: raw}
	if s.opt.IgnoreDocs {
		if !scanHead(raw, f) {
			var h frameHead
			if err := json.Unmarshal(raw, &h); err != nil {
				return nil, err
			}
			*f = Frame{Type: h.Type, Version: h.Version, Now: h.Now, You: h.You, ID: h.ID, Result: h.Result,
				Code: h.Code, Message: h.Message, MessageFR: h.MessageFR, Raw: raw}
		}
	} else if err := json.Unmarshal(raw, f); err != nil {
		return nil, err
	}
	if s.opt.OnFrame != nil {
		s.opt.OnFrame(f)
	}
	if s.opt.OnMessage != nil {
		var out protocol.Out
		if err := json.Unmarshal(raw, &out); err == nil {
			s.opt.OnMessage(&out, raw)
		}
	}
	return f, nil
}
