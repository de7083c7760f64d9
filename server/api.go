package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/internal/strictjson"
	"devopschallenge/live"
	"devopschallenge/protocol"
)

// decodeBody decodes a JSON request body strictly into v.
func decodeBody(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return apperr.Errorf(apperr.EInvalid, "The request body could not be read.", "Le corps de la requête n'a pas pu être lu.")
	}
	if !validText(body) {
		return errBadText()
	}
	// A body that is not declared as JSON is refused: a form or a
	// text/plain post from another site cannot create games or players.
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); len(bytes.TrimSpace(body)) > 0 && mt != "application/json" {
		return apperr.Errorf(apperr.EInvalid, "Send the request body as JSON, with the header Content-Type: application/json.",
			"Envoyez le corps de la requête en JSON, avec l'en-tête Content-Type: application/json.")
	}
	return strictjson.Decode(body, v, strictjson.Subject{EN: "the request body", FR: "le corps de la requête"})
}

func (s *Server) scenarios(c echo.Context) error {
	return c.JSON(http.StatusOK, s.cfg.Engine.ScenarioList())
}

// createGame answers POST /api/games.
func (s *Server) createGame(c echo.Context) error {
	var req protocol.CreateGameRequest
	if err := decodeBody(c, &req); err != nil {
		return writeError(c, s.log, err)
	}
	args := game.CreateArgs{
		ID:   uuid.NewString(),
		Seed: newSeed(),
		Settings: game.Settings{Title: req.Title, Scenario: req.Scenario, Companies: req.Companies, TeamCap: req.TeamCap,
			Assignment: req.Assignment, Lang: req.Lang},
	}
	if len(req.Agenda) > 0 && string(req.Agenda) != "null" {
		if err := strictjson.Decode(req.Agenda, &args.Agenda, strictjson.Subject{}); err != nil {
			return writeError(c, s.log, apperr.Errorf(apperr.EInvalid,
				`The agenda must be a list of phases like {"kind":"wall","minutes":10}.`,
				`Le programme doit être une liste de phases comme {"kind":"wall","minutes":10}.`))
		}
	}
	facTok, facHash := newToken(args.ID)
	projTok, projHash := newToken(args.ID)
	args.FacilitatorTokenHash, args.ProjectorTokenHash = facHash, projHash
	code, err := s.rt.Create(c.Request().Context(), args, newCode)
	if err != nil {
		return writeError(c, s.log, err)
	}
	return c.JSON(http.StatusCreated, protocol.CreateGameResponse{GameID: args.ID, Code: code,
		FacilitatorToken: facTok, ProjectorToken: projTok})
}

// gameByCode returns the game a join code (as typed) points to, or an
// error a player can act on: a malformed code, or no game with it.
func (s *Server) gameByCode(ctx context.Context, raw string) (*live.Game, error) {
	code := normaliseCode(raw)
	if !validCode(code) {
		return nil, apperr.Errorf(apperr.EInvalid, "A join code has 6 letters and digits, as shown on the projector.",
			"Un code de partie a 6 lettres et chiffres, comme affiché au projecteur.")
	}
	gameID, err := s.rt.LookupCode(ctx, code)
	if err != nil {
		if apperr.IsCode(err, apperr.ENotFound) {
			err = apperr.Errorf(apperr.ENotFound, "No game has the code %s; check it on the projector.",
				"Aucune partie n'a le code %s ; vérifiez-le au projecteur.", code)
		}
		return nil, err
	}
	return s.rt.Open(ctx, gameID)
}

// codeInfo answers GET /api/codes/:code: what the join page needs to know
// (is the game there, may players choose a team, which teams are full).
func (s *Server) codeInfo(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), commandTimeout)
	defer cancel()
	g, err := s.gameByCode(ctx, c.Param("code"))
	if err != nil {
		return writeError(c, s.log, err)
	}
	var info game.JoinInfo
	if err := g.Read(func(st *game.State) { info = st.JoinInfo() }); err != nil {
		return writeError(c, s.log, err)
	}
	return c.JSON(http.StatusOK, info)
}

// join answers POST /api/games/join.
func (s *Server) join(c echo.Context) error {
	var req protocol.JoinRequest
	if err := decodeBody(c, &req); err != nil {
		return writeError(c, s.log, err)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), commandTimeout)
	defer cancel()
	g, err := s.gameByCode(ctx, req.Code)
	if err != nil {
		return writeError(c, s.log, err)
	}
	gameID := g.ID()
	token, hash := newToken(gameID)
	raw, _ := json.Marshal(map[string]string{"nickname": req.Nickname, "team": req.Team, "tokenHash": hash,
		"deviceHash": s.deviceHash(c, gameID)})
	ack, err := g.Submit(ctx, game.Command{Type: "player.join", Actor: game.Actor{Role: game.RoleSystem},
		At: time.Now().UnixMilli(), Args: raw})
	if err != nil {
		return writeError(c, s.log, err)
	}
	// The result is read through JSON: from another instance (the game's
	// owner) it arrives decoded from JSON, with float64 numbers.
	var joined struct {
		PlayerID string `json:"playerId"`
		Team     string `json:"team"`
		Company  int    `json:"company"`
	}
	if b, err := json.Marshal(ack.Result); err != nil || json.Unmarshal(b, &joined) != nil || joined.PlayerID == "" {
		return writeError(c, s.log, fmt.Errorf("player.join result %v unreadable", ack.Result))
	}
	return c.JSON(http.StatusCreated, protocol.JoinResponse{GameID: gameID, PlayerID: joined.PlayerID,
		PlayerToken: token, Team: joined.Team, Company: joined.Company})
}

// bearer resolves the Authorization header of a request about game id.
func (s *Server) bearer(c echo.Context, id string) (*live.Game, game.Actor, error) {
	h := c.Request().Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return nil, game.Actor{}, apperr.Errorf(apperr.EUnauthorized, "Send your token in the Authorization header (Bearer …).",
			"Envoyez votre jeton dans l'en-tête Authorization (Bearer …).")
	}
	gameID, hash, err := parseToken(strings.TrimSpace(token))
	if err != nil {
		return nil, game.Actor{}, err
	}
	if gameID != id {
		return nil, game.Actor{}, apperr.Errorf(apperr.EForbidden, "This token belongs to another game.", "Ce jeton appartient à une autre partie.")
	}
	g, err := s.rt.Open(c.Request().Context(), gameID)
	if err != nil {
		return nil, game.Actor{}, err
	}
	var actor game.Actor
	if rerr := g.Read(func(st *game.State) { actor, err = identify(st, hash) }); rerr != nil {
		return nil, game.Actor{}, rerr
	}
	return g, actor, err
}

// snapshot answers GET /api/games/:id with what the token may see.
func (s *Server) snapshot(c echo.Context) error {
	g, actor, err := s.bearer(c, c.Param("id"))
	if err != nil {
		return writeError(c, s.log, err)
	}
	var body []byte
	rerr := g.Read(func(st *game.State) {
		v := st.ViewerOf(actor)
		// Encoded here: the documents may share the state's data.
		body, err = json.Marshal(protocol.SnapshotResponse{Version: st.Version, You: *live.You(v), Docs: s.cfg.Engine.Snapshot(st, v)})
	})
	if err = cmp.Or(rerr, err); err != nil {
		return writeError(c, s.log, err)
	}
	return c.JSONBlob(http.StatusOK, body)
}
