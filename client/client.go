// Package client is a Go client for the DevOps Challenge server: the HTTP
// API (create, join, snapshot) and a WebSocket session that keeps the
// documents it may see up to date, sends commands and waits for their
// acknowledgements, and reconnects by itself. The tests and the load
// generator use it.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// HTTP calls the server's JSON API.
type HTTP struct {
	// BaseURL is the server's address, e.g. "http://127.0.0.1:8080".
	BaseURL string
	// Client is the HTTP client used (http.DefaultClient when nil).
	Client *http.Client
}

func (h *HTTP) do(ctx context.Context, method, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(h.BaseURL, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc := h.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e protocol.ErrorResponse
		if json.Unmarshal(data, &e) == nil && e.Code != "" {
			return &apperr.Error{Code: e.Code, Message: e.Message, MessageFR: e.MessageFR}
		}
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	if raw, ok := out.(*rawBody); ok {
		raw.data, raw.contentType = data, resp.Header.Get("Content-Type")
		return nil
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// CreateGame creates a game.
func (h *HTTP) CreateGame(ctx context.Context, req protocol.CreateGameRequest) (protocol.CreateGameResponse, error) {
	var out protocol.CreateGameResponse
	err := h.do(ctx, http.MethodPost, "/api/games", "", req, &out)
	return out, err
}

// Join joins the game with the given code.
func (h *HTTP) Join(ctx context.Context, code, nickname, team string) (protocol.JoinResponse, error) {
	var out protocol.JoinResponse
	err := h.do(ctx, http.MethodPost, "/api/games/join", "", protocol.JoinRequest{Code: code, Nickname: nickname, Team: team}, &out)
	return out, err
}

// Snapshot returns what the token may see of a game.
func (h *HTTP) Snapshot(ctx context.Context, gameID, token string) (protocol.SnapshotResponse, error) {
	var out protocol.SnapshotResponse
	err := h.do(ctx, http.MethodGet, "/api/games/"+gameID, token, nil, &out)
	return out, err
}

// Get fetches an API path with a token and decodes the JSON answer into
// out.
func (h *HTTP) Get(ctx context.Context, path, token string, out any) error {
	return h.do(ctx, http.MethodGet, path, token, nil, out)
}

// GetRaw fetches a path with a token and returns the body as it is and its
// content type.
func (h *HTTP) GetRaw(ctx context.Context, path, token string) ([]byte, string, error) {
	var raw rawBody
	err := h.do(ctx, http.MethodGet, path, token, nil, &raw)
	return raw.data, raw.contentType, err
}

// rawBody receives a response body undecoded.
type rawBody struct {
	data        []byte
	contentType string
}

// Post sends a JSON body (nil for none) to an API path with a token and
// decodes the JSON answer into out (when not nil).
func (h *HTTP) Post(ctx context.Context, path, token string, body, out any) error {
	return h.do(ctx, http.MethodPost, path, token, body, out)
}
