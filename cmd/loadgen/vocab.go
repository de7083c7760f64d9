//go:build linux

package main

import "devopschallenge/game"

// Roles of the connections, the game's own.
const (
	roleFacilitator = string(game.RoleFacilitator)
	roleProjector   = string(game.RoleProjector)
	rolePlayer      = string(game.RolePlayer)
)

// Phase kinds a game of the load can be played in.
const (
	kindWall    = game.KindWall
	kindStudy   = game.KindStudy
	kindSprints = game.KindSprints
	kindDebate  = game.KindDebate
)

// kinds lists the phases a game of the load can be played in.
var kinds = []string{kindWall, kindStudy, kindSprints, kindDebate}
