package sim

import (
	"testing"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

func BenchmarkPlay(b *testing.B) {
	scn, _ := rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	for _, st := range Strategies() {
		b.Run(st.Name(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Play(scn, st, uint64(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
