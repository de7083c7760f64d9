package game

import (
	"slices"
	"strings"
)

// Wall is the wall of confusion: anonymous sticky notes aimed at "the Devs"
// or "the Ops", grouped by the facilitator into named clusters that players
// vote on.
type Wall struct {
	Notes        map[string]*Note    `json:"notes"`
	NoteOrder    []string            `json:"noteOrder"`
	Clusters     map[string]*Cluster `json:"clusters"`
	ClusterOrder []string            `json:"clusterOrder"`
	// Votes lists, per player, the clusters they voted for.
	Votes map[string][]string `json:"votes"`

	// byAuthor counts each player's notes, derived from Notes (notes are
	// never removed): built by the first note.add after a load and kept by
	// the next ones, so that neither the limit nor a player's "me" costs a
	// pass over a wall that grows all session. Not saved, not copied;
	// views read it only when it is there.
	byAuthor map[string]int
}

// notesBy returns the per-player note counts, building them if needed.
// Only command handlers call it (it may write the state).
func (w *Wall) notesBy() map[string]int {
	if w.byAuthor == nil {
		w.byAuthor = make(map[string]int)
		for _, n := range w.Notes {
			w.byAuthor[n.Author]++
		}
	}
	return w.byAuthor
}

// notesOf counts a player's notes without writing the state.
func (w *Wall) notesOf(pid string) int {
	if w.byAuthor != nil {
		return w.byAuthor[pid]
	}
	n := 0
	for _, note := range w.Notes {
		if note.Author == pid {
			n++
		}
	}
	return n
}

// Note is one sticky note. Its author is kept only to enforce limits; no
// view ever shows it.
type Note struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Target  string `json:"target"`
	Cluster string `json:"cluster,omitempty"`
	Hidden  bool   `json:"hidden,omitempty"`
	Author  string `json:"author"`
	At      int64  `json:"at"`
}

// Cluster is a named group of notes.
type Cluster struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Votes int    `json:"votes"`
}

// Limits of the wall.
const (
	MaxNoteText        = 140
	MaxNotesPerPlayer  = 30
	MaxNotes           = 2000
	MaxClusters        = 40
	MaxClusterName     = 60
	VotesPerPlayer     = 3
	noteTargetDevs     = "devs"
	noteTargetOps      = "ops"
	noteTargetsMessage = `Aim the note at "devs" or "ops".`
)

// NoteDoc is what everyone sees of a note: never its author.
type NoteDoc struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Target  string `json:"target"`
	Cluster string `json:"cluster,omitempty"`
	Hidden  bool   `json:"hidden,omitempty"`
}

// ClusterDoc is what everyone sees of a cluster of the wall.
type ClusterDoc struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Votes int    `json:"votes"`
	Order int    `json:"order"`
}

// WallMe is a player's private view of the wall, in their "me" document
// (extra.wall).
type WallMe struct {
	Voted     []string `json:"voted"`
	VotesLeft int      `json:"votesLeft"`
	Notes     int      `json:"notes"`
}

func (w *Wall) init() {
	*w = Wall{Notes: map[string]*Note{}, Clusters: map[string]*Cluster{}, Votes: map[string][]string{}}
}

func (x *ctx) noteArg(id string) (*Note, error) {
	n, ok := x.s.Wall.Notes[id]
	if !ok {
		return nil, notFound("note", "Aucune note", id)
	}
	return n, nil
}

func (x *ctx) clusterArg(id string) (*Cluster, error) {
	c, ok := x.s.Wall.Clusters[id]
	if !ok {
		return nil, notFound("cluster", "Aucun groupe", id)
	}
	return c, nil
}

// clusterStill refuses a move into a cluster the facilitator saw but that
// is gone ("" is no cluster: always there).
func (x *ctx) clusterStill(id string) error {
	if _, ok := x.s.Wall.Clusters[id]; id != "" && !ok {
		return raceLost("That cluster no longer exists (it was deleted or merged meanwhile).",
			"Ce groupe n'existe plus (il a été supprimé ou fusionné entre-temps).")
	}
	return nil
}

func cleanName(field, fieldFR, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	return s, checkText(field, fieldFR, s, max)
}

