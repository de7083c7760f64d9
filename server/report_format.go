package server

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Numbers, durations and dates of the exports, written as a reader of
// the export's language expects: a decimal comma and a narrow space
// between thousands in French, a point and a comma in English, and as
// many digits as the size of the number deserves.

// nbsp and nnbsp are the no-break spaces French puts before units and
// between thousands.
const (
	nbsp  = "\u00a0"
	nnbsp = "\u202f"
)

// decimals is how many decimals a number of this size deserves: none from
// 100 on, one from 1 to 100, two significant digits below 1.
func decimals(f float64) int {
	a := math.Abs(f)
	switch {
	case a == 0 || a >= 100:
		return 0
	case a >= 1:
		return 1
	}
	// 0.034 → 3 decimals (0.034); 0.5 → 2 (0.5 once trimmed).
	return min(6, 1-int(math.Floor(math.Log10(a))))
}

// round rounds f to d decimals.
func round(f float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(f*p) / p
}

// fmtFixed writes f with exactly d decimals (then trims trailing zeros),
// in the language's style.
func fmtFixed(f float64, d int, lang string) string { return writeNum(f, d, lang, true) }

// writeNum writes f with d decimals at most, thousands grouped or not
// (a spreadsheet reads "3 392" as text).
func writeNum(f float64, d int, lang string, group bool) string {
	f = round(f, d)
	if f == 0 {
		f = 0 // no "-0"
	}
	s := strconv.FormatFloat(f, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	sep, point := ",", "."
	if lang == "fr" {
		sep, point = nnbsp, ","
	}
	if group && len(intPart) > 3 {
		var b strings.Builder
		for i, c := range intPart {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				b.WriteString(sep)
			}
			b.WriteRune(c)
		}
		intPart = b.String()
	}
	if hasFrac {
		intPart += point + frac
	}
	if neg && group {
		return "−" + intPart // the minus sign, in text
	}
	if neg {
		return "-" + intPart
	}
	return intPart
}

// fmtNum writes a number with the decimals its size deserves.
func fmtNum(f float64, lang string) string { return fmtFixed(f, decimals(f), lang) }

// fmtPct writes a share (0.098) as a percentage (9.8 %); close to 100 %
// (availability) it keeps two decimals, since 99.5 % and 99.96 % differ.
func fmtPct(share float64, lang string) string {
	p := 100 * share
	d := decimals(p)
	if p >= 99 && p < 100 {
		d = 2
		if round(p, d) == 100 {
			d = 3
		}
	}
	return fmtFixed(p, d, lang) + unitSpace(lang) + "%"
}

func unitSpace(lang string) string {
	if lang == "fr" {
		return nbsp
	}
	return ""
}

// fmtHours writes a duration given in hours in the unit that reads best:
// minutes under an hour, hours under two days, days beyond.
func fmtHours(h float64, lang string) string {
	switch {
	case h <= 0:
		return "0"
	case h < 1:
		return fmtNum(h*60, lang) + nbsp + "min"
	case h < 48:
		return fmtNum(h, lang) + nbsp + "h"
	}
	unit := "d"
	if lang == "fr" {
		unit = "j"
	}
	return fmtNum(h/24, lang) + nbsp + unit
}

// fmtMinutes writes a duration given in minutes.
func fmtMinutes(m float64, lang string) string { return fmtHours(m/60, lang) }

// fmtPerDay writes a deployment frequency: "2.5 a day" from one a day on,
// "1 every 35 days" below.
func fmtPerDay(perDay float64, lang string) string {
	fr := lang == "fr"
	switch {
	case perDay <= 0:
		if fr {
			return "aucun"
		}
		return "none"
	case perDay >= 1:
		if fr {
			return fmtNum(perDay, lang) + " par jour"
		}
		return fmtNum(perDay, lang) + " a day"
	}
	days := 1 / perDay
	d := 1
	if days >= 10 {
		d = 0 // "1 every 75 days", not 75.2
	}
	if fr {
		return "1 tous les " + fmtFixed(days, d, lang) + " jours"
	}
	return "1 every " + fmtFixed(days, d, lang) + " days"
}

var monthsFR = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// fmtDate writes the day of a Unix millisecond time (UTC).
func fmtDate(ms int64, lang string) string {
	t := time.UnixMilli(ms).UTC()
	if lang == "fr" {
		d := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			d = "1er"
		}
		return d + " " + monthsFR[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("2 January 2006")
}
