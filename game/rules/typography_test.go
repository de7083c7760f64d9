package rules

import (
	"strings"
	"testing"
)

// TestFrenchTypography checks the spaces French readers expect: no-break
// before « : ; » and a number's %, narrow before « ? ! », inside
// guillemets; placeholders and format verbs left as written.
func TestFrenchTypography(t *testing.T) {
	for in, want := range map[string]string{
		"Dette technique : 31 ; seuil 20 !":            "Dette technique\u00a0: 31\u00a0; seuil 20\u202f!",
		"Peut-on livrer sans « étape manuelle » ?":     "Peut-on livrer sans «\u00a0étape manuelle\u00a0»\u202f?",
		"99,9 % de disponibilité":                      "99,9\u00a0% de disponibilité",
		"Sur les %d participants (%s pour)":            "Sur les %d participants (%s pour)",
		"Un déploiement {a > 1 ? a : b} jours : lent":  "Un déploiement {a > 1 ? a : b} jours\u00a0: lent",
		"Déjà«\u00a0propre\u00a0»\u00a0: rien à faire": "Déjà«\u00a0propre\u00a0»\u00a0: rien à faire",
	} {
		if got := French(in); got != want {
			t.Errorf("French(%q) = %q, want %q", in, got, want)
		}
	}
	// A scenario's French text gets it when it is loaded.
	scn := loadEcommerce(t)
	for _, q := range scn.Quiz {
		if strings.Contains(q.Question.FR, " ?") || !strings.HasSuffix(q.Question.FR, "\u202f?") {
			t.Errorf("quiz %s: %q is loaded without the narrow space before its question mark", q.ID, q.Question.FR)
		}
	}
}
