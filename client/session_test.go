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