func init() {
	phaseInits = append(phaseInits, func(x *ctx) { x.s.Wall.init() })

	registerDoc("note", &docKind{
		keys: func(s *State) []string { return prefixed("note/", s.Wall.NoteOrder) },
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			n, ok := s.Wall.Notes[strings.TrimPrefix(key, "note/")]
			if !ok || (n.Hidden && v.Role != RoleFacilitator) {
				return nil, false
			}
			return NoteDoc{ID: n.ID, Text: n.Text, Target: n.Target, Cluster: n.Cluster, Hidden: n.Hidden}, true
		},
	})
	registerDoc("cluster", &docKind{
		keys: func(s *State) []string { return prefixed("cluster/", s.Wall.ClusterOrder) },
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			id := strings.TrimPrefix(key, "cluster/")
			c, ok := s.Wall.Clusters[id]
			if !ok {
				return nil, false
			}
			return ClusterDoc{ID: c.ID, Name: c.Name, Votes: c.Votes, Order: slices.Index(s.Wall.ClusterOrder, id)}, true
		},
	})
	meExtras["wall"] = func(e *Engine, s *State, p *Player) any {
		voted := s.Wall.Votes[p.ID]
		return WallMe{Voted: append([]string{}, voted...), VotesLeft: VotesPerPlayer - len(voted), Notes: s.Wall.notesOf(p.ID)}
	}
}

// prefixed returns ids with a prefix.
func prefixed(prefix string, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = prefix + id
	}
	return out
}

// NoteAddArgs are the arguments of note.add.
type NoteAddArgs struct {
	Text   string `json:"text"`
	Target string `json:"target"`
}

func addNote(x *ctx) error {
	var a NoteAddArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	w := &x.s.Wall
	text := strings.TrimSpace(a.Text)
	if err := checkLongText("note", "note", text, MaxNoteText); err != nil {
		return err
	}
	if a.Target != noteTargetDevs && a.Target != noteTargetOps {
		return invalid(noteTargetsMessage, "Adressez le post-it aux Dev (« devs ») ou aux Ops (« ops »).")
	}
	if w.notesBy()[x.player.ID] >= MaxNotesPerPlayer {
		return Errorf(EConflict, "You have posted %d notes, the most allowed; vote for clusters instead.",
			"Vous avez publié %d post-it, le maximum ; votez plutôt pour les groupes.", MaxNotesPerPlayer)
	}
	if len(w.NoteOrder) >= MaxNotes {
		return Errorf(EConflict, "The wall is full.", "Le mur est plein.")
	}
	id := x.s.idAt("n")
	w.Notes[id] = &Note{ID: id, Text: text, Target: a.Target, Author: x.player.ID, At: x.c.At}
	w.NoteOrder = append(w.NoteOrder, id)
	w.byAuthor[x.player.ID]++
	x.ch.touch("note/" + id)
	x.ch.private(x.player.ID)
	x.ch.result("noteId", id)
	return nil
}

// NoteHideArgs are the arguments of note.hide.
type NoteHideArgs struct {
	NoteID string `json:"noteId"`
	Hidden bool   `json:"hidden"`
}

func hideNote(x *ctx) error {
	var a NoteHideArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	n, err := x.noteArg(a.NoteID)
	if err != nil {
		return err
	}
	if n.Hidden == a.Hidden {
		return Errorf(EConflict, "The note is already like that.", "Ce post-it est déjà dans cet état.")
	}
	n.Hidden = a.Hidden
	x.ch.touch("note/" + n.ID)
	return nil
}

// NoteMoveArgs are the arguments of note.move.
type NoteMoveArgs struct {
	NoteID    string `json:"noteId"`
	ClusterID string `json:"clusterId"`
	// From, when given, is the cluster the facilitator saw the
	// note in: a note moved meanwhile is not moved again.
	From *string `json:"from,omitempty"`
}

func moveNote(x *ctx) error {
	var a NoteMoveArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	n, err := x.noteArg(a.NoteID)
	if err != nil {
		return err
	}
	if a.From != nil && *a.From != n.Cluster {
		return raceLost("This note changed cluster meanwhile (another move came first).",
			"Ce post-it a changé de groupe entre-temps (un autre déplacement est passé avant).")
	}
	if err := x.clusterStill(a.ClusterID); err != nil {
		return err
	}
	if n.Cluster == a.ClusterID {
		return Errorf(EConflict, "The note is already there.", "Ce post-it y est déjà.")
	}
	n.Cluster = a.ClusterID
	x.ch.touch("note/" + n.ID)
	return nil
}

// ClusterCreateArgs are the arguments of cluster.create.
type ClusterCreateArgs struct {
	Name string `json:"name"`
}

func createCluster(x *ctx) error {
	var a ClusterCreateArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	_, err := x.newCluster(a.Name)
	return err
}

