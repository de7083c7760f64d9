//go:build !linux

package redistest

import "os/exec"

// setParentDeathSignal does nothing outside Linux: call Main from TestMain
// so that the shared server is stopped.
func setParentDeathSignal(*exec.Cmd) {}
