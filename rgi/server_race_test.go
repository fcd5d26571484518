//go:build race

package rgi

// raceEnabled: the race runtime allocates on its own, so allocation counts
// are not asserted under -race.
const raceEnabled = true
