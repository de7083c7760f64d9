package game

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// Every document an audience receives in a whole game is a value of an
// exported type, down to its parts, and that type reads all of it back: a
// Go client decodes it without declaring a type of its own and loses
// nothing.
func TestDocumentsHaveExportedTypes(t *testing.T) {
	var g *tgame
	var actors []Actor
	seen := map[string]bool{}
	reported := map[string]bool{}
	checkDoc := func(step string, v Viewer, key string) {
		d, ok := g.e.Doc(g.s, v, key)
		if !ok {
			return
		}
		kind, _, _ := strings.Cut(key, "/")
		seen[kind] = true
		if bad := unexportedPart(reflect.ValueOf(d), kind); bad != "" && !reported[bad] {
			reported[bad] = true
			t.Errorf("after %s, document %s has a part of an unexported type: %s", step, key, bad)
		}
		checkReadsBack(t, key, d)
	}
	// Every document at the start, then those each command touched.
	setup := func(gg *tgame, ids []string) {
		g = gg
		actors = []Actor{fac, proj, player(ids[0]), player(ids[5])}
		for _, a := range actors {
			v := g.s.ViewerOf(a)
			for key := range g.e.Snapshot(g.s, v) {
				checkDoc("the joins", v, key)
			}
		}
	}
	check := func(step string, ch *Change) {
		for _, a := range actors {
			v := g.s.ViewerOf(a)
			for _, key := range ch.Docs {
				checkDoc(step, v, key)
			}
			if v.Role == RolePlayer && slices.Contains(ch.Private, v.PlayerID) {
				checkDoc(step, v, "me")
			}
		}
	}
	playWholeGame(t, setup, check)
	// The whole game cites no figure: a citation of a game of its own.
	g, ids := evidenceGame(t)
	card := g.must(player(ids[TeamDev]), "card.add", map[string]string{"kind": "advantage", "text": "Our lead time is long"}).Result["cardId"].(string)
	g.must(player(ids[TeamDev]), "evidence.cite", CiteArgs{CardID: card, Metric: "leadTimeHours", Sprints: []int{0}})
	checkDoc("evidence.cite", g.s.ViewerOf(fac), "evidence/"+card)
	for kind := range docKinds {
		if !seen[kind] {
			t.Errorf("no %s document was checked", kind)
		}
	}
}

// unexportedPart returns where v, or a part of it, is a value of an
// unexported named type ("" when nowhere).
func unexportedPart(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Invalid:
		return ""
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return unexportedPart(v.Elem(), path)
	}
	ty := v.Type()
	if name := ty.Name(); ty.PkgPath() != "" && !unicode.IsUpper([]rune(name)[0]) {
		return path + " (" + ty.String() + ")"
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := ty.Field(i); f.IsExported() {
				if bad := unexportedPart(v.Field(i), path+"."+f.Name); bad != "" {
					return bad
				}
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if bad := unexportedPart(v.Index(i), path+"[]"); bad != "" {
				return bad
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if bad := unexportedPart(it.Value(), path+"["+it.Key().String()+"]"); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// checkReadsBack decodes a document's JSON into a new value of its type
// and checks that encoding it again says the same.
func checkReadsBack(t *testing.T, key string, d any) {
	t.Helper()
	ty := reflect.TypeOf(d)
	if ty.Kind() == reflect.Pointer {
		ty = ty.Elem()
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	v := reflect.New(ty)
	if err := json.Unmarshal(b, v.Interface()); err != nil {
		t.Fatalf("%s does not decode into %s: %v", key, ty, err)
	}
	again, _ := json.Marshal(v.Interface())
	var want, got any
	json.Unmarshal(b, &want)
	json.Unmarshal(again, &got)
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s decoded into %s and encoded again differs:\n%s\nwas\n%s", key, ty, again, b)
	}
}
