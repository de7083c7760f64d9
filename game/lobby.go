package game

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the lobby.
const (
	// MaxCompanies is the most companies one game may have.
	MaxCompanies = 20
	// MaxPlayers is the most players one game may have.
	MaxPlayers = 500
	// MaxNickname is the longest nickname, in characters.
	MaxNickname = 24
	// MaxTitle is the longest game title, in characters.
	MaxTitle = 80
)

var hashRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// CreateArgs are the arguments of the system command "game.create". The
// server fills the secrets' hashes, the code and the seed; the facilitator
// chooses the settings and the agenda.
type CreateArgs struct {
	ID                   string   `json:"id"`
	Code                 string   `json:"code"`
	Seed                 uint64   `json:"seed"`
	FacilitatorTokenHash string   `json:"facilitatorTokenHash"`
	ProjectorTokenHash   string   `json:"projectorTokenHash"`
	Settings             Settings `json:"settings"`
	Agenda               []Phase  `json:"agenda"`
}

// NormaliseSettings fills defaults into settings and checks them; it is
// exported so that the server can refuse bad settings before creating
// anything.
func (e *Engine) NormaliseSettings(st *Settings) error {
	st.Title = strings.TrimSpace(st.Title)
	if st.Title == "" {
		st.Title = "DevOps Challenge"
	}
	if err := checkText("title", "titre", st.Title, MaxTitle); err != nil {
		return err
	}
	if st.Scenario == "" {
		st.Scenario = e.defaultScenario
	}
	if !e.hasScenario(st.Scenario) {
		return invalid("Unknown scenario %q.", "Scénario inconnu « %s ».", st.Scenario)
	}
	if st.Companies == 0 {
		st.Companies = 1
	}
	if st.Companies < 1 || st.Companies > MaxCompanies {
		return invalid("The number of companies must be between 1 and %d.", "Le nombre d'entreprises doit être entre 1 et %d.", MaxCompanies)
	}
	if st.TeamCap < 0 || st.TeamCap > MaxPlayers {
		return invalid("The team cap must be between 0 (no cap) and %d.", "La limite par équipe doit être entre 0 (sans limite) et %d.", MaxPlayers)
	}
	switch st.Assignment {
	case "":
		st.Assignment = "choice"
	case "choice", "auto":
	default:
		return invalid(`Team assignment must be "choice" or "auto".`, `L'affectation des équipes doit être "choice" ou "auto".`)
	}
	switch st.Lang {
	case "":
		st.Lang = "fr"
	case "fr", "en":
	default:
		return invalid(`The language must be "fr" or "en".`, `La langue doit être "fr" ou "en".`)
	}
	return nil
}

// checkText refuses empty text, text over max characters, and control or
// invisible formatting characters.
func checkText(field, fieldFR, s string, max int) error {
	if s == "" {
		return invalid("The %[1]s must not be empty.", "Le champ %[2]s ne doit pas être vide.", field, fieldFR)
	}
	if !utf8.ValidString(s) {
		return invalid("The %[1]s is not valid text.", "Le champ %[2]s n'est pas un texte valide.", field, fieldFR)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return invalid("The %[1]s is too long (%[3]d characters, at most %[4]d).",
			"Le champ %[2]s est trop long (%[3]d caractères, au plus %[4]d).", field, fieldFR, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return invalid("The %[1]s contains a control character; use plain text.",
				"Le champ %[2]s contient un caractère de contrôle ; utilisez du texte simple.", field, fieldFR)
		}
	}
	return nil
}

// checkLongText is checkText for multi-line text: newlines and tabs are
// allowed.
func checkLongText(field, fieldFR, s string, max int) error {
	return checkText(field, fieldFR, strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if r == '\r' {
			return -1
		}
		return r
	}, s), max)
}

// cleanNickname trims a nickname and checks it.
func cleanNickname(n string) (string, error) {
	n = strings.TrimSpace(n)
	if err := checkText("nickname", "pseudo", n, MaxNickname); err != nil {
		return "", err
	}
	return n, nil
}

func (s *State) nicknameTaken(n, except string) bool {
	for _, p := range s.activePlayers() {
		if p.ID != except && strings.EqualFold(p.Nickname, n) {
			return true
		}
	}
	return false
}

