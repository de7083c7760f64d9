package game

import (
	"slices"
)

// Grouping several notes at once and merging clusters: what a facilitator
// does with a wall of 40 notes (select several, drop them on a cluster,
// merge two clusters that say the same thing). Each command says what the
// facilitator saw (the cluster each note was in, the name being
// replaced): when the wall changed meanwhile (another facilitator's move,
// a cluster deleted), the command is refused with a sentence saying what
// changed, and nothing moves, so that nothing is lost.

// MaxGroupNotes is the most notes one notes.group command moves.
const MaxGroupNotes = 200

// raceLost is the refusal of a move based on a wall that changed.
func raceLost(en, fr string, args ...any) error {
	return Errorf(EConflict, en+" Nothing was moved; look at the wall again and redo the move.",
		fr+" Rien n'a été déplacé ; regardez de nouveau le mur et refaites le déplacement.", args...)
}

// checkSeen refuses a move when a note is no longer where the facilitator
// saw it; seen maps a note id to its cluster as seen ("" for none).
func (x *ctx) checkSeen(ids []string, seen map[string]string) ([]*Note, error) {
	w := &x.s.Wall
	notes := make([]*Note, 0, len(ids))
	moved := 0
	for _, id := range ids {
		n, ok := w.Notes[id]
		if !ok {
			return nil, notFound("note", "Aucune note", id)
		}
		if was, ok := seen[id]; ok && was != n.Cluster {
			moved++
		}
		notes = append(notes, n)
	}
	if moved > 0 {
		return nil, raceLost("%d of these notes changed cluster meanwhile (another move came first).",
			"%d de ces post-it ont changé de groupe entre-temps (un autre déplacement est passé avant).", moved)
	}
	return notes, nil
}

func init() {

}

// NotesGroupArgs are the arguments of notes.group.
type NotesGroupArgs struct {
	NoteIDs   []string          `json:"noteIds"`
	ClusterID *string           `json:"clusterId,omitempty"`
	Name      string            `json:"name,omitempty"`
	Seen      map[string]string `json:"seen,omitempty"`
}

// notes.group puts several notes into a cluster: an existing one
// (clusterId, "" to ungroup them) or a new one (name). seen, when
// given, maps each note to the cluster the facilitator saw it in.
func groupNotes(x *ctx) error {
	var a NotesGroupArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if len(a.NoteIDs) == 0 || len(a.NoteIDs) > MaxGroupNotes {
		return invalid("Choose 1 to %d notes to group.", "Choisissez de 1 à %d post-it à regrouper.", MaxGroupNotes)
	}
	if slices.Contains(a.NoteIDs, "") || len(slices.Compact(slices.Sorted(slices.Values(a.NoteIDs)))) != len(a.NoteIDs) {
		return invalid("Each note may be named once.", "Chaque post-it ne peut être cité qu'une fois.")
	}
	if (a.ClusterID == nil) == (a.Name == "") {
		return invalid("Say where the notes go: an existing cluster (clusterId) or a new one (name).",
			"Indiquez où vont les post-it : un groupe existant (clusterId) ou un nouveau (name).")
	}
	notes, err := x.checkSeen(a.NoteIDs, a.Seen)
	if err != nil {
		return err
	}
	target := ""
	if a.ClusterID != nil {
		if err := x.clusterStill(*a.ClusterID); err != nil {
			return err
		}
		target = *a.ClusterID
	}
	if a.Name != "" {
		if target, err = x.newCluster(a.Name); err != nil {
			return err
		}
	}
	movedAny := false
	for _, n := range notes {
		if n.Cluster != target {
			n.Cluster = target
			x.ch.touch("note/" + n.ID)
			movedAny = true
		}
	}
	if !movedAny && a.Name == "" {
		return Errorf(EConflict, "These notes are already there.", "Ces post-it y sont déjà.")
	}
	x.ch.result("moved", len(notes))
	return nil
}

// ClusterMergeArgs are the arguments of cluster.merge.
type ClusterMergeArgs struct {
	ClusterID string `json:"clusterId"`
	IntoID    string `json:"intoId"`
}

// cluster.merge moves every note of a cluster into another one and
// removes it; its votes follow (a player who voted for both keeps one
// vote and gets the other back).
func mergeClusters(x *ctx) error {
	var a ClusterMergeArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if a.ClusterID == a.IntoID {
		return invalid("A cluster cannot be merged into itself.", "Un groupe ne peut pas être fusionné avec lui-même.")
	}
	w := &x.s.Wall
	from, ok := w.Clusters[a.ClusterID]
	into, ok2 := w.Clusters[a.IntoID]
	if !ok || !ok2 {
		return raceLost("One of the two clusters no longer exists (deleted or merged meanwhile).",
			"L'un des deux groupes n'existe plus (supprimé ou fusionné entre-temps).")
	}
	for _, id := range w.NoteOrder {
		if n := w.Notes[id]; n.Cluster == from.ID {
			n.Cluster = into.ID
			x.ch.touch("note/" + id)
		}
	}
	for _, pid := range x.s.PlayerOrder {
		votes := w.Votes[pid]
		i := slices.Index(votes, from.ID)
		if i < 0 {
			continue
		}
		if slices.Contains(votes, into.ID) {
			w.Votes[pid] = slices.Delete(votes, i, i+1)
		} else {
			votes[i] = into.ID
			into.Votes++
		}
		x.ch.private(pid)
	}
	delete(w.Clusters, from.ID)
	w.ClusterOrder = slices.DeleteFunc(w.ClusterOrder, func(id string) bool { return id == from.ID })
	x.ch.touch("cluster/" + from.ID)
	for _, id := range w.ClusterOrder {
		x.ch.touch("cluster/" + id) // votes and orders moved
	}
	return nil
}
