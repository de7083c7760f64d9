// Package strictjson is the one strict JSON decoder of the project: HTTP
// request bodies (server) and command arguments (game) go through it. Unknown
// fields, wrong types and anything after the value are refused with an
// apperr.Error whose sentence names the field and what was expected.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"

	"devopschallenge/apperr"
)

// Subject names what is decoded as it reads inside a sentence, in English
// and French: "the request body", "the arguments of note.add".
type Subject struct{ EN, FR string }

// Decode decodes raw strictly into v. Empty input reads as {}.
func Decode(raw []byte, v any, what Subject) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return explain(err, what)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.Errorf(apperr.EInvalid, "Send %[1]s as a single JSON object.",
			"Envoyez %[2]s sous la forme d'un seul objet JSON.", what.EN, what.FR)
	}
	return nil
}

// explain turns a decoding error into a sentence about what, in words a
// person can act on (no Go type names, no parser jargon).
func explain(err error, what Subject) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		en, fr := expected(te.Type)
		if te.Field == "" {
			return apperr.Errorf(apperr.EInvalid, "Send %[1]s as %[3]s.", "Envoyez %[2]s sous la forme d'%[4]s.", what.EN, what.FR, en, fr)
		}
		return apperr.Errorf(apperr.EInvalid, "In %[1]s, field %[3]q has the wrong type: it takes %[4]s.",
			"Dans %[2]s, le champ %[3]q n'a pas le bon type : il attend %[5]s.", what.EN, what.FR, te.Field, en, fr)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return apperr.Errorf(apperr.EInvalid, "Unknown field %[3]s in %[1]s.", "Champ inconnu %[3]s dans %[2]s.", what.EN, what.FR, f)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if strings.Contains(se.Error(), "max depth") {
			return apperr.Errorf(apperr.EInvalid, "Could not read %[1]s: it nests too deeply.",
				"Impossible de lire %[2]s : il est imbriqué trop profondément.", what.EN, what.FR)
		}
		return apperr.Errorf(apperr.EInvalid, "Could not read %[1]s: it is not valid JSON (at character %[3]d).",
			"Impossible de lire %[2]s : ce n'est pas du JSON valide (au caractère %[3]d).", what.EN, what.FR, se.Offset)
	}
	return apperr.Errorf(apperr.EInvalid, "Could not read %[1]s: it is not valid JSON (it ends too early).",
		"Impossible de lire %[2]s : ce n'est pas du JSON valide (il s'arrête trop tôt).", what.EN, what.FR)
}

// expected says in words what a Go type takes, in English and French
// ("a number", "un nombre"), with the article French needs after "d'"
// dropped where the caller adds it.
func expected(t reflect.Type) (en, fr string) {
	switch t.Kind() {
	case reflect.String:
		return "a text", "un texte"
	case reflect.Bool:
		return "true or false", "true ou false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number", "un nombre entier"
	case reflect.Float32, reflect.Float64:
		return "a number", "un nombre"
	case reflect.Slice, reflect.Array:
		return "a list", "une liste"
	default:
		return "an object", "un objet"
	}
}