// placePlayer picks the company and team of a newcomer: the requested team
// in the company where it is smallest (within the cap), or, without a
// request, the smallest team of the smallest company.
func (s *State) placePlayer(team string) (int, string, error) {
	n := s.Settings.Companies
	total := make([]int, n+1)
	size := map[[2]any]int{}
	for _, p := range s.activePlayers() {
		total[p.Company]++
		size[[2]any{p.Company, p.Team}]++
	}
	best, bestTeam, bestSize := 0, "", 0
	for c := 1; c <= n; c++ {
		for _, t := range Teams {
			if team != "" && t != team {
				continue
			}
			sz := size[[2]any{c, t}]
			if team != "" && s.Settings.TeamCap > 0 && sz >= s.Settings.TeamCap {
				continue
			}
			if best == 0 || sz < bestSize || (sz == bestSize && total[c] < total[best]) {
				best, bestTeam, bestSize = c, t, sz
			}
		}
	}
	if best == 0 {
		return 0, "", Errorf(EConflict, "The %[1]s team is full; pick another team.",
			"L'équipe %[2]s est complète ; choisissez-en une autre.", teamName(team, "en"), teamName(team, "fr"))
	}
	return best, bestTeam, nil
}

// teamNames are the names of the teams in both languages, as the screens
// show them.
var teamNames = map[string]Text{TeamDev: {EN: "Dev", FR: "Dev"}, TeamOps: {EN: "Ops", FR: "Ops"},
	TeamQA: {EN: "QA", FR: "Qualité"}, TeamPM: {EN: "PM", FR: "Gestion de projet"}}

// TeamName returns a team's name in both languages (the id itself for an
// unknown team).
func TeamName(t string) Text {
	if n, ok := teamNames[t]; ok {
		return n
	}
	return Text{EN: t, FR: t}
}

func teamName(t, lang string) string { return TeamName(t).In(lang) }

func (x *ctx) playerArg(id string) (*Player, error) {
	p, ok := x.s.Players[id]
	if !ok || p.Kicked {
		return nil, notFound("player", "Aucun joueur", id)
	}
	return p, nil
}

// movePlayer changes a player's company and team and lets each concept
// react (e.g. the player's votes stay, but what they may see changes).
func (x *ctx) movePlayer(p *Player, company int, team string) {
	p.Company, p.Team = company, team
	x.ch.touch("player/" + p.ID)
	x.ch.private(p.ID)
	x.ch.Reseat = append(x.ch.Reseat, p.ID)
	for _, h := range teamChangeHooks {
		h(x, p)
	}
}

// Hooks that concepts (wall, study, sprints, debate) add from their init
// functions.
var (
	// phaseInits run when a game is created, to set up each concept's
	// state.
	phaseInits []func(x *ctx)
	// teamChangeHooks run when a player joins, changes team or company, or
	// is kicked.
	teamChangeHooks []func(x *ctx, p *Player)
	// nicknameHooks run when a player is renamed.
	nicknameHooks []func(x *ctx, p *Player)
	// phaseChangeHooks run after the current phase changed (or the game
	// ended), for documents whose visibility depends on the phase.
	phaseChangeHooks []func(x *ctx)
)

// JoinInfo is what someone holding only the join code may learn before
// joining: enough to show the right join form.
type JoinInfo struct {
	Title      string `json:"title"`
	Status     string `json:"status"`
	Assignment string `json:"assignment"`
	TeamCap    int    `json:"teamCap"`
	Companies  int    `json:"companies"`
	Lang       string `json:"lang"`
	// Full lists the teams a newcomer can no longer choose (full in every
	// company).
	Full []string `json:"full"`
	// Closed: the facilitator closed the game to newcomers.
	Closed bool `json:"closed"`
}

// JoinInfo describes the game for its join page.
func (s *State) JoinInfo() JoinInfo {
	info := JoinInfo{Title: s.Settings.Title, Status: s.Status, Assignment: s.Settings.Assignment, TeamCap: s.Settings.TeamCap,
		Companies: s.Settings.Companies, Lang: s.Settings.Lang, Full: []string{}, Closed: s.Closed}
	if s.Settings.TeamCap > 0 {
		for _, t := range Teams {
			if _, _, err := s.placePlayer(t); err != nil {
				info.Full = append(info.Full, t)
			}
		}
	}
	return info
}

