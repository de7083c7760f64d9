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

// explain turns a decoding error into a sentence about what.
func explain(err error, what Subject) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return apperr.Errorf(apperr.EInvalid, "In %[1]s, field %[3]q has the wrong type (expected %[4]s).",
			"Dans %[2]s, le champ %[3]q n'a pas le bon type (attendu : %[4]s).", what.EN, what.FR, te.Field, te.Type.String())
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return apperr.Errorf(apperr.EInvalid, "Unknown field %[3]s in %[1]s.", "Champ inconnu %[3]s dans %[2]s.", what.EN, what.FR, f)
	}
	return apperr.Errorf(apperr.EInvalid, "Could not read %[1]s: it is not valid JSON (%[3]v).",
		"Impossible de lire %[2]s : ce n'est pas du JSON valide (%[3]v).", what.EN, what.FR, err)
}
