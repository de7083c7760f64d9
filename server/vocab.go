package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"devopschallenge/game"
)

// vocabRoutes serves what the browser UI needs to know and must not keep
// a copy of: the domain's vocabulary (phase kinds, default agenda, teams,
// commands, limits) and, for a console opened on this computer, the
// addresses phones can reach it at.
func (s *Server) vocabRoutes(api *echo.Group) {
	vocab := game.Vocab()
	api.GET("/vocab", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.JSON(http.StatusOK, vocab)
	})
	api.GET("/addresses", s.addresses)
	api.GET("/joinqr", s.joinQR)
}
