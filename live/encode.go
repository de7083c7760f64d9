package live

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// Message is a message for subscribers, encoded once for however many of
// them it goes to.
type Message struct {
	// Data is the message's JSON text.
	Data []byte
	z    struct {
		once sync.Once
		data []byte
	}
}

// Compressed returns compress(m.Data), computed at most once however many
// subscribers ask (compression is the transport's business: the runtime
// only keeps its result with the message).
func (m *Message) Compressed(compress func([]byte) []byte) []byte {
	m.z.once.Do(func() { m.z.data = compress(m.Data) })
	return m.z.data
}

// message encodes a message, or an internal error in its place should a
// document fail to encode (a bug: every document is plain data).
func (r *Runtime) message(out protocol.Out) *Message {
	b, err := json.Marshal(out)
	if err != nil {
		r.log.Error("encode message", "err", err)
		b, _ = json.Marshal(protocol.Out{Type: protocol.TypeError, Code: apperr.EInternal, Message: "encoding failed"})
	}
	if out.Type == protocol.TypeUpdate {
		r.met.UpdateBytes.Observe(float64(len(b)))
	}
	return &Message{Data: b}
}

// encodedDoc is one document of an update, encoded.
type encodedDoc struct {
	key string
	raw []byte // "null" when absent or not visible
}

var jsonNull = []byte("null")

// docEncoder encodes the documents of one change for every audience,
// each distinct value once: audiences mostly see the same thing (a note,
// a cluster's votes), and comparing two views is much cheaper than
// encoding them again.
type docEncoder struct {
	r    *Runtime
	seen map[string][]encodedValue // by key
}

type encodedValue struct {
	val any
	raw []byte
}

func (e *docEncoder) encode(key string, val any) []byte {
	for _, ev := range e.seen[key] {
		if reflect.DeepEqual(ev.val, val) {
			return ev.raw
		}
	}
	raw, err := json.Marshal(val)
	if err != nil {
		// Every document is plain data; failing to encode one is a bug.
		e.r.log.Error("encode document", "key", key, "err", err)
		raw = jsonNull
	}
	if e.seen == nil {
		e.seen = map[string][]encodedValue{}
	}
	e.seen[key] = append(e.seen[key], encodedValue{val, raw})
	return raw
}

// updateMessage assembles {"type":"update","version":…,"now":…,"docs":{…}}
// from encoded documents, byte for byte what json.Marshal of the
// protocol.Out gives (keys sorted, as encoding/json sorts a map's).
func (r *Runtime) updateMessage(version, now int64, docs []encodedDoc) []byte {
	byKey := func(a, b encodedDoc) int { return strings.Compare(a.key, b.key) }
	if !slices.IsSortedFunc(docs, byKey) {
		docs = slices.Clone(docs)
		slices.SortFunc(docs, byKey)
	}
	n := 64
	for _, d := range docs {
		n += len(d.key) + len(d.raw) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, `{"type":"update","version":`...)
	b = strconv.AppendInt(b, version, 10)
	b = append(b, `,"now":`...)
	b = strconv.AppendInt(b, now, 10)
	b = append(b, `,"docs":{`...)
	for i, d := range docs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, d.key)
		b = append(b, ':')
		b = append(b, d.raw...)
	}
	b = append(b, "}}"...)
	r.met.UpdateBytes.Observe(float64(len(b)))
	return b
}

// appendKey appends a document key as a JSON string, as encoding/json
// writes it.
func appendKey(b []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '_' || c == '-' || c == '.' || c == ':') {
			q, _ := json.Marshal(k)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"')
}
