package game

import (
	"encoding/json"
	"strings"
	"testing"
)

// joinFrom joins a player from a browser (a device hash) with a token.
func (g *tgame) joinFrom(nick, device, token string) (*Change, error) {
	g.t.Helper()
	args := map[string]string{"nickname": nick, "tokenHash": hashOf(token)}
	if device != "" {
		args["deviceHash"] = hashOf(device)
	}
	return g.try(sys, "player.join", args)
}

// removedList returns what the facilitator's "removed" document lists.
func removedList(t *testing.T, g *tgame) []RemovedPlayer {
	t.Helper()
	doc, ok := g.e.Doc(g.s, Viewer{Role: RoleFacilitator}, "removed")
	if !ok {
		t.Fatal("the facilitator has no removed document")
	}
	var d RemovedDoc
	b, _ := json.Marshal(doc)
	json.Unmarshal(b, &d)
	return d.Players
}

func TestARemovedPlayerStaysOutUntilLetBack(t *testing.T) {
	g := newTestGame(t, Settings{Companies: 2}, []Phase{{Kind: KindLobby}, {Kind: KindWall, Minutes: 10}, {Kind: KindRetro}})
	ch, err := g.joinFrom("ana", "phone-ana", "tok-ana")
	if err != nil {
		t.Fatal(err)
	}
	ana := ch.Result["playerId"].(string)
	g.join("bob", TeamOps)
	team, company := g.s.Players[ana].Team, g.s.Players[ana].Company
	g.must(fac, "game.start", nil)
	g.must(player(ana), "note.add", map[string]string{"text": "Releases wait a month", "target": "ops"})
	g.must(fac, "player.kick", map[string]string{"playerId": ana})
	if l := removedList(t, g); len(l) != 1 || l[0].ID != ana || l[0].Nickname != "ana" || l[0].LetBack {
		t.Fatalf("removed players: %+v", l)
	}
	if _, ok := g.e.Doc(g.s, Viewer{Role: RoleProjector}, "removed"); ok {
		t.Error("the projector sees the removed players")
	}

	// The same nickname (any case), or the same browser under another
	// nickname: refused, with a sentence saying what to do.
	for _, try := range []struct{ nick, device string }{{"ANA", "another-phone"}, {"ana", ""}, {"anna", "phone-ana"}} {
		if _, err := g.joinFrom(try.nick, try.device, "t2-"+try.nick+try.device); !IsCode(err, EForbidden) {
			t.Errorf("%s from %q: %v; want forbidden", try.nick, try.device, err)
		}
	}
	// Someone else is not kept out.
	if _, err := g.joinFrom("carla", "phone-carla", "tok-carla"); err != nil {
		t.Errorf("another player joining: %v", err)
	}

	// Only a removed player can be let back, and once.
	bob := g.s.PlayerOrder[1]
	g.fails(EConflict, fac, "player.readmit", map[string]string{"playerId": bob})
	g.fails(ENotFound, fac, "player.readmit", map[string]string{"playerId": "p999"})
	g.fails(EForbidden, player(bob), "player.readmit", map[string]string{"playerId": ana})
	g.must(fac, "player.readmit", map[string]string{"playerId": ana})
	g.fails(EConflict, fac, "player.readmit", map[string]string{"playerId": ana})
	if l := removedList(t, g); len(l) != 1 || !l[0].LetBack {
		t.Fatalf("after letting back: %+v", l)
	}

	// Ana joins again from her phone under another nickname: she is back
	// in her seat with a new token, her note still counted as hers.
	ch, err = g.joinFrom("Ana B", "phone-ana", "tok-ana-2")
	if err != nil {
		t.Fatalf("joining again after being let back: %v", err)
	}
	if ch.Result["playerId"] != ana || ch.Result["team"] != team || ch.Result["company"] != company {
		t.Errorf("back as %v; want %s in %s/%d", ch.Result, ana, team, company)
	}
	p := g.s.Players[ana]
	if p.Kicked || p.Nickname != "Ana B" {
		t.Errorf("after coming back: kicked %v, nickname %q", p.Kicked, p.Nickname)
	}
	if _, ok := g.s.PlayerByToken(hashOf("tok-ana")); ok {
		t.Error("the token revoked at the removal works again")
	}
	if q, ok := g.s.PlayerByToken(hashOf("tok-ana-2")); !ok || q.ID != ana {
		t.Error("the new token does not identify Ana")
	}
	if l := removedList(t, g); len(l) != 0 {
		t.Errorf("removed players after she came back: %+v", l)
	}
	me, _ := g.e.Doc(g.s, Viewer{Role: RolePlayer, PlayerID: ana, Company: company, Team: team}, "me")
	if b, _ := json.Marshal(me); !strings.Contains(string(b), `"notes":1`) {
		t.Errorf("her note is no longer counted as hers: %s", b)
	}

	// Removed again, she is kept out again.
	g.must(fac, "player.kick", map[string]string{"playerId": ana})
	if _, err := g.joinFrom("ana", "phone-ana", "tok-ana-3"); !IsCode(err, EForbidden) {
		t.Errorf("joining after a second removal: %v", err)
	}
}

