package store

import (
	"context"
	"log/slog"
	"time"
)

// OpenEmbeddedAt is OpenEmbedded on the clock now, without the background
// ticker: the embedded server's TTLs advance when the test calls Tick.
func OpenEmbeddedAt(ctx context.Context, dataDir, addr, prefix string, logger *slog.Logger, now func() time.Time) (*Redis, error) {
	return openEmbedded(ctx, dataDir, addr, prefix, logger, now, 0)
}

// Tick advances the embedded server's TTLs to the store's clock and sweeps
// the expired journals.
func (r *Redis) Tick() { r.emb.tick() }

// RestartEmbedded closes the embedded server's listener and connections
// and listens again on the same port, keeping the data.
func (r *Redis) RestartEmbedded() error {
	r.emb.m.Close()
	return r.emb.m.Restart()
}
