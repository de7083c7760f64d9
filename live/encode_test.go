package live

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"devopschallenge/protocol"
)

// The update messages fanout assembles from encoded documents are byte for
// byte those json.Marshal gives.
func TestUpdateMessageMatchesEncodingJSON(t *testing.T) {
	r := &Runtime{met: newMetrics(nil), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	type card struct {
		ID   string `json:"id"`
		Text string `json:"text"`
		Rev  int    `json:"rev"`
	}
	docs := map[string]any{
		"note/n5":   map[string]any{"id": "n5", "text": `<b>"quoted" & more</b> é ✓`, "target": "ops"},
		"card/w12":  card{ID: "w12", Text: "line\nbreak\u2028", Rev: 3},
		"me":        map[string]any{"role": "player", "extra": map[string]any{"wall": []string{"k1"}}},
		"gone/1":    nil,
		"quiz":      []any{1.5, true, nil, "x"},
		"weird<&>k": 1,
	}
	enc := &docEncoder{r: r}
	var encoded []encodedDoc
	for k, v := range docs {
		raw := jsonNull
		if v != nil {
			raw = enc.encode(k, v)
		}
		encoded = append(encoded, encodedDoc{key: k, raw: raw})
	}
	got := r.updateMessage(42, 1795397143560, encoded)
	want, err := json.Marshal(protocol.Out{Type: protocol.TypeUpdate, Version: 42, Now: 1795397143560, Docs: docs})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("assembled:\n%s\njson.Marshal:\n%s", got, want)
	}
	// A value seen before is encoded once.
	if a, b := enc.encode("card/w12", card{ID: "w12", Text: "line\nbreak\u2028", Rev: 3}), enc.encode("card/w12", card{ID: "w12", Text: "line\nbreak\u2028", Rev: 3}); &a[0] != &b[0] {
		t.Fatal("an equal value was encoded again")
	}
	if a, b := enc.encode("card/w12", card{ID: "w12", Rev: 3}), enc.encode("card/w12", card{ID: "w12", Rev: 4}); string(a) == string(b) {
		t.Fatal("different values share an encoding")
	}
}
