package live

import (
	"errors"
	"time"

	"devopschallenge/apperr"
)

// StoreTimeout bounds a commit (its appends and reloads), each reload of
// an unsynced state and each creation of a game: past it the store counts
// as unavailable. A healthy Redis answers within milliseconds, even under
// load.
const StoreTimeout = 3 * time.Second

const storeTimeout = StoreTimeout

// errUnavailable is what a client is told while the store does not
// answer (in time): asking again later is safe.
func errUnavailable() *apperr.Error {
	return apperr.Errorf(apperr.EUnavailable,
		"The game's storage is not answering at the moment. Try again in a few seconds.",
		"Le stockage de la partie ne répond pas pour le moment. Réessayez dans quelques secondes.")
}

// errNotStored is errUnavailable for a command: it was not stored in time
// (the store did not answer, other instances kept writing first, or the
// game's owner could not be reached), but the store may still have taken
// it. Sending it again, with the same ID, is safe.
func errNotStored() *apperr.Error {
	return apperr.Errorf(apperr.EUnavailable,
		"The game's storage did not answer in time, so your action may not have been saved. Try again in a few seconds.",
		"Le stockage de la partie n'a pas répondu à temps : votre action n'a peut-être pas été enregistrée. Réessayez dans quelques secondes.")
}

// errUnloaded: the game left memory while a command waited; the command
// was not applied.
func errUnloaded() error {
	return apperr.Errorf(apperr.EInternal, "The game was unloaded; retry.", "La partie a été déchargée ; réessayez.")
}

// errClosing: the runtime is shutting down.
func errClosing() error {
	return apperr.Errorf(apperr.EInternal, "The server is shutting down.", "Le serveur s'arrête.")
}

// storeFault marks an error of the store that is not the caller's
// business (Redis unreachable, too slow, a broken connection): clients
// see it as unavailable, the logs see the cause. Domain errors of the
// store (conflict, not found) and nil are returned as they are.
func storeFault(err error) error {
	if err == nil {
		return nil
	}
	var e *apperr.Error
	if errors.As(err, &e) {
		return err
	}
	return &faultError{cause: err}
}

// faultError is a store fault: it reads as errUnavailable to errors.As
// (so to apperr.ErrorCode and apperr.AsError) and unwraps to its cause.
type faultError struct{ cause error }

func (f *faultError) Error() string { return "store unavailable: " + f.cause.Error() }
func (f *faultError) Unwrap() error { return f.cause }

// As implements the interface errors.As looks for.
func (f *faultError) As(target any) bool {
	if p, ok := target.(**apperr.Error); ok {
		*p = errUnavailable()
		return true
	}
	return false
}
