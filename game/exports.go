package game

// Exports: the server hands the facilitator export links signed for the
// game; they work without a token for a day, so that a report can be
// shared with a class. The facilitator can revoke every link made so far
// (exports.revoke): the server signs links with the game's export epoch,
// which revoking moves on, so that every instance refuses the old links at
// once.
type Exports struct {
	// Epoch grows at each revocation; links carry the epoch they were
	// made in.
	Epoch int `json:"epoch,omitempty"`
	// RevokedAt is when the facilitator last revoked the links (Unix
	// milliseconds, 0: never).
	RevokedAt int64 `json:"revokedAt,omitempty"`
}

// ExportsDoc tells the facilitator whether and when links were revoked.
type ExportsDoc struct {
	Revocations int   `json:"revocations"`
	RevokedAt   int64 `json:"revokedAt,omitempty"`
}

func init() {
	registerDoc("exports", &docKind{keys: single("exports"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		if v.Role != RoleFacilitator {
			return nil, false
		}
		return ExportsDoc{Revocations: s.Exports.Epoch, RevokedAt: s.Exports.RevokedAt}, true
	}})
}

func revokeExports(x *ctx) error {
	if err := decodeArgs(x.c, &struct{}{}); err != nil {
		return err
	}
	x.s.Exports.Epoch++
	x.s.Exports.RevokedAt = x.c.At
	x.ch.touch("exports")
	return nil
}
