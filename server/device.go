package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"
)

// deviceCookie names the cookie that tells browsers apart when they join:
// a player the facilitator removed is kept out of the game from the same
// browser, whatever nickname they type (see game/removed.go). It holds
// random bits and nothing else; only a hash salted with the game's ID goes
// into the game, so that two games cannot link a browser.
const deviceCookie = "dc_device"

var deviceRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// deviceHash returns the hash of the joining browser's device cookie for
// a game, giving the browser a cookie first if it has none. A client that
// keeps no cookies (the Go client) gets a new one at every join: only its
// nickname can then recognise it.
func (s *Server) deviceHash(c echo.Context, gameID string) string {
	id := ""
	if ck, err := c.Cookie(deviceCookie); err == nil && deviceRe.MatchString(ck.Value) {
		id = ck.Value
	} else {
		var b [16]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	secure := c.Request().TLS != nil || (s.cfg.TrustProxy && c.Request().Header.Get("X-Forwarded-Proto") == "https")
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: id, Path: "/api/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	sum := sha256.Sum256([]byte(gameID + "\x00" + id))
	return hex.EncodeToString(sum[:])
}
