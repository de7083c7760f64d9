package game

import "devopschallenge/apperr"

// The domain's errors are those of package apperr (a leaf that the store and
// the Go client share without importing the rules); these names keep the
// game's files short.

// Error is apperr.Error.
type Error = apperr.Error

// Error codes (see apperr).
const (
	EInvalid      = apperr.EInvalid
	ENotFound     = apperr.ENotFound
	EConflict     = apperr.EConflict
	EForbidden    = apperr.EForbidden
	EUnauthorized = apperr.EUnauthorized
	ERateLimited  = apperr.ERateLimited
	EInternal     = apperr.EInternal
	EUnavailable  = apperr.EUnavailable
)

// Errorf is apperr.Errorf.
func Errorf(code, en, fr string, args ...any) *Error { return apperr.Errorf(code, en, fr, args...) }

// ErrorCode is apperr.ErrorCode.
func ErrorCode(err error) string { return apperr.ErrorCode(err) }

// AsError is apperr.AsError.
func AsError(err error) *Error { return apperr.AsError(err) }

// IsCode is apperr.IsCode.
func IsCode(err error, code string) bool { return apperr.IsCode(err, code) }
