package main

import "testing"

// A "company" message reaches the teams of the sender's company (and the
// facilitator, handled by the caller), not the projector or other companies.
func TestSameCompany(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"1/dev", "1/ops", true},
		{"1/dev", "1/dev", true},
		{"1/dev", "2/dev", false},
		{"12/dev", "1/dev", false},
		{"proj", "1/dev", false},
		{"fac", "fac", false},
	} {
		if got := sameCompany(c.a, c.b); got != c.want {
			t.Errorf("sameCompany(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