func createGame(x *ctx) error {
	var a CreateArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if x.s.ID != "" || x.s.Version != 0 {
		return Errorf(EConflict, "This game already exists.", "Cette partie existe déjà.")
	}
	if a.ID == "" || a.Code == "" || !hashRe.MatchString(a.FacilitatorTokenHash) || !hashRe.MatchString(a.ProjectorTokenHash) {
		return invalid("game.create needs an id, a code and two token hashes.", "game.create demande un identifiant, un code et deux empreintes de jeton.")
	}
	if err := x.e.NormaliseSettings(&a.Settings); err != nil {
		return err
	}
	if a.Agenda == nil {
		a.Agenda = DefaultAgenda()
	}
	if err := validateAgenda(a.Agenda, true); err != nil {
		return err
	}
	*x.s = State{
		ID: a.ID, Code: a.Code, Seed: a.Seed, CreatedAt: x.c.At, Settings: a.Settings,
		Status: StatusLobby, FacilitatorTokenHash: a.FacilitatorTokenHash, ProjectorTokenHash: a.ProjectorTokenHash,
		Players: map[string]*Player{}, Agenda: a.Agenda,
	}
	for _, k := range phaseInits {
		k(x)
	}
	x.ch.touch("game")
	return nil
}

// PlayerJoinArgs are the arguments of player.join.
type PlayerJoinArgs struct {
	Nickname   string `json:"nickname"`
	Team       string `json:"team"`
	TokenHash  string `json:"tokenHash"`
	DeviceHash string `json:"deviceHash"`
}

func joinPlayer(x *ctx) error {
	var a PlayerJoinArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if x.s.Status == StatusFinished {
		return errFinished()
	}
	nick, err := cleanNickname(a.Nickname)
	if err != nil {
		return err
	}
	if !hashRe.MatchString(a.TokenHash) || (a.DeviceHash != "" && !hashRe.MatchString(a.DeviceHash)) {
		return invalid("player.join needs a token hash (and a device hash, if any, of the same form).",
			"player.join demande une empreinte de jeton (et une empreinte d'appareil, s'il y en a une, de même forme).")
	}
	if a.Team != "" && !ValidTeam(a.Team) {
		return invalid("Unknown team %q: choose dev, ops, qa or pm.", "Équipe « %s » inconnue : choisissez dev, ops, qa ou pm.", a.Team)
	}
	if a.Team != "" && x.s.Settings.Assignment == "auto" {
		return invalid("Teams are assigned automatically in this game; join without choosing one.",
			"Les équipes sont attribuées automatiquement dans cette partie ; rejoignez sans en choisir.")
	}
	if len(x.s.activePlayers()) >= MaxPlayers {
		return Errorf(EConflict, "This game is full (%d players).", "Cette partie est complète (%d joueurs).", MaxPlayers)
	}
	if x.s.nicknameTaken(nick, "") {
		return Errorf(EConflict, "The nickname %q is already taken in this game; pick another.",
			"Le pseudo « %s » est déjà pris dans cette partie ; choisissez-en un autre.", nick)
	}
	if _, dup := x.s.PlayerByToken(a.TokenHash); dup {
		return Errorf(EConflict, "This token is already in use.", "Ce jeton est déjà utilisé.")
	}
	back, err := x.s.returning(nick, a.DeviceHash)
	if err != nil {
		return err
	}
	if back != nil {
		x.comeBack(back, nick, a.TokenHash, a.DeviceHash)
		return nil
	}
	if x.s.Closed {
		return errClosed()
	}
	company, team, err := x.s.placePlayer(a.Team)
	if err != nil {
		return err
	}
	id := x.s.idAt("p")
	p := &Player{ID: id, Nickname: nick, Team: team, Company: company, TokenHash: a.TokenHash, JoinedAt: x.c.At,
		DeviceHash: a.DeviceHash}
	x.s.Players[id] = p
	x.s.PlayerOrder = append(x.s.PlayerOrder, id)
	if x.s.tokenIndex != nil {
		x.s.tokenIndex[a.TokenHash] = id
	}
	x.ch.touch("player/" + id)
	x.ch.private(id)
	for _, h := range teamChangeHooks {
		h(x, p)
	}
	x.ch.result("playerId", id)
	x.ch.result("team", team)
	x.ch.result("company", company)
	return nil
}

// errClosed refuses a newcomer to a game closed to newcomers.
func errClosed() error {
	return Errorf(EForbidden, "The facilitator has closed this game to newcomers; ask them to open it again.",
		"L'animateur a fermé cette partie aux nouveaux venus ; demandez-lui de la rouvrir.")
}

// GameCloseArgs are the arguments of game.close: true closes the game to
// newcomers (a class is all in; sock puppets stay out), false opens it.
type GameCloseArgs struct {
	Closed bool `json:"closed"`
}

func closeGame(x *ctx) error {
	var a GameCloseArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if x.s.Closed == a.Closed {
		if a.Closed {
			return Errorf(EConflict, "The game is already closed to newcomers.", "La partie est déjà fermée aux nouveaux venus.")
		}
		return Errorf(EConflict, "The game is already open to newcomers.", "La partie est déjà ouverte aux nouveaux venus.")
	}
	x.s.Closed = a.Closed
	x.ch.touch("game")
	return nil
}

