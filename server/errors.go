package server

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"devopschallenge/apperr"
	"devopschallenge/protocol"
)

// httpStatus maps each domain error code to its HTTP status. It is the one
// place where codes meet HTTP; the WebSocket sends the code itself.
var httpStatus = map[string]int{
	apperr.EInvalid:      http.StatusBadRequest,
	apperr.ENotFound:     http.StatusNotFound,
	apperr.EConflict:     http.StatusConflict,
	apperr.EForbidden:    http.StatusForbidden,
	apperr.EUnauthorized: http.StatusUnauthorized,
	apperr.ERateLimited:  http.StatusTooManyRequests,
	apperr.EInternal:     http.StatusInternalServerError,
	apperr.EUnavailable:  http.StatusServiceUnavailable,
}

// publicError turns any error into what a client may see: domain errors as
// they are, anything else logged and replaced by a generic internal error.
func publicError(log *slog.Logger, err error, what string) *apperr.Error {
	e := apperr.AsError(err)
	if e.Code == apperr.EInternal {
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
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "2")
	}
	return c.JSON(status, protocol.ErrorResponse{Code: e.Code, Message: e.Message, MessageFR: e.MessageFR})
}

// errorOut is the WebSocket form of an error.
func errorOut(log *slog.Logger, id string, err error) protocol.Out {
	e := publicError(log, err, "command failed")
	return protocol.Out{Type: protocol.TypeError, ID: id, Code: e.Code, Message: e.Message, MessageFR: e.MessageFR}
}

// httpErrorText is the sentence, in English and French, of an HTTP error
// the router or a middleware raised (no route, wrong method, body too
// large…), for a person who typed an address or a client that went wrong.
func httpErrorText(status int, method string) (string, string) {
	switch status {
	case http.StatusNotFound:
		return "Nothing here: check the address (the game is at /, the join page at /join).",
			"Il n'y a rien ici : vérifiez l'adresse (le jeu est à /, la page pour rejoindre à /join)."
	case http.StatusMethodNotAllowed:
		return "This address does not accept " + method + " requests.",
			"Cette adresse n'accepte pas les requêtes " + method + "."
	case http.StatusRequestEntityTooLarge:
		return "The request body is too large.", "Le corps de la requête est trop gros."
	case http.StatusTooManyRequests:
		return "Too many requests; wait a moment and try again.", "Trop de requêtes ; attendez un instant et réessayez."
	case http.StatusBadRequest:
		return "The request is malformed.", "La requête est mal formée."
	case http.StatusUnauthorized:
		return "Sign in with your token first.", "Identifiez-vous d'abord avec votre jeton."
	case http.StatusForbidden:
		return "You may not do this.", "Vous ne pouvez pas faire cela."
	}
	if status >= 500 {
		return "Something went wrong on the server. Please try again.", "Une erreur s'est produite sur le serveur. Veuillez réessayer."
	}
	return http.StatusText(status) + ".", "Erreur HTTP " + strconv.Itoa(status) + "."
}
