package rules

import (
	"fmt"
	"regexp"
	"strings"
)

// Text is a sentence or a name shown to players, in English and in French.
// Every player-visible text of a scenario is a Text, and loading refuses a
// scenario in which either language is missing.
type Text struct {
	EN string `json:"en"`
	FR string `json:"fr"`
}

// In returns the text in the given language ("fr" for French, English for
// anything else).
func (t Text) In(lang string) string {
	if lang == "fr" {
		return t.FR
	}
	return t.EN
}

// textf builds a Text from two format strings that take the same arguments;
// arguments that are Texts are replaced by their text in the matching
// language.
func textf(en, fr string, args ...any) Text {
	return Text{EN: fmt.Sprintf(en, pick(args, "en")...), FR: French(fmt.Sprintf(fr, pick(args, "fr")...))}
}

// frenchSpaces puts no-break spaces where French typography wants them,
// so that a line never starts with a colon, a question mark or a closing
// guillemet, nor ends with an opening one: a no-break space before « : ; »,
// a narrow one before « ? ! ». Scenario texts get it when they are loaded,
// sentences built here when they are built.
var frenchSpaces = strings.NewReplacer("« ", "«\u00a0", " »", "\u00a0»", " :", "\u00a0:", " ;", "\u00a0;",
	" ?", "\u202f?", " !", "\u202f!")

// percentSpace finds a percent sign after a number, which takes a
// no-break space in French (a "%" after anything else may be a verb of a
// format string, left alone).
var percentSpace = regexp.MustCompile(`(\d) %`)

// sp is the space between a number and its unit: a no-break one in
// French, so that "3 h" never splits across two lines.
func sp(lang string) string {
	if lang == "fr" {
		return "\u00a0"
	}
	return " "
}

// frenchPart applies frenchSpaces and percentSpace to a piece of text.
func frenchPart(s string) string {
	return percentSpace.ReplaceAllString(frenchSpaces.Replace(s), "$1\u00a0%")
}

// French applies French typography to a sentence: no-break spaces before
// « : ; % », narrow ones before « ? ! », and inside guillemets.
func French(s string) string { return frenchText(s) }

// frenchText applies frenchPart to a French text, outside its
// {expression} placeholders, which keep their operators as written.
func frenchText(s string) string {
	var b strings.Builder
	for s != "" {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			b.WriteString(frenchPart(s))
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			b.WriteString(frenchPart(s))
			break
		}
		b.WriteString(frenchPart(s[:open]))
		b.WriteString(s[open : open+end+1])
		s = s[open+end+1:]
	}
	return b.String()
}

func pick(args []any, lang string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(Text); ok {
			out[i] = t.In(lang)
		} else {
			out[i] = a
		}
	}
	return out
}

// Error codes carried by *Error, so that a caller can react to a kind of
// refusal without parsing sentences.
const (
	CodeUnknownTeam     = "unknown_team"
	CodeUnknownAction   = "unknown_action"
	CodeNotYourAction   = "not_your_action"
	CodeDuplicateAction = "duplicate_action"
	CodeMissingPrereq   = "missing_prerequisite"
	CodeAlreadyOwned    = "already_owned"
	CodeOverCapacity    = "over_capacity"
	CodeWrongSprint     = "wrong_sprint"
	CodeIncidentPending = "incident_pending"
	CodeNoIncident      = "no_incident"
	CodeUnknownResponse = "unknown_response"
	CodeBadPostmortem   = "bad_postmortem"
	CodeWrongScenario   = "wrong_scenario"
	CodeInvalidArgument = "invalid_argument"
)

// Error is a refusal a player can act on: a machine-readable code and one
// sentence in English and in French that says what is wrong and what to do.
type Error struct {
	Code string `json:"code"`
	EN   string `json:"en"`
	FR   string `json:"fr"`
}

// Error implements the error interface with the English sentence.
func (e *Error) Error() string { return e.EN }

// Text returns the sentences of e as a Text.
func (e *Error) Text() Text { return Text{EN: e.EN, FR: e.FR} }

func errorf(code, en, fr string, args ...any) *Error {
	t := textf(en, fr, args...)
	return &Error{Code: code, EN: t.EN, FR: t.FR}
}

// joinTexts joins names in a sentence: "A, B and C", « A, B et C ».
func joinTexts(list []Text) Text {
	var en, fr []string
	for _, t := range list {
		en, fr = append(en, t.EN), append(fr, t.FR)
	}
	and := func(l []string, word string) string {
		if len(l) == 1 {
			return l[0]
		}
		return strings.Join(l[:len(l)-1], ", ") + " " + word + " " + l[len(l)-1]
	}
	return Text{and(en, "and"), and(fr, "et")}
}

// capitalize puts the first letter of s in upper case.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}
