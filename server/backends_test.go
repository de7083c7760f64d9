package server

import (
	"testing"

	"devopschallenge/internal/redistest"
	"devopschallenge/store"
)

// backend opens a store for a test: the shared suite runs against the
// embedded store and against a real redis-server.
type backend struct {
	name string
	open func(t *testing.T) store.Store
}

func backends(t *testing.T) []backend {
	return []backend{
		{"embedded", func(t *testing.T) store.Store { return embeddedStore(t, "") }},
		{"redis", func(t *testing.T) store.Store { return redisStore(t, redistest.Start(t), redistest.Prefix(t)) }},
	}
}
