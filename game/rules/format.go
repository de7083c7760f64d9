package rules

// Numbers and durations as the engine's sentences tell them, in English
// and French.

import (
	"fmt"
	"math"
	"strings"
)

// num formats a number for a sentence: few decimals, a decimal comma in
// French.
func num(v float64, lang string) string {
	a := math.Abs(v)
	var s string
	switch {
	case a >= 100 || a == math.Trunc(a):
		s = fmt.Sprintf("%.0f", v)
	case a >= 10:
		s = fmt.Sprintf("%.1f", v)
	case a >= 0.01:
		s = strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
	default:
		s = strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
	}
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// tenth rounds to one decimal: a duration told to a class reads "2.7 h",
// not "2.71 h".
func tenth(v float64) float64 { return math.Round(v*10) / 10 }

// duration formats hours in the unit that reads best.
func duration(h float64, lang string) string {
	switch {
	case h < 1:
		return num(math.Round(h*60), lang) + sp(lang) + "min"
	case h < 48:
		return num(tenth(h), lang) + sp(lang) + "h"
	case lang == "fr":
		return num(tenth(h/24), lang) + sp(lang) + "jours"
	}
	return num(tenth(h/24), lang) + " days"
}

// show formats a metric value.
func show(id string, v float64, lang string) string {
	switch id {
	case "leadTimeHours", "timeToRestoreHours", "downtimeHours", "incidentHours", "exposureHours":
		return duration(v, lang)
	case "batchSize":
		if lang == "fr" {
			return num(v, lang) + sp(lang) + plural(math.Round(v*100)/100, "point de changement", "points de changement", lang)
		}
		return num(v, lang) + " change points"
	case "deploysPerDay":
		if v >= 1 || v == 0 {
			if lang == "fr" {
				return num(v, lang) + " par jour"
			}
			return num(v, lang) + " per day"
		}
		if lang == "fr" {
			return "1 tous les " + num(1/v, lang) + sp(lang) + plural(math.Round(100/v)/100, "jour", "jours", lang)
		}
		return "1 every " + num(1/v, lang) + " days"
	case "changeFailureRate":
		return num(v*100, lang) + sp(lang) + "%"
	case "availability":
		t := fmt.Sprintf("%.2f", v*100)
		if lang == "fr" {
			t = strings.Replace(t, ".", ",", 1)
		}
		return t + sp(lang) + "%"
	}
	return num(v, lang)
}
