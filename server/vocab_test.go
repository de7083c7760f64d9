package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"devopschallenge/game"
)

// TestVocabServed checks that GET /api/vocab is the domain's vocabulary,
// the one source the browser UI builds its forms from.
func TestVocabServed(t *testing.T) {
	s := startServer(t, embeddedStore(t, t.TempDir())).srv.Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/vocab", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/vocab: %d %s", rec.Code, rec.Body)
	}
	var got, want any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(game.Vocab())
	json.Unmarshal(b, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("served vocabulary differs from game.Vocab():\n%s\nwant\n%s", rec.Body, b)
	}
}

// TestAddressesOnlyForThisMachine checks that the LAN addresses go only to
// a client on the server's own machine.
func TestAddressesOnlyForThisMachine(t *testing.T) {
	s := startServer(t, embeddedStore(t, t.TempDir())).srv.Handler()
	for _, tc := range []struct {
		remote string
		local  bool
	}{{"127.0.0.1:5000", true}, {"192.0.2.7:5000", false}} {
		req := httptest.NewRequest(http.MethodGet, "/api/addresses", nil)
		req.RemoteAddr = tc.remote
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var body struct {
			Addresses []string `json:"addresses"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Addresses == nil {
			t.Fatalf("GET /api/addresses from %s: %d %s", tc.remote, rec.Code, rec.Body)
		}
		if !tc.local && len(body.Addresses) != 0 {
			t.Errorf("a remote client got the machine's addresses: %v", body.Addresses)
		}
		if tc.local && !reflect.DeepEqual(body.Addresses, append([]string{}, LANAddresses()...)) {
			t.Errorf("local client got %v, want %v", body.Addresses, LANAddresses())
		}
	}
}
