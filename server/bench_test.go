package server

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/internal/redistest"
	"devopschallenge/protocol"
	"devopschallenge/store"
)

// BenchmarkCommandsOneGame measures accepted commands per second on one game
// with 30 connected players who all receive every change (cluster votes
// and unvotes), and reports the mean size of an encoded update.
//
//	go test -run '^$' -bench CommandsOneGame ./server/
func BenchmarkCommandsOneGame(b *testing.B) {
	for _, bk := range []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"embedded", func(b *testing.B) store.Store { return embeddedStore(b, "") }},
		{"redis", func(b *testing.B) store.Store { return redisStore(b, redistest.Start(b), redistest.Prefix(b)) }},
	} {
		b.Run(bk.name, func(b *testing.B) {
			in := startServer(b, bk.open(b))
			g := newGame(b, in, protocol.CreateGameRequest{Agenda: wallAgenda})
			fac := connect(b, g.FacilitatorToken, false, in.url)
			const players = 30
			var sessions []*client.Session
			for i := 0; i < players; i++ {
				s, _ := joinAndConnect(b, in, g.Code, fmt.Sprintf("p%d", i), "")
				sessions = append(sessions, s)
			}
			if _, err := fac.Do(ctxT(b), "game.start", nil); err != nil {
				b.Fatal(err)
			}
			ack, err := fac.Do(ctxT(b), "cluster.create", game.ClusterCreateArgs{Name: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			cluster := result[game.ClusterCreateResult](b, ack.Result).ClusterID
			before := histogram(b, in)
			var next atomic.Int64
			b.ResetTimer()
			var wg sync.WaitGroup
			for _, s := range sessions {
				wg.Add(1)
				go func() {
					defer wg.Done()
					up := true
					for next.Add(1) <= int64(b.N) {
						cmd := "cluster.unvote"
						if up {
							cmd = "cluster.vote"
						}
						if _, err := s.Do(ctxT(b), cmd, map[string]string{"clusterId": cluster}); err != nil {
							b.Error(err)
							return
						}
						up = !up
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			after := histogram(b, in)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
			if n := after.GetSampleCount() - before.GetSampleCount(); n > 0 {
				b.ReportMetric((after.GetSampleSum()-before.GetSampleSum())/float64(n), "bytes/update")
			}
		})
	}
}

func histogram(b *testing.B, in *instance) *dto.Histogram {
	var m dto.Metric
	if err := in.srv.rt.Metrics().UpdateBytes.Write(&m); err != nil {
		b.Fatal(err)
	}
	return m.GetHistogram()
}
