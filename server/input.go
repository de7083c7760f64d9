package server

import (
	"unicode/utf8"

	"devopschallenge/apperr"
)

// validText reports whether a JSON message is text as its sender meant
// it: valid UTF-8, and no \u escape of half a UTF-16 surrogate pair. Go's
// JSON decoder would turn either into U+FFFD silently, storing something
// the sender never wrote.
func validText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		i++ // the escaped character; a backslash escapes the next one only
		if i >= len(b) || b[i] != 'u' {
			continue
		}
		r, ok := hex4(b, i+1)
		if !ok {
			continue // malformed: the decoder refuses it
		}
		i += 4
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return false // a low half without its high half
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 >= len(b) || b[i+1] != '\\' || b[i+2] != 'u' {
				return false
			}
			if lo, ok := hex4(b, i+3); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		}
	}
	return true
}

// hex4 reads the 4 hexadecimal digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// errBadText refuses a message that is not valid UTF-8 text.
func errBadText() error {
	return apperr.Errorf(apperr.EInvalid,
		"The message contains bytes that are not valid UTF-8 text; send the text as UTF-8.",
		"Le message contient des octets qui ne sont pas du texte UTF-8 valide ; envoyez le texte en UTF-8.")
}

// errBinaryFrame refuses a binary WebSocket frame.
func errBinaryFrame() error {
	return apperr.Errorf(apperr.EInvalid,
		"Send messages as text frames holding JSON; binary frames are not read.",
		"Envoyez les messages dans des trames texte contenant du JSON ; les trames binaires ne sont pas lues.")
}
