package server

import "testing"

func TestExportNumbersReadAsTheLanguageWrites(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{fmtNum(83.88, "fr"), "83,9"},
		{fmtNum(83.88, "en"), "83.9"},
		{fmtNum(0.0133, "fr"), "0,013"},
		{fmtNum(0.03, "fr"), "0,03"},
		{fmtNum(0.5, "en"), "0.5"},
		{fmtNum(150.973, "fr"), "151"},
		{fmtNum(3392, "fr"), "3\u202f392"},
		{fmtNum(3392, "en"), "3,392"},
		{fmtNum(1234567, "en"), "1,234,567"},
		{fmtNum(70, "fr"), "70"},
		{fmtNum(-2.46, "fr"), "−2,5"},
		{fmtNum(0, "fr"), "0"},
		{fmtPct(0.0979, "fr"), "9,8\u00a0%"},
		{fmtPct(0.0979, "en"), "9.8%"},
		{fmtPct(0.9996, "fr"), "99,96\u00a0%"},
		{fmtPct(0.99999, "en"), "99.999%"},
		{fmtPct(1, "en"), "100%"},
		{fmtPct(0.35, "en"), "35%"},
		{fmtHours(3616, "fr"), "151\u00a0j"},
		{fmtHours(3616, "en"), "151\u00a0d"},
		{fmtHours(33.56, "fr"), "33,6\u00a0h"},
		{fmtHours(0.4, "en"), "24\u00a0min"},
		{fmtMinutes(40, "fr"), "40\u00a0min"},
		{fmtPerDay(0.0133, "fr"), "1 tous les 75 jours"},
		{fmtPerDay(0.0133, "en"), "1 every 75 days"},
		{fmtPerDay(2.5, "en"), "2.5 a day"},
		{fmtPerDay(0.4, "fr"), "1 tous les 2,5 jours"},
		{fmtPerDay(0, "fr"), "aucun"},
		{fmtDate(1796232387286, "fr"), "2 décembre 2026"},
		{fmtDate(1796232387286, "en"), "2 December 2026"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
