package game

import (
	"strings"
	"testing"
)

// TestGroupSeveralNotes checks what the facilitator sees when grouping a
// selection: every note lands in the cluster, a new cluster can be made
// on the way, and a selection based on a wall that changed meanwhile is
// refused with a sentence and moves nothing (try checks the state).
func TestGroupSeveralNotes(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	a := g.join("ana", TeamDev)
	g.must(fac, "game.start", nil)
	var ids []string
	for _, txt := range []string{"tickets", "no access", "night deploys", "blame"} {
		ids = append(ids, g.must(player(a), "note.add", map[string]string{"text": txt, "target": "ops"}).Result["noteId"].(string))
	}
	ch := g.must(fac, "notes.group", map[string]any{"noteIds": ids[:3], "name": "Handoffs",
		"seen": map[string]string{ids[0]: "", ids[1]: "", ids[2]: ""}})
	k := ch.Result["clusterId"].(string)
	for _, id := range ids[:3] {
		if g.s.Wall.Notes[id].Cluster != k {
			t.Fatalf("note %s not grouped into %s", id, k)
		}
	}
	if g.s.Wall.Notes[ids[3]].Cluster != "" {
		t.Fatal("a note outside the selection moved")
	}
	// A second facilitator tab still sees ids[0] ungrouped.
	e := g.fails(EConflict, fac, "notes.group", map[string]any{"noteIds": []string{ids[0], ids[3]}, "clusterId": "",
		"seen": map[string]string{ids[0]: "", ids[3]: ""}})
	if !strings.Contains(e.Message, "changed cluster meanwhile") || !strings.Contains(e.MessageFR, "entre-temps") {
		t.Errorf("race message: %q / %q", e.Message, e.MessageFR)
	}
	g.fails(EConflict, fac, "note.move", map[string]any{"noteId": ids[0], "clusterId": "", "from": ""})
	g.fails(EInvalid, fac, "notes.group", map[string]any{"noteIds": []string{ids[0], ids[0]}, "clusterId": k})
	g.fails(EInvalid, fac, "notes.group", map[string]any{"noteIds": []string{ids[0]}})
	g.fails(ENotFound, fac, "notes.group", map[string]any{"noteIds": []string{"n999"}, "clusterId": k})
	g.fails(EForbidden, player(a), "notes.group", map[string]any{"noteIds": []string{ids[3]}, "clusterId": k})
	// Ungroup two of them with what the facilitator saw: accepted.
	g.must(fac, "notes.group", map[string]any{"noteIds": ids[:2], "clusterId": "", "seen": map[string]string{ids[0]: k, ids[1]: k}})
	if g.s.Wall.Notes[ids[0]].Cluster != "" || g.s.Wall.Notes[ids[2]].Cluster != k {
		t.Fatal("ungrouping moved the wrong notes")
	}
	// A cluster deleted meanwhile: the move is refused, the notes stay.
	k2 := g.must(fac, "cluster.create", map[string]string{"name": "Gone"}).Result["clusterId"].(string)
	g.must(fac, "cluster.delete", map[string]string{"clusterId": k2})
	e = g.fails(EConflict, fac, "notes.group", map[string]any{"noteIds": ids[:2], "clusterId": k2})
	if !strings.Contains(e.Message, "no longer exists") {
		t.Errorf("deleted cluster message: %q", e.Message)
	}
	g.fails(EConflict, fac, "cluster.rename", map[string]any{"clusterId": k, "name": "Mine", "from": "Old name"})
	g.must(fac, "cluster.rename", map[string]any{"clusterId": k, "name": "Hand-offs", "from": "Handoffs"})
}

// TestMergeClusters checks that merging keeps every note and every vote:
// a player who voted for both clusters gets one vote back.
func TestMergeClusters(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	a := g.join("ana", TeamDev)
	b := g.join("bob", TeamOps)
	g.must(fac, "game.start", nil)
	n1 := g.must(player(a), "note.add", map[string]string{"text": "one", "target": "ops"}).Result["noteId"].(string)
	n2 := g.must(player(b), "note.add", map[string]string{"text": "two", "target": "devs"}).Result["noteId"].(string)
	k1 := g.must(fac, "notes.group", map[string]any{"noteIds": []string{n1}, "name": "Tickets"}).Result["clusterId"].(string)
	k2 := g.must(fac, "notes.group", map[string]any{"noteIds": []string{n2}, "name": "Queues"}).Result["clusterId"].(string)
	g.must(player(a), "cluster.vote", map[string]string{"clusterId": k1})
	g.must(player(a), "cluster.vote", map[string]string{"clusterId": k2})
	g.must(player(b), "cluster.vote", map[string]string{"clusterId": k2})
	g.must(fac, "cluster.merge", map[string]string{"clusterId": k2, "intoId": k1})
	w := g.s.Wall
	if _, ok := w.Clusters[k2]; ok || len(w.ClusterOrder) != 1 {
		t.Fatal("the merged cluster is still there")
	}
	if w.Notes[n1].Cluster != k1 || w.Notes[n2].Cluster != k1 {
		t.Fatal("a note was lost in the merge")
	}
	if w.Clusters[k1].Votes != 2 || len(w.Votes[a]) != 1 || len(w.Votes[b]) != 1 {
		t.Fatalf("votes after the merge: cluster %d, ana %v, bob %v", w.Clusters[k1].Votes, w.Votes[a], w.Votes[b])
	}
	g.fails(EConflict, fac, "cluster.merge", map[string]string{"clusterId": k2, "intoId": k1})
	g.fails(EInvalid, fac, "cluster.merge", map[string]string{"clusterId": k1, "intoId": k1})
}
