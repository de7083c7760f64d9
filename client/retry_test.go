package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// A command answered unavailable is sent again with the same ID until it
// gets another answer; any other refusal ends DoID at once.
func TestDoIDResendsWhileUnavailable(t *testing.T) {
	received := make(chan protocol.In, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		ws.ReadMessage() // hello
		ws.WriteJSON(protocol.Out{Type: protocol.TypeSnapshot, Version: 1})
		for n := 0; ; n++ {
			var in protocol.In
			if err := ws.ReadJSON(&in); err != nil {
				return
			}
			received <- in
			switch {
			case in.Cmd == "refused":
				ws.WriteJSON(protocol.Out{Type: protocol.TypeError, ID: in.ID, Code: apperr.EConflict, Message: "no", MessageFR: "non"})
			case n < 2:
				ws.WriteJSON(protocol.Out{Type: protocol.TypeError, ID: in.ID, Code: apperr.EUnavailable, Message: "later", MessageFR: "plus tard"})
			default:
				ws.WriteJSON(protocol.Out{Type: protocol.TypeAck, ID: in.ID, Version: 7, Result: map[string]any{"noteId": "n7"}})
			}
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Connect(ctx, Options{URLs: []string{srv.URL}, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ack, err := s.DoID(ctx, "c1", "note.add", map[string]string{"text": "x"})
	if err != nil || ack.Version != 7 || ack.Result["noteId"] != "n7" {
		t.Fatalf("DoID = %+v, %v; want the ack of the third try", ack, err)
	}
	for i := 0; i < 3; i++ {
		in := <-received
		var args map[string]string
		json.Unmarshal(in.Args, &args)
		if in.ID != "c1" || in.Cmd != "note.add" || args["text"] != "x" {
			t.Fatalf("try %d sent %+v", i+1, in)
		}
	}
	if _, err := s.DoID(ctx, "c2", "refused", nil); !apperr.IsCode(err, apperr.EConflict) {
		t.Fatalf("a conflict: %v", err)
	}
	if n := len(received); n != 1 {
		t.Fatalf("a refused command was sent %d times", n)
	}
}