// newCluster adds a cluster of that name to the wall and answers its id
// (cluster.create, notes.group).
func (x *ctx) newCluster(name string) (string, error) {
	name, err := cleanName("cluster name", "nom du groupe", name, MaxClusterName)
	if err != nil {
		return "", err
	}
	w := &x.s.Wall
	if len(w.ClusterOrder) >= MaxClusters {
		return "", Errorf(EConflict, "A wall has at most %d clusters.", "Un mur a au plus %d groupes.", MaxClusters)
	}
	id := x.s.idAt("k")
	w.Clusters[id] = &Cluster{ID: id, Name: name}
	w.ClusterOrder = append(w.ClusterOrder, id)
	x.ch.touch("cluster/" + id)
	x.ch.result("clusterId", id)
	return id, nil
}

// ClusterRenameArgs are the arguments of cluster.rename.
type ClusterRenameArgs struct {
	ClusterID string `json:"clusterId"`
	Name      string `json:"name"`
	// From, when given, is the name being replaced.
	From *string `json:"from,omitempty"`
}

func renameCluster(x *ctx) error {
	var a ClusterRenameArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	c, err := x.clusterArg(a.ClusterID)
	if err != nil {
		return err
	}
	if a.From != nil && *a.From != c.Name {
		return Errorf(EConflict, "This cluster was renamed meanwhile to “%s”; your name was not saved.",
			"Ce groupe a été renommé entre-temps en « %s » ; votre nom n'a pas été enregistré.", c.Name)
	}
	name, err := cleanName("cluster name", "nom du groupe", a.Name, MaxClusterName)
	if err != nil {
		return err
	}
	c.Name = name
	x.ch.touch("cluster/" + c.ID)
	return nil
}

// ClusterDeleteArgs are the arguments of cluster.delete.
type ClusterDeleteArgs struct {
	ClusterID string `json:"clusterId"`
}

func deleteCluster(x *ctx) error {
	var a ClusterDeleteArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	c, err := x.clusterArg(a.ClusterID)
	if err != nil {
		return err
	}
	w := &x.s.Wall
	for _, id := range w.NoteOrder {
		if n := w.Notes[id]; n.Cluster == c.ID {
			n.Cluster = ""
			x.ch.touch("note/" + id)
		}
	}
	for _, pid := range x.s.PlayerOrder {
		if i := slices.Index(w.Votes[pid], c.ID); i >= 0 {
			w.Votes[pid] = slices.Delete(w.Votes[pid], i, i+1)
			x.ch.private(pid)
		}
	}
	delete(w.Clusters, c.ID)
	w.ClusterOrder = slices.DeleteFunc(w.ClusterOrder, func(id string) bool { return id == c.ID })
	x.ch.touch("cluster/" + c.ID)
	for _, id := range w.ClusterOrder {
		x.ch.touch("cluster/" + id) // orders moved up
	}
	return nil
}

// ClusterVoteArgs are the arguments of cluster.vote.
type ClusterVoteArgs struct {
	ClusterID string `json:"clusterId"`
}

func voteCluster(x *ctx) error {
	var a ClusterVoteArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	c, err := x.clusterArg(a.ClusterID)
	if err != nil {
		return err
	}
	w := &x.s.Wall
	mine := w.Votes[x.player.ID]
	if slices.Contains(mine, c.ID) {
		return Errorf(EConflict, "You already voted for this cluster.", "Vous avez déjà voté pour ce groupe.")
	}
	if len(mine) >= VotesPerPlayer {
		return Errorf(EConflict, "You have used your %d votes; remove one to vote again.",
			"Vous avez utilisé vos %d votes ; retirez-en un pour voter à nouveau.", VotesPerPlayer)
	}
	w.Votes[x.player.ID] = append(mine, c.ID)
	c.Votes++
	x.ch.touch("cluster/" + c.ID)
	x.ch.private(x.player.ID)
	return nil
}

// ClusterUnvoteArgs are the arguments of cluster.unvote.
type ClusterUnvoteArgs struct {
	ClusterID string `json:"clusterId"`
}

func unvoteCluster(x *ctx) error {
	var a ClusterUnvoteArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	c, err := x.clusterArg(a.ClusterID)
	if err != nil {
		return err
	}
	w := &x.s.Wall
	i := slices.Index(w.Votes[x.player.ID], c.ID)
	if i < 0 {
		return Errorf(EConflict, "You have not voted for this cluster.", "Vous n'avez pas voté pour ce groupe.")
	}
	w.Votes[x.player.ID] = slices.Delete(w.Votes[x.player.ID], i, i+1)
	c.Votes--
	x.ch.touch("cluster/" + c.ID)
	x.ch.private(x.player.ID)
	return nil
}
