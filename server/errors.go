package server

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"devopschallenge/game"
	"devopschallenge/protocol"
)

// httpStatus maps each domain error code to its HTTP status. It is the one
// place where codes meet HTTP; the WebSocket sends the code itself.
var httpStatus = map[string]int{
	game.EInvalid:      http.StatusBadRequest,
	game.ENotFound:     http.StatusNotFound,
	game.EConflict:     http.StatusConflict,
	game.EForbidden:    http.StatusForbidden,
	game.EUnauthorized: http.StatusUnauthorized,
	game.ERateLimited:  http.StatusTooManyRequests,
	game.EInternal:     http.StatusInternalServerError,
}

// publicError turns any error into what a client may see: domain errors as
// they are, anything else logged and replaced by a generic internal error.
func publicError(log *slog.Logger, err error, what string) *game.Error {
	e := game.AsError(err)
	if e.Code == game.EInternal {
		log.Error(what, "err", err)
	}
	return e
}

// writeError answers an HTTP request with the error's status and body.
func writeError(c echo.Context, log *slog.Logger, err error) error {
	e := publicError(log, err, "request failed: "+c.Request().Method+" "+c.Path())
	status, ok := httpStatus[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return c.JSON(status, protocol.ErrorResponse{Code: e.Code, Message: e.Message, MessageFR: e.MessageFR})
}

// errorOut is the WebSocket form of an error.
func errorOut(log *slog.Logger, id string, err error) protocol.Out {
	e := publicError(log, err, "command failed")
	return protocol.Out{Type: protocol.TypeError, ID: id, Code: e.Code, Message: e.Message, MessageFR: e.MessageFR}
}
