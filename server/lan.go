package server

import (
	"net"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"
)

// A console or a projector opened on localhost would show phones a join
// link that cannot work: these routes give it the machine's network
// addresses and the QR code of the join link at one of them.

// addresses answers GET /api/addresses: the machine's network addresses
// (IPv4), so that a console opened on localhost can show phones a
// join link that works. Only a client on this machine gets them; others
// already reach the server at an address that works for them.
func (s *Server) addresses(c echo.Context) error {
	out := struct {
		Addresses []string `json:"addresses"`
	}{Addresses: []string{}}
	if s.local(c) {
		out.Addresses = append(out.Addresses, LANAddresses()...)
	}
	return c.JSON(http.StatusOK, out)
}

// joinQR answers GET /api/joinqr?code=ABC123&addr=192.168.1.20: the QR
// code of the join link at one of the machine's network addresses (same
// port as this request), for a client on this machine.
func (s *Server) joinQR(c echo.Context) error {
	code := normaliseCode(c.QueryParam("code"))
	addr := c.QueryParam("addr")
	_, port, err := net.SplitHostPort(c.Request().Host)
	if !validCode(code) || err != nil || !s.local(c) || !slices.Contains(LANAddresses(), addr) {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	png, err := qrcode.Encode("http://"+net.JoinHostPort(addr, port)+"/join?code="+code, qrcode.Medium, 512)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, "image/png", png)
}

// local tells whether the client is on this machine.
func (s *Server) local(c echo.Context) bool {
	ip := net.ParseIP(c.RealIP())
	return ip != nil && ip.IsLoopback()
}

// LANAddresses lists this machine's IPv4 addresses that other devices can
// reach (Wi-Fi, Ethernet: not loopback, not link-local), private ones
// (a classroom's network) first.
func LANAddresses() []string {
	var private, other []string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.To4() == nil || ipn.IP.IsLoopback() || !ipn.IP.IsGlobalUnicast() {
			continue
		}
		if ipn.IP.IsPrivate() {
			private = append(private, ipn.IP.String())
		} else {
			other = append(other, ipn.IP.String())
		}
	}
	return append(private, other...)
}
