package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"devopschallenge/apperr"
	"devopschallenge/game"
)

// codeAlphabet has no look-alikes: no 0/O, 1/I/L.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// codeLength is the length of a join code.
const codeLength = 6

// newCode returns a random join code.
func newCode() string {
	b := make([]byte, codeLength)
	buf := make([]byte, codeLength)
	rand.Read(buf)
	for i := range b {
		// 256 is not a multiple of 31; the bias (≤ 1/8) does not matter for
		// join codes, which are checked for collisions anyway.
		b[i] = codeAlphabet[int(buf[i])%len(codeAlphabet)]
	}
	return string(b)
}

// normaliseCode upper-cases a typed code and drops spaces and dashes.
func normaliseCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// validCode reports whether s could be a join code.
func validCode(s string) bool {
	if len(s) != codeLength {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return false
		}
	}
	return true
}

// secretBytes is the entropy of a token's secret part: 256 bits.
const secretBytes = 32

// newToken returns a token for a game, "<gameID>.<secret>", and the hash of
// its secret that the game state keeps.
func newToken(gameID string) (token, hash string) {
	b := make([]byte, secretBytes)
	rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	return gameID + "." + secret, hashSecret(secret)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// parseToken splits a token into its game ID and the hash of its secret.
func parseToken(token string) (gameID, hash string, err error) {
	id, secret, ok := strings.Cut(token, ".")
	if !ok || id == "" || len(id) > 64 || base64.RawURLEncoding.DecodedLen(len(secret)) != secretBytes {
		return "", "", apperr.Errorf(apperr.EUnauthorized, "This token is not valid; join the game again with its code.",
			"Ce jeton n'est pas valide ; rejoignez la partie avec son code.")
	}
	return id, hashSecret(secret), nil
}

// identify returns the actor a token hash stands for in a game.
func identify(s *game.State, hash string) (game.Actor, error) {
	switch hash {
	case s.FacilitatorTokenHash:
		return game.Actor{Role: game.RoleFacilitator}, nil
	case s.ProjectorTokenHash:
		return game.Actor{Role: game.RoleProjector}, nil
	}
	p, ok := s.PlayerByToken(hash)
	if !ok {
		return game.Actor{}, apperr.Errorf(apperr.EUnauthorized, "This token is not valid for this game; join again with the code.",
			"Ce jeton n'est pas valide pour cette partie ; rejoignez-la avec le code.")
	}
	if p.Kicked {
		return game.Actor{}, apperr.Errorf(apperr.EUnauthorized, "You were removed from this game by the facilitator.",
			"L'animateur vous a retiré de cette partie.")
	}
	return game.Actor{Role: game.RolePlayer, PlayerID: p.ID}, nil
}

// newSeed returns a random seed for a game.
func newSeed() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}
