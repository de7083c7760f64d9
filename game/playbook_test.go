package game_test

import (
	"devopschallenge/game"
	"devopschallenge/internal/playbook"
)

func init() {
	game.PlayWholeGame = func(tt *game.TestTable) {
		pb := playbook.Game{T: table{tt}}
		pb.Play()
		pb.Finish()
	}
}

// table adapts the package's test game to the playbook.
type table struct{ *game.TestTable }

func (t table) Players() []playbook.Player {
	var out []playbook.Player
	for _, s := range t.Seats() {
		out = append(out, playbook.Player{Company: s.Company, Team: s.Team})
	}
	return out
}
