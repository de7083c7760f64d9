package game

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Every result a handler returns in a whole game is exactly what its
// exported result type says: no key the type lacks, none it has missing.
func TestResultTypesMatchHandlers(t *testing.T) {
	types := map[string]any{
		"player.join": PlayerJoinResult{}, "note.add": NoteAddResult{},
		"cluster.create": ClusterCreateResult{}, "notes.group": NotesGroupResult{}, "card.add": CardAddResult{},
		"card.edit": CardEditResult{}, "quiz.answer": QuizAnswerResult{}, "question.ask": QuestionAskResult{},
	}
	seen := map[string]bool{}
	check := func(step string, ch *Change) {
		typ, ok := types[step]
		if !ok {
			if ch.Result != nil {
				t.Errorf("%s answers %v, but has no result type", step, ch.Result)
			}
			return
		}
		seen[step] = true
		v := reflect.New(reflect.TypeOf(typ))
		if err := DecodeResult(ch.Result, v.Interface()); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		var again, want map[string]any
		b, _ := json.Marshal(v.Interface())
		json.Unmarshal(b, &again)
		b, _ = json.Marshal(ch.Result)
		json.Unmarshal(b, &want)
		if !reflect.DeepEqual(again, want) {
			t.Errorf("%s answers %v, its result type reads %v", step, want, again)
		}
	}
	playWholeGame(t, func(*tgame, []string) {}, check)
	// Joins come before the playbook; a player let back in gets their seat
	// back with the same result.
	g := newTestGame(t, Settings{}, nil)
	join := func(nick, token string) *Change {
		return g.must(sys, "player.join", PlayerJoinArgs{Nickname: nick, TokenHash: hashOf(token)})
	}
	a := join("ana", "first").Result["playerId"].(string)
	g.must(fac, "player.kick", PlayerKickArgs{PlayerID: a})
	g.must(fac, "player.readmit", PlayerReadmitArgs{PlayerID: a})
	check("player.join", join("ana", "again"))
	for step := range types {
		if !seen[step] {
			t.Errorf("no command %s was checked", step)
		}
	}
}
