package client

import (
	"encoding/json"
	"reflect"
	"testing"
)

// scanHead reads what encoding/json reads of a message, documents aside,
// or declines.
func TestScanHead(t *testing.T) {
	accepted := 0
	defer func() {
		if accepted < 8 {
			t.Errorf("scanHead accepted only %d messages", accepted)
		}
	}()
	for _, msg := range []string{
		`{"type":"update","version":12,"now":1795397143563,"docs":{"player/p2":{"id":"p2","nickname":"a\"n}a","connected":true},"x":[1,{"y":"]"}],"n":null}}`,
		`{"type":"ack","version":7,"id":"c3","result":{"noteId":"n5","correct":true,"rev":2}}`,
		`{"type":"ack","id":"c3","version":7}`,
		`{"type":"error","id":"c2","code":"invalid","message":"The note must not be empty.","messageFr":"Le champ note ne doit pas être vide."}`,
		`{"type":"snapshot","version":3,"now":1,"you":{"role":"player","playerId":"p2","company":1,"team":"ops"},"docs":{}}`,
		`{"type":"update","version":5,"docs":{"a":"\\\"}"},"now":9}`,
		`{}`,
		` { "type" : "ack" , "version" : 4 } `,
		`{"type":"error","message":"with \"escapes\""}`,
		`{"type":"update","version":1e3}`,
		`[1]`,
		`{"type":"update","version":`,
	} {
		accepted++
		var want Frame
		werr := json.Unmarshal([]byte(msg), &want)
		want.Docs, want.Raw = nil, nil
		var got Frame
		if !scanHead([]byte(msg), &got) {
			accepted--
			continue // declined: the caller uses encoding/json
		}
		if werr != nil {
			t.Errorf("%s: scanHead accepted what encoding/json refuses (%v)", msg, werr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", msg, got, want)
		}
	}
}

// The game ID rides in the WebSocket URL as a load balancer's routing
// hint, escaped; without one the URL is the bare endpoint.
func TestWSURL(t *testing.T) {
	for _, c := range []struct{ base, game, want string }{
		{"http://127.0.0.1:8080", "", "ws://127.0.0.1:8080/ws"},
		{"https://example.org/", "g1", "wss://example.org/ws?game=g1"},
		{"http://h:1", "a b&c", "ws://h:1/ws?game=a+b%26c"},
	} {
		if got := wsURL(c.base, c.game); got != c.want {
			t.Errorf("wsURL(%q, %q) = %q, want %q", c.base, c.game, got, c.want)
		}
	}
}
