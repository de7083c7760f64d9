package server

import (
	"net"
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
}

// addresses answers GET /api/addresses: the machine's network addresses
// (private IPv4), so that a console opened on localhost can show phones a
// join link that works. Only a client on this machine gets them; others
// already reach the server at an address that works for them.
func (s *Server) addresses(c echo.Context) error {
	out := struct {
		Addresses []string `json:"addresses"`
	}{Addresses: []string{}}
	if ip := net.ParseIP(c.RealIP()); ip != nil && ip.IsLoopback() {
		out.Addresses = append(out.Addresses, LANAddresses()...)
	}
	return c.JSON(http.StatusOK, out)
}

// LANAddresses lists this machine's private IPv4 addresses (Wi-Fi,
// Ethernet), the ones players' phones on the same network can open.
func LANAddresses() []string {
	var out []string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.To4() == nil || ipn.IP.IsLoopback() || !ipn.IP.IsPrivate() {
			continue
		}
		out = append(out, ipn.IP.String())
	}
	return out
}
