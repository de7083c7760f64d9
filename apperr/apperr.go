// Package apperr holds the errors people see: a machine-readable code and a
// sentence in English and in French. It is a leaf (the standard library
// only), so that the domain, the store, the runtime, the transport and the
// Go client share one error type without importing each other. The
// transport maps each code to an HTTP status in one place (server/errors.go);
// the WebSocket sends the code itself.
package apperr

import (
	"errors"
	"fmt"
)

// Error codes. Every error a user can see carries one of these.
const (
	// EInvalid: the request is malformed or breaks a rule of the game.
	EInvalid = "invalid"
	// ENotFound: the game, player, note… does not exist.
	ENotFound = "not_found"
	// EConflict: the request clashes with the current state (a taken code,
	// a stream that moved on, an action already done).
	EConflict = "conflict"
	// EForbidden: the caller is known but may not do this.
	EForbidden = "forbidden"
	// EUnauthorized: the caller could not be identified (no token, a wrong
	// or revoked token).
	EUnauthorized = "unauthorized"
	// ERateLimited: too many requests in a short time.
	ERateLimited = "rate_limited"
	// EInternal: a fault of ours; the message shown to people is generic and
	// the cause is logged.
	EInternal = "internal"
	// EUnavailable: the game's storage did not answer (in time), so the
	// request was not stored; retrying it later is safe.
	EUnavailable = "unavailable"
)

// Error is a domain error: a machine-readable code and a sentence, in English
// and in French, that tells a person what went wrong and what to do.
type Error struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageFR string `json:"messageFr"`
}

// Error implements the error interface with the English message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code. en and fr are format strings
// that take the same args.
func Errorf(code, en, fr string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(en, args...), MessageFR: fmt.Sprintf(fr, args...)}
}

// ErrorCode returns the code of err: the code of the *Error it wraps, or
// EInternal for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// AsError returns the *Error wrapped by err, or a generic internal error
// (whose text says nothing of the cause) for any other error.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Errorf(EInternal, "Something went wrong on the server. Please try again.",
		"Une erreur s'est produite sur le serveur. Veuillez réessayer.")
}

// IsCode reports whether err is an *Error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// GameNotFound is the one answer, wherever it is noticed (the store, the
// runtime, the rules), about a game that is not there.
func GameNotFound() *Error {
	return Errorf(ENotFound, "This game does not exist or has expired.", "Cette partie n'existe pas ou a expiré.")
}