// PlayerTeamArgs are the arguments of player.team.
type PlayerTeamArgs struct {
	Team string `json:"team"`
}

func chooseTeam(x *ctx) error {
	var a PlayerTeamArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if !ValidTeam(a.Team) {
		return invalid("Unknown team %q: choose dev, ops, qa or pm.", "Équipe « %s » inconnue : choisissez dev, ops, qa ou pm.", a.Team)
	}
	if x.s.Settings.Assignment == "auto" {
		return Errorf(EForbidden, "Teams are assigned automatically in this game; ask the facilitator to move you.",
			"Les équipes sont attribuées automatiquement ; demandez à l'animateur de vous déplacer.")
	}
	p := x.player
	if p.Team == a.Team {
		return Errorf(EConflict, "You are already in this team.", "Vous êtes déjà dans cette équipe.")
	}
	if cap := x.s.Settings.TeamCap; cap > 0 && x.s.teamSize(p.Company, a.Team) >= cap {
		return Errorf(EConflict, "The %[1]s team is full; pick another team.",
			"L'équipe %[2]s est complète ; choisissez-en une autre.", teamName(a.Team, "en"), teamName(a.Team, "fr"))
	}
	x.movePlayer(p, p.Company, a.Team)
	return nil
}

// PlayerMoveArgs are the arguments of player.move.
type PlayerMoveArgs struct {
	PlayerID string `json:"playerId"`
	Team     string `json:"team"`
	Company  int    `json:"company"`
}

func reassignPlayer(x *ctx) error {
	var a PlayerMoveArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	p, err := x.playerArg(a.PlayerID)
	if err != nil {
		return err
	}
	if a.Company == 0 {
		a.Company = p.Company
	}
	if a.Team == "" {
		a.Team = p.Team
	}
	if !ValidTeam(a.Team) {
		return invalid("Unknown team %q: choose dev, ops, qa or pm.", "Équipe « %s » inconnue : choisissez dev, ops, qa ou pm.", a.Team)
	}
	if a.Company < 1 || a.Company > x.s.Settings.Companies {
		return invalid("Company %d does not exist (this game has %d).", "L'entreprise %d n'existe pas (cette partie en a %d).", a.Company, x.s.Settings.Companies)
	}
	if a.Company == p.Company && a.Team == p.Team {
		return Errorf(EConflict, "%s is already there.", "%s y est déjà.", p.Nickname)
	}
	x.movePlayer(p, a.Company, a.Team)
	return nil
}

// PlayerRenameArgs are the arguments of player.rename.
type PlayerRenameArgs struct {
	PlayerID string `json:"playerId"`
	Nickname string `json:"nickname"`
}

func renamePlayer(x *ctx) error {
	var a PlayerRenameArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	p, err := x.playerArg(a.PlayerID)
	if err != nil {
		return err
	}
	nick, err := cleanNickname(a.Nickname)
	if err != nil {
		return err
	}
	if x.s.nicknameTaken(nick, p.ID) {
		return Errorf(EConflict, "The nickname %q is already taken in this game.", "Le pseudo « %s » est déjà pris dans cette partie.", nick)
	}
	p.Nickname = nick
	x.ch.touch("player/" + p.ID)
	x.ch.private(p.ID)
	for _, h := range nicknameHooks {
		h(x, p)
	}
	return nil
}

// PresenceSetArgs are the arguments of presence.set.
type PresenceSetArgs struct {
	PlayerID string `json:"playerId"`
	Instance string `json:"instance"`
	Conns    int    `json:"conns"`
}

// presence.set records how many connections a server instance holds
// for a player; the sum says whether the player is connected.
func setPresence(x *ctx) error {
	var a PresenceSetArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	p, err := x.playerArg(a.PlayerID)
	if err != nil {
		return err
	}
	if a.Instance == "" || a.Conns < 0 {
		return invalid("presence.set needs an instance and a count.", "presence.set demande une instance et un nombre.")
	}
	if p.Conns[a.Instance] == a.Conns {
		return Errorf(EConflict, "Presence unchanged.", "Présence inchangée.")
	}
	was := p.Connected()
	if a.Conns == 0 {
		delete(p.Conns, a.Instance)
		if len(p.Conns) == 0 {
			p.Conns = nil
		}
	} else {
		if p.Conns == nil {
			p.Conns = map[string]int{}
		}
		p.Conns[a.Instance] = a.Conns
	}
	if was != p.Connected() {
		x.ch.touch("player/" + p.ID)
	}
	return nil
}