func TestLettingBackByNickname(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	ana := g.join("ana", TeamQA)
	g.must(fac, "player.kick", map[string]string{"playerId": ana})
	g.must(fac, "player.readmit", map[string]string{"playerId": ana})
	// No cookie (another browser, or a client without one): the
	// nickname finds her seat.
	ch := g.must(sys, "player.join", map[string]string{"nickname": "Ana", "team": TeamDev, "tokenHash": hashOf("tok-ana-again")})
	if ch.Result["playerId"] != ana || g.s.Players[ana].Team != TeamQA {
		t.Errorf("back as %v in %s; want %s in qa", ch.Result["playerId"], g.s.Players[ana].Team, ana)
	}
	g.fails(EInvalid, sys, "player.join", map[string]string{"nickname": "zed", "tokenHash": hashOf("z"), "deviceHash": "nothex"})
}

// docAs decodes a document as the projector sees it.
func docAs[T any](t *testing.T, g *tgame, key string) T {
	t.Helper()
	var out T
	doc, ok := g.e.Doc(g.s, Viewer{Role: RoleProjector}, key)
	if !ok {
		t.Fatalf("the projector has no %s document", key)
	}
	b, _ := json.Marshal(doc)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A player removed by the facilitator takes back every vote they cast on
// others' work: a sock puppet, once removed, moves no result.
func TestARemovedPlayersVotesAreWithdrawn(t *testing.T) {
	g := newTestGame(t, Settings{Companies: 2}, []Phase{{Kind: KindLobby}, {Kind: KindWall, Minutes: 10}, {Kind: KindDebate, Minutes: 10}, {Kind: KindRetro}})
	for _, tm := range Teams {
		g.join("real-"+tm, tm)
	}
	puppet := g.join("puppet", TeamOps)
	g.must(fac, "game.start", nil)
	k := g.must(fac, "cluster.create", map[string]string{"name": "Handoffs"}).Result["clusterId"].(string)
	g.must(player(puppet), "cluster.vote", map[string]string{"clusterId": k})
	g.must(fac, "phase.next", nil) // the debate: company 1's dev presents first
	asker := g.s.PlayerOrder[2]    // real-qa
	q := g.must(player(asker), "question.ask", map[string]string{"text": "How do you measure it?"}).Result["questionId"].(string)
	g.must(player(puppet), "question.upvote", map[string]string{"questionId": q})
	g.must(player(puppet), "rating.submit", map[string]int{"clarity": 1, "relevance": 1, "collaboration": 1})
	g.must(fac, "motion.set", map[string]string{"motionId": g.e.scenario(g.s).Debates[0].ID})
	g.must(fac, "motion.open", map[string]string{"stage": "before"})
	g.must(player(puppet), "motion.vote", map[string]string{"vote": "against"})
	before := docAs[DebateDoc](t, g, "debate")
	if before.Tally["before"].Against != 1 || before.Ratings["1/dev"].Count != 1 {
		t.Fatalf("the puppet's votes should count before it is removed: %+v %+v", before.Tally, before.Ratings)
	}

	g.must(fac, "player.kick", map[string]string{"playerId": puppet})
	after := docAs[DebateDoc](t, g, "debate")
	if after.Tally["before"].Against != 0 || after.Ratings["1/dev"].Count != 0 {
		t.Errorf("after the removal the motion tally is %+v and the ratings %+v; want nothing from the puppet", after.Tally, after.Ratings)
	}
	if c := docAs[ClusterDoc](t, g, "cluster/"+k); c.Votes != 0 {
		t.Errorf("the cluster keeps %d votes after the removal", c.Votes)
	}
	if d := docAs[QuestionDoc](t, g, "question/"+q); d.Upvotes != 0 {
		t.Errorf("the question keeps %d upvotes after the removal", d.Upvotes)
	}
	// Let back, the player votes again from nothing.
	g.must(fac, "player.readmit", map[string]string{"playerId": puppet})
}

// A game closed to newcomers refuses new players with a sentence, lets
// back those the facilitator let back, and opens again.
func TestAGameClosedToNewcomers(t *testing.T) {
	g := newTestGame(t, Settings{Companies: 1}, []Phase{{Kind: KindLobby}, {Kind: KindWall, Minutes: 10}, {Kind: KindRetro}})
	if _, err := g.joinFrom("ana", "phone-ana", "tok-ana"); err != nil {
		t.Fatal(err)
	}
	ana := g.s.PlayerOrder[0]
	g.must(fac, "player.kick", map[string]string{"playerId": ana})
	g.must(fac, "player.readmit", map[string]string{"playerId": ana})
	g.must(fac, "game.close", GameCloseArgs{Closed: true})
	if d := docAs[GameDoc](t, g, "game"); !d.Closed || !g.s.JoinInfo().Closed {
		t.Fatalf("the game document and the join page should say the game is closed: %+v", d)
	}
	g.fails(EConflict, fac, "game.close", GameCloseArgs{Closed: true})
	if _, err := g.joinFrom("puppet", "phone-x", "tok-x"); !IsCode(err, EForbidden) || !strings.Contains(err.Error(), "closed this game to newcomers") {
		t.Fatalf("a newcomer to a closed game: %v", err)
	}
	if len(g.s.PlayerOrder) != 1 {
		t.Fatalf("players after a refused join: %v", g.s.PlayerOrder)
	}
	// Ana, let back, comes back all the same.
	if _, err := g.joinFrom("Ana", "phone-ana", "tok-ana-2"); err != nil {
		t.Fatalf("a player let back, to a closed game: %v", err)
	}
	g.must(fac, "game.close", GameCloseArgs{Closed: false})
	if _, err := g.joinFrom("bob", "phone-bob", "tok-bob"); err != nil {
		t.Fatalf("a newcomer once the game is open again: %v", err)
	}
}
