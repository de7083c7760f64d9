//go:build !unix

package store

import "os"

// lockDir does nothing on this platform: do not start two servers on the
// same data directory.
func lockDir(string) (*os.File, error) { return nil, nil }

// unlockDir releases the lock taken by lockDir.
func unlockDir(*os.File) {}
