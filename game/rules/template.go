package rules

import (
	"math"
	"strings"
)

// A template is a text with {expression} placeholders, filled with the
// figures of the sprint it is told about: "technical debt {debt}, above
// the threshold of 20" reads "technical debt 31, above the threshold of
// 20". A rule's state is one, so that what players read carries its
// numbers.
type template struct {
	parts []string // literal text around the placeholders: len(exprs)+1
	exprs []*Expr
}

// parseTemplate splits a text into its literal parts and its placeholders
// and compiles them; it returns a sentence describing the first problem,
// or "".
func parseTemplate(s string, ids *idSets) (template, string) {
	var t template
	rest := s
	for {
		open := strings.IndexByte(rest, '{')
		close := strings.IndexByte(rest, '}')
		if open < 0 {
			if close >= 0 {
				return t, "a “}” closes no “{”"
			}
			t.parts = append(t.parts, rest)
			return t, ""
		}
		if close < open {
			return t, "a “}” closes no “{”"
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return t, "a “{” is not closed by “}”"
		}
		src := rest[open+1 : open+end]
		if strings.ContainsRune(src, '{') {
			return t, "placeholders cannot be nested"
		}
		x := &Expr{Src: src}
		if msg := x.compile(kindNumber, ids); msg != "" {
			return t, "{" + src + "}: " + msg
		}
		t.parts = append(t.parts, rest[:open])
		t.exprs = append(t.exprs, x)
		rest = rest[open+end+1:]
	}
}

// fill writes the template with the values of its placeholders in en.
func (t template) fill(en *env, lang string) (string, error) {
	if len(t.exprs) == 0 {
		return strings.Join(t.parts, ""), nil
	}
	var b strings.Builder
	for i, x := range t.exprs {
		b.WriteString(t.parts[i])
		v, err := x.float(en)
		if err != nil {
			return "", err
		}
		b.WriteString(placeholder(v, lang))
	}
	b.WriteString(t.parts[len(t.parts)-1])
	return b.String(), nil
}

// placeholder formats a number in a sentence: whole from 10 on, one
// decimal below (none when it is whole), a decimal comma in French.
func placeholder(v float64, lang string) string {
	if math.Abs(v) >= 10 {
		v = math.Round(v)
	} else {
		v = math.Round(v*10) / 10
	}
	return num(v, lang)
}

// textTemplate is a Text whose two languages are templates.
type textTemplate struct{ en, fr template }

func (t *textTemplate) fill(en *env) (Text, error) {
	e, err := t.en.fill(en, "en")
	if err != nil {
		return Text{}, err
	}
	f, err := t.fr.fill(en, "fr")
	if err != nil {
		return Text{}, err
	}
	return Text{e, f}, nil
}
