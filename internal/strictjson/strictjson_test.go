package strictjson

import (
	"strings"
	"testing"

	"devopschallenge/apperr"
)

func TestDecode(t *testing.T) {
	what := Subject{EN: "the arguments of note.add", FR: "les arguments de note.add"}
	type args struct {
		Text  string `json:"text"`
		Count int    `json:"count"`
	}
	for _, tc := range []struct {
		name, in string
		en, fr   string // expected in the sentences; "" for no error
		text     string
		count    int
	}{
		{name: "good", in: `{"text":"hi","count":2}`, text: "hi", count: 2},
		{name: "empty reads as {}", in: "  "},
		{name: "null", in: "null"},
		{name: "unknown field", in: `{"txt":"hi"}`, en: `Unknown field "txt" in the arguments of note.add.`,
			fr: `Champ inconnu "txt" dans les arguments de note.add.`},
		{name: "wrong type", in: `{"count":"two"}`, en: `In the arguments of note.add, field "count" has the wrong type: it takes a whole number.`,
			fr: `Dans les arguments de note.add, le champ "count" n'a pas le bon type : il attend un nombre entier.`},
		{name: "a list for an object", in: `[]`, en: "Send the arguments of note.add as an object.",
			fr: "Envoyez les arguments de note.add sous la forme d'un objet."},
		{name: "too deep", in: strings.Repeat("[", 20000), en: "it nests too deeply", fr: "imbriqué trop profondément"},
		{name: "not JSON", in: `{"text":`, en: "Could not read the arguments of note.add: it is not valid JSON",
			fr: "Impossible de lire les arguments de note.add : ce n'est pas du JSON valide"},
		{name: "two objects", in: `{} {}`, en: "Send the arguments of note.add as a single JSON object.",
			fr: "Envoyez les arguments de note.add sous la forme d'un seul objet JSON."},
		{name: "a closing brace after", in: `{} }`, en: "single JSON object", fr: "un seul objet JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a args
			err := Decode([]byte(tc.in), &a, what)
			if tc.en == "" {
				if err != nil || a.Text != tc.text || a.Count != tc.count {
					t.Fatalf("got %+v, %v", a, err)
				}
				return
			}
			e := apperr.AsError(err)
			if e.Code != apperr.EInvalid || !strings.Contains(e.Message, tc.en) || !strings.Contains(e.MessageFR, tc.fr) {
				t.Fatalf("got %v (%q / %q), want invalid with %q / %q", err, e.Message, e.MessageFR, tc.en, tc.fr)
			}
		})
	}
}
