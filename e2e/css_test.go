package e2e

import (
	"io/fs"
	"strings"
	"testing"

	"devopschallenge/assets"
)

// TestHoverOnlyWithAPointer checks, without a browser, that no :hover
// style applies on touch screens, where hover sticks after a tap and hid
// the selected state of buttons: every :hover rule sits inside
// @media (hover: hover). The workshop checks the colours in Chromium.
func TestHoverOnlyWithAPointer(t *testing.T) {
	b, err := fs.ReadFile(assets.FS, "static/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	depth := 0
	var media []string // the at-rule opening each block, by depth
	start := 0
	for i, r := range css {
		switch r {
		case '{':
			head := strings.TrimSpace(css[start:i])
			if k := strings.LastIndex(head, "*/"); k >= 0 {
				head = strings.TrimSpace(head[k+2:])
			}
			inHover := false
			for _, m := range media {
				if strings.Contains(m, "(hover: hover)") {
					inHover = true
				}
			}
			if strings.Contains(head, ":hover") && !inHover {
				t.Errorf("rule %q applies :hover outside @media (hover: hover)", head)
			}
			media = append(media, head)
			depth++
			start = i + 1
		case '}':
			depth--
			media = media[:depth]
			start = i + 1
		case ';':
			if depth == 0 {
				start = i + 1
			}
		}
	}
}
