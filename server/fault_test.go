package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"devopschallenge/apperr"
	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/internal/redistest"
	"devopschallenge/live"
	"devopschallenge/protocol"
)

// Faults of the store under steady traffic: redis-server killed (kill -9)
// and restarted, then stalled (SIGSTOP) for stallFor and continued. Every
// acknowledged command must be in the stream at its acknowledged version,
// once; while Redis is away commands are answered unavailable (and the
// clients resend them), /readyz answers within 2 s, and nobody sees a
// change the store does not hold.

// stallFor is how long Redis stays stopped: longer than a commit's budget
// (live.StoreTimeout) and than a lease (10 s), so that appends, reloads and
// leases all run out during the stall.
const stallFor = 15 * time.Second

func TestStoreFaultsOneInstance(t *testing.T) {
	t.Parallel()
	runFaults(t, 1)
}

func TestStoreFaultsTwoInstances(t *testing.T) {
	t.Parallel()
	runFaults(t, 2)
}

// sent is one command a player sent, and how it ended.
type sent struct {
	player, id, phase string
	acked             bool
	v                 int64
	res               map[string]any
	err               error
}

// faultRig is a game on a dedicated redis-server with players sending
// notes at a steady rate.
type faultRig struct {
	t       *testing.T
	redis   *redistest.Server
	ins     []*instance
	g       protocol.CreateGameResponse
	fac     *client.Session
	players []*client.Session
	ids     []string // the players' IDs

	phase       atomic.Value // "kill" or "stall": the fault under way when a command is first sent
	mu          sync.Mutex
	log         []*sent
	unavailable map[string]int // unavailable answers seen, by phase
	// seen are the facilitator's snapshots answered while Redis was away;
	// refused counts those refused.
	seen    []protocol.SnapshotResponse
	refused int
}

func newFaultRig(t *testing.T, instances int) *faultRig {
	r := &faultRig{t: t, redis: redistest.StartDedicated(t), unavailable: map[string]int{}}
	r.phase.Store("kill")
	for i := 0; i < instances; i++ {
		r.ins = append(r.ins, startServer(t, redisStore(t, r.redis.URL(), "f:"), func(c *Config) {
			c.Instance = string(rune('A' + i))
		}))
	}
	r.g = newGame(t, r.ins[0], protocol.CreateGameRequest{Agenda: wallAgenda})
	r.fac = connect(t, r.g.FacilitatorToken, true, r.ins[0].url)
	for i := 0; i < 8; i++ {
		in := r.ins[i%instances]
		j, err := in.http.Join(ctxT(t), r.g.Code, fmt.Sprintf("p%d", i), "")
		if err != nil {
			t.Fatal(err)
		}
		urls := []string{in.url}
		for _, o := range r.ins {
			if o != in {
				urls = append(urls, o.url)
			}
		}
		s, err := client.Connect(ctxT(t), client.Options{URLs: urls, Token: j.PlayerToken, Reconnect: true,
			OnMessage: func(out *protocol.Out, _ []byte) {
				if out.Type == protocol.TypeError && out.Code == apperr.EUnavailable {
					r.mu.Lock()
					r.unavailable[r.phase.Load().(string)]++
					r.mu.Unlock()
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		r.players, r.ids = append(r.players, s), append(r.ids, j.PlayerID)
	}
	if _, err := r.fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	return r
}

// send has every player send a note every 200 ms (at most the 30 a player
// may post) until stop closes, each one resent while it is answered
// unavailable; it returns once every command has its answer.
func (r *faultRig) send(stop <-chan struct{}) (wait func()) {
	var wg sync.WaitGroup
	for i, s := range r.players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for n := 0; n < game.MaxNotesPerPlayer; n++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				c := &sent{player: r.ids[i], id: fmt.Sprintf("n-%d-%d", i, n), phase: r.phase.Load().(string)}
				ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
				ack, err := s.DoID(ctx, c.id, "note.add", game.NoteAddArgs{Text: c.id, Target: "ops"})
				cancel()
				c.acked, c.v, c.res, c.err = err == nil, ack.Version, ack.Result, err
				r.mu.Lock()
				r.log = append(r.log, c)
				r.mu.Unlock()
			}
		}()
	}
	return wg.Wait
}

// acked counts the acknowledged commands.
func (r *faultRig) acked() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.log {
		if c.acked {
			n++
		}
	}
	return n
}

