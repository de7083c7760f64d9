package game

import (
	"encoding/json"
	"time"
)

// The whole-game tests of this package play the shared playbook
// (internal/playbook), which imports this package: it can only be called
// from the external test package, which sets PlayWholeGame from its init
// function (playbook_test.go). TestTable is what it plays on.

// PlayWholeGame plays the playbook on a table, to the end of the game.
var PlayWholeGame func(tt *TestTable)

// TestSeat is where a player of a TestTable sits.
type TestSeat struct {
	Company int
	Team    string
}

// TestTable is a game of this package's tests seen as a playbook table:
// seat -1 is the facilitator, seats 0… the players in the order they
// joined; check runs after every command.
type TestTable struct {
	g     *tgame
	ids   []string
	check func(step string, ch *Change)
}

// Seats lists the players' seats.
func (tt *TestTable) Seats() []TestSeat {
	var out []TestSeat
	for _, id := range tt.ids {
		p := tt.g.s.Players[id]
		out = append(out, TestSeat{p.Company, p.Team})
	}
	return out
}

// Do applies a command from a seat; a refusal fails the test.
func (tt *TestTable) Do(seat int, typ string, args any) map[string]any {
	tt.g.t.Helper()
	a := fac
	if seat >= 0 {
		a = player(tt.ids[seat])
	}
	ch := tt.g.must(a, typ, args)
	tt.check(typ, ch)
	return ch.Result
}

// Doc reads a document of the facilitator's view, as a client decodes it.
func (tt *TestTable) Doc(key string, v any) bool {
	d, ok := tt.g.e.Doc(tt.g.s, tt.g.s.ViewerOf(fac), key)
	if !ok {
		return false
	}
	b, err := json.Marshal(d)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		tt.g.t.Fatalf("document %s: %v", key, err)
	}
	return true
}

// Fatalf stops the test.
func (tt *TestTable) Fatalf(format string, args ...any) {
	tt.g.t.Helper()
	tt.g.t.Fatalf(format, args...)
}

// Advance lets time pass on the game's clock.
func (tt *TestTable) Advance(d time.Duration) { tt.g.now += d.Milliseconds() }
