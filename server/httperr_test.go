package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// Errors the router raises (no route, wrong method) answer in JSON with a
// code and a sentence in each language, like every other error.
func TestRouterErrorsAreTranslated(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	for _, c := range []struct {
		method, path string
		status       int
		code, en, fr string
	}{
		{http.MethodGet, "/nowhere", 404, apperr.ENotFound, "check the address", "vérifiez l'adresse"},
		{http.MethodGet, "/api/nothing/here/at/all", 404, apperr.ENotFound, "check the address", "vérifiez l'adresse"},
		{http.MethodPost, "/healthz", 405, apperr.EInvalid, "does not accept POST requests", "n'accepte pas les requêtes POST"},
	} {
		req, _ := http.NewRequest(c.method, in.url+c.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body protocol.ErrorResponse
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil || res.StatusCode != c.status || body.Code != c.code ||
			!strings.Contains(body.Message, c.en) || !strings.Contains(body.MessageFR, c.fr) {
			t.Errorf("%s %s: %d %+v (%v); want %d %s, %q / %q", c.method, c.path, res.StatusCode, body, err, c.status, c.code, c.en, c.fr)
		}
	}
}