// waitFor waits until cond holds, failing the test after limit.
func (r *faultRig) waitFor(what string, limit time.Duration, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// moreAcks waits until n more commands are acknowledged: the game goes on.
func (r *faultRig) moreAcks(what string, n int) {
	r.t.Helper()
	base := r.acked()
	r.waitFor(what, 30*time.Second, func() bool { return r.acked() >= base+n })
}

// unavailableSeen reports the unavailable answers seen in a phase.
func (r *faultRig) unavailableSeen(phase string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unavailable[phase]
}

func runFaults(t *testing.T, instances int) {
	r := newFaultRig(t, instances)
	runtime.GC()
	goroutines, heap := runtime.NumGoroutine(), heapInUse()
	ready := r.sampleReady()

	stop := make(chan struct{})
	wait := r.send(stop)
	r.moreAcks("the first acks", 8)

	// kill -9, then restart.
	r.redis.Stop()
	r.waitFor("unavailable answers while Redis is down", 20*time.Second, func() bool { return r.unavailableSeen("kill") >= 4 })
	r.checkNothingVisibleWhileDown()
	r.redis.Restart(t)
	r.moreAcks("acks after Redis restarted", 16)

	// SIGSTOP for stallFor, then SIGCONT.
	r.phase.Store("stall")
	r.redis.Pause(t)
	stalled := time.Now()
	r.waitFor("unavailable answers while Redis is stalled", stallFor+10*time.Second, func() bool { return r.unavailableSeen("stall") >= 4 })
	r.checkNothingVisibleWhileDown()
	r.waitFor("the end of the stall", stallFor+time.Second, func() bool { return time.Since(stalled) >= stallFor })
	r.redis.Resume(t)
	resumed := time.Now()
	r.moreAcks("acks after Redis continued", 16)
	close(stop)
	wait()

	readyz := ready()
	r.checkLog()
	r.checkViews()
	r.checkReady(readyz, stalled, resumed)
	for _, in := range r.ins {
		if n := testutil.ToFloat64(in.srv.rt.Metrics().StoreWait); n != 0 {
			t.Errorf("%s: %v games still waiting for the store", in.srv.cfg.Instance, n)
		}
	}
	r.waitFor("goroutines back to their level", 10*time.Second, func() bool {
		return runtime.NumGoroutine() <= goroutines+4
	})
	runtime.GC()
	if h := heapInUse(); h > heap+16<<20 {
		t.Errorf("heap in use grew from %d to %d bytes", heap, h)
	}
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// checkNothingVisibleWhileDown asks every instance for the facilitator's
// snapshot: refused as unavailable (an instance whose state may hold
// commands the store did not keep), or a state the store holds, which
// checkViews verifies once Redis is back. Either way within a commit's
// budget, give or take.
func (r *faultRig) checkNothingVisibleWhileDown() {
	r.t.Helper()
	for _, in := range r.ins {
		start := time.Now()
		snap, err := in.http.Snapshot(ctxT(r.t), r.g.GameID, r.g.FacilitatorToken)
		if took := time.Since(start); took > live.StoreTimeout+time.Second {
			r.t.Errorf("a snapshot while Redis is away took %v", took)
		}
		switch {
		case err == nil:
			r.mu.Lock()
			r.seen = append(r.seen, snap)
			r.mu.Unlock()
		case apperr.IsCode(err, apperr.EUnavailable):
			r.mu.Lock()
			r.refused++
			r.mu.Unlock()
		default:
			r.t.Errorf("a snapshot while Redis is away: %v; want unavailable or the stored state", err)
		}
	}
}

// checkLog compares the acknowledged commands with the stream.
func (r *faultRig) checkLog() {
	t := r.t
	t.Helper()
	entries, err := redisStore(t, r.redis.URL(), "f:").Entries(ctxT(t), r.g.GameID, 1)
	if err != nil {
		t.Fatal(err)
	}
	at := map[int64]game.Command{}
	times := map[string]int{}
	for _, e := range entries {
		var c game.Command
		if err := json.Unmarshal(e.Data, &c); err != nil {
			t.Fatal(err)
		}
		at[e.Version] = c
		if c.ID != "" {
			times[c.Actor.PlayerID+"/"+c.ID]++
		}
	}
	type counts struct{ sent, acked, stored, lost, twice, reused, badResult, unacked int }
	byPhase := map[string]*counts{"kill": {}, "stall": {}}
	versions := map[int64]string{}
	for _, c := range r.log {
		n := byPhase[c.phase]
		n.sent++
		if times[c.player+"/"+c.id] > 1 {
			n.twice++
		}
		if !c.acked {
			n.unacked++
			t.Errorf("%s (%s) never acknowledged: %v", c.id, c.phase, c.err)
			continue
		}
		n.acked++
		if e, ok := at[c.v]; !ok || e.ID != c.id || e.Actor.PlayerID != c.player {
			n.lost++
			t.Errorf("%s acknowledged at version %d, which holds %+v", c.id, c.v, e)
		} else {
			n.stored++
		}
		if other, dup := versions[c.v]; dup {
			n.reused++
			t.Errorf("version %d acknowledged to %s and %s", c.v, other, c.id)
		}
		versions[c.v] = c.id
		if got := c.res["noteId"]; got != fmt.Sprintf("n%d", c.v) {
			n.badResult++
			t.Errorf("%s acknowledged at %d with result %v", c.id, c.v, c.res)
		}
	}
	for _, phase := range []string{"kill", "stall"} {
		n := byPhase[phase]
		t.Logf("%s, %d instance(s): %d commands sent, %d acknowledged, %d stored at their version, %d lost, %d stored twice, "+
			"%d versions reused, %d wrong results, %d unanswered; %d unavailable answers (resent)",
			map[string]string{"kill": "kill -9", "stall": "SIGSTOP " + stallFor.String()}[phase], len(r.ins),
			n.sent, n.acked, n.stored, n.lost, n.twice, n.reused, n.badResult, n.unacked, r.unavailableSeen(phase))
		if n.twice > 0 {
			t.Errorf("%s: %d commands stored twice", phase, n.twice)
		}
	}
}

// checkViews waits until every client has reached the stream's last
// version and compares what it holds with the stored state.
func (r *faultRig) checkViews() {
	t := r.t
	t.Helper()
	sessions := append([]*client.Session{r.fac}, r.players...)
	actors := []game.Actor{{Role: game.RoleFacilitator}}
	for _, id := range r.ids {
		actors = append(actors, game.Actor{Role: game.RolePlayer, PlayerID: id})
	}
	var st *game.State
	r.waitFor("every client at the stored version", 20*time.Second, func() bool {
		st = r.storedAt(0)
		for _, s := range sessions {
			if s.Version() != st.Version {
				return false
			}
		}
		return true
	})
	for i, s := range sessions {
		got := map[string]string{}
		for k, d := range s.Docs() {
			got[k] = string(d)
		}
		r.sameDocs(fmt.Sprintf("%s's session", actors[i]), st, actors[i], got)
	}
	// The snapshots answered while Redis was away showed stored states.
	for _, snap := range r.seen {
		got := map[string]string{}
		for k, d := range snap.Docs {
			got[k] = normalJSON(t, d)
		}
		r.sameDocs("a snapshot answered while Redis was away", r.storedAt(snap.Version), actors[0], got)
	}
	t.Logf("snapshots asked for while Redis was away: %d answered (with a stored state), %d refused as unavailable", len(r.seen), r.refused)
}

// storedAt folds the stream up to version v (0: all of it).
func (r *faultRig) storedAt(v int64) *game.State {
	r.t.Helper()
	entries, err := redisStore(r.t, r.redis.URL(), "f:").Entries(ctxT(r.t), r.g.GameID, 1)
	if err != nil {
		r.t.Fatal(err)
	}
	st := foldEntries(r.t, &game.State{}, entries, v)
	if v > 0 && st.Version != v {
		r.t.Fatalf("a snapshot showed version %d; the stream has %d entries", v, st.Version)
	}
	return st
}

// sameDocs compares the documents someone holds with what actor sees of
// the stored state st.
func (r *faultRig) sameDocs(who string, st *game.State, actor game.Actor, got map[string]string) {
	r.t.Helper()
	want := map[string]string{}
	for k, d := range eng.Snapshot(st, st.ViewerOf(actor)) {
		want[k] = normalJSON(r.t, d)
	}
	for _, k := range unionKeys(want, got) {
		if want[k] != got[k] {
			r.t.Errorf("%s at version %d has %s = %.300s; the store holds %.300s", who, st.Version, k, got[k], want[k])
		}
	}
}

func normalJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(x)
	return string(b)
}

func unionKeys(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// readySample is one /readyz answer.
type readySample struct {
	at     time.Time
	took   time.Duration
	status int
}

// sampleReady asks /readyz of the first instance every 500 ms until the
// returned function is called, which returns the answers.
func (r *faultRig) sampleReady() func() []readySample {
	stop, done := make(chan struct{}), make(chan []readySample)
	hc := &http.Client{Timeout: 10 * time.Second}
	go func() {
		var out []readySample
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				done <- out
				return
			case <-tick.C:
			}
			s := readySample{at: time.Now()}
			resp, err := hc.Get(r.ins[0].url + "/readyz")
			s.took = time.Since(s.at)
			if err == nil {
				s.status = resp.StatusCode
				resp.Body.Close()
			}
			out = append(out, s)
		}
	}()
	return func() []readySample { close(stop); return <-done }
}

// checkReady: every /readyz answered within 2 s; 503 for those answered
// during the stall (once the probe in flight when it began is over), 200
// once Redis is back.
func (r *faultRig) checkReady(samples []readySample, stalled, resumed time.Time) {
	t := r.t
	t.Helper()
	var slowest time.Duration
	n503 := 0
	for _, s := range samples {
		slowest = max(slowest, s.took)
		if s.took > 2*time.Second || s.status == 0 {
			t.Errorf("/readyz at %s answered %d after %v", s.at.Format("15:04:05.000"), s.status, s.took)
		}
		if s.at.After(stalled.Add(2*time.Second)) && s.at.Add(s.took).Before(resumed) {
			if s.status != http.StatusServiceUnavailable {
				t.Errorf("/readyz during the stall answered %d", s.status)
			}
			n503++
		}
	}
	resp, err := http.Get(r.ins[0].url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz after the faults answers %d", resp.StatusCode)
	}
	t.Logf("/readyz: %d answers, the slowest in %v; %d answers of 503 during the stall", len(samples), slowest, n503)
}
