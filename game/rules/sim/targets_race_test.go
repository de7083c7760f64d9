//go:build race

package sim

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestTargets runs the balance and teaching targets (targets_test.go) in a
// plain build: they are pure, deterministic computation over thousands of
// games, which the race detector would only make several times slower.
// The concurrency of Games is checked under the race detector by
// TestGamesDoNotDependOnCPUs.
func TestTargets(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Fatalf("the go command is needed to run the targets without the race detector: %v", err)
		}
	}
	cmd := exec.Command(goTool, "test", "-count=1", "-timeout=15m", "-run", "^(TestTargets|TestCalibration|TestApprovalsAndFreezesDoNotPay|TestMoreIncidentsNeverPay)$", ".")
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the targets fail:\n%s", out)
	}
	t.Logf("%s", out)
}
