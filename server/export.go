package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/live"
	"devopschallenge/protocol"
)

// Exports: the facilitator asks for a ticket (POST /api/games/:id/exports
// with the facilitator token) and gets links that work without a token for
// ticketLifetime, so that a report can be opened in a new tab, printed,
// downloaded, or shared with the class. The same reports are also served
// with the facilitator token in the Authorization header.

// ticketLifetime is how long export links work.
const ticketLifetime = 24 * time.Hour

// exportFormats maps a report file name to its renderer.
var exportFormats = map[string]func(s *Server, c echo.Context, r *game.Report) error{
	"report.json":    exportJSON,
	"report.csv.zip": exportCSV,
	"report.html":    exportHTML,
}

func (s *Server) exportRoutes(api *echo.Group) {
	// The report and the JSON shrink several times gzipped; the zip is
	// compressed already.
	gz := middleware.GzipWithConfig(middleware.GzipConfig{Skipper: func(c echo.Context) bool {
		return strings.HasSuffix(c.Param("file"), ".zip")
	}})
	api.POST("/games/:id/exports", s.exportTicket)
	api.GET("/games/:id/:file", s.exportWithToken, gz)
	api.GET("/exports/:ticket/:file", s.exportWithTicket, gz)
}

// ticketMAC signs a game ID, an expiry and the game's export epoch with the
// game's facilitator token hash, which every instance holding the game
// knows and nobody else can read without the store. Revoking the links
// (exports.revoke) moves the epoch on: every link signed before stops
// working. Links of epoch 0 are signed as before epochs existed.
func ticketMAC(facHash, gameID string, expiry int64, epoch int) string {
	m := hmac.New(sha256.New, []byte(facHash))
	if epoch == 0 {
		fmt.Fprintf(m, "%s.%d", gameID, expiry)
	} else {
		fmt.Fprintf(m, "%s.%d.%d", gameID, expiry, epoch)
	}
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) exportTicket(c echo.Context) error {
	g, err := s.facilitator(c)
	if err != nil {
		return writeError(c, s.log, err)
	}
	expiry := time.Now().Add(ticketLifetime).Unix()
	var mac string
	if err := g.Read(func(st *game.State) { mac = ticketMAC(st.FacilitatorTokenHash, g.ID(), expiry, st.Exports.Epoch) }); err != nil {
		return writeError(c, s.log, err)
	}
	ticket := g.ID() + "." + strconv.FormatInt(expiry, 10) + "." + mac
	links := map[string]string{}
	for _, f := range []string{"report.json", "report.csv.zip", "report.html"} {
		links[strings.TrimPrefix(f, "report.")] = "/api/exports/" + ticket + "/" + f
	}
	return c.JSON(http.StatusCreated, protocol.ExportLinks{ExpiresAt: expiry * 1000, Links: links})
}

// facilitator resolves the facilitator token of a request about game :id.
func (s *Server) facilitator(c echo.Context) (*live.Game, error) {
	g, actor, err := s.bearer(c, c.Param("id"))
	if err != nil {
		return nil, err
	}
	if actor.Role != game.RoleFacilitator {
		return nil, apperr.Errorf(apperr.EForbidden, "Only the facilitator can export the report.",
			"Seul l'animateur peut exporter le rapport.")
	}
	return g, nil
}

// exportFormat returns the renderer of an export's file name.
func exportFormat(c echo.Context) (func(s *Server, c echo.Context, r *game.Report) error, error) {
	render, ok := exportFormats[c.Param("file")]
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "No such export; use report.json, report.csv.zip or report.html.",
			"Export inconnu ; utilisez report.json, report.csv.zip ou report.html.")
	}
	return render, nil
}

func (s *Server) exportWithToken(c echo.Context) error {
	render, err := exportFormat(c)
	if err != nil {
		return writeError(c, s.log, err)
	}
	g, err := s.facilitator(c)
	if err != nil {
		return writeError(c, s.log, err)
	}
	return s.export(c, g, render)
}

func (s *Server) exportWithTicket(c echo.Context) error {
	render, err := exportFormat(c)
	if err != nil {
		return writeError(c, s.log, err)
	}
	bad := apperr.Errorf(apperr.EUnauthorized, "This export link is not valid, has expired or was revoked; export again from the facilitator console.",
		"Ce lien d'export n'est pas valide, a expiré ou a été révoqué ; exportez à nouveau depuis la console de l'animateur.")
	parts := strings.Split(c.Param("ticket"), ".")
	if len(parts) != 3 {
		return writeError(c, s.log, bad)
	}
	expiry, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || time.Now().Unix() > expiry {
		return writeError(c, s.log, bad)
	}
	g, err := s.rt.Open(c.Request().Context(), parts[0])
	if apperr.IsCode(err, apperr.ENotFound) {
		return writeError(c, s.log, bad)
	} else if err != nil {
		return writeError(c, s.log, err)
	}
	// A revocation stored through another instance counts at once.
	var want string
	err = g.ReadLatest(c.Request().Context(), func(st *game.State) {
		want = ticketMAC(st.FacilitatorTokenHash, g.ID(), expiry, st.Exports.Epoch)
	})
	if err != nil {
		return writeError(c, s.log, err)
	}
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return writeError(c, s.log, bad)
	}
	return s.export(c, g, render)
}

// export renders the report of a game, read from its stored state.
func (s *Server) export(c echo.Context, g *live.Game, render func(s *Server, c echo.Context, r *game.Report) error) error {
	var r *game.Report
	if err := g.Read(func(st *game.State) { r = s.cfg.Engine.Report(st) }); err != nil {
		return writeError(c, s.log, err)
	}
	return render(s, c, r)
}

func attachment(c echo.Context, r *game.Report, ext string) {
	name := fmt.Sprintf("devops-challenge-%s-%s%s", r.Game.Code, time.UnixMilli(r.Game.CreatedAt).UTC().Format("2006-01-02"), ext)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
}

func exportJSON(s *Server, c echo.Context, r *game.Report) error {
	attachment(c, r, ".json")
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return writeError(c, s.log, err)
	}
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", b)
}

func exportCSV(s *Server, c echo.Context, r *game.Report) error {
	var buf bytes.Buffer
	if err := writeCSVZip(&buf, r, reportLang(c, r)); err != nil {
		return writeError(c, s.log, err)
	}
	attachment(c, r, ".csv.zip")
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}

func reportLang(c echo.Context, r *game.Report) string {
	switch l := c.QueryParam("lang"); l {
	case "fr", "en":
		return l
	}
	return r.Game.Lang
}

//go:embed report.html.tmpl
var reportFS embed.FS

// reportTmpl is the printable report; "l" and "colon" are bound to the
// report's language at each rendering.
var reportTmpl = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"l":     func(string) string { return "" },
	"colon": func() string { return "" },
}).ParseFS(reportFS, "report.html.tmpl"))

// renderHTML writes the printable report in a language.
func renderHTML(w io.Writer, r *game.Report, lang string) error {
	v := buildReportView(r, lang)
	t, err := reportTmpl.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{"l": v.l, "colon": v.colon})
	return t.Execute(w, v)
}

func exportHTML(s *Server, c echo.Context, r *game.Report) error {
	lang := reportLang(c, r)
	var buf bytes.Buffer
	if err := renderHTML(&buf, r, lang); err != nil {
		return writeError(c, s.log, err)
	}
	// A self-contained page to print or save: its own styles, inline SVG
	// charts, no script.
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}
