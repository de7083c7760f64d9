//go:build !unix

package redistest

import "os"

// Pause and Resume need SIGSTOP and SIGCONT, which this system lacks.
var stopSignal, contSignal os.Signal
