//go:build !race

package rgi

// raceEnabled: see server_race_test.go.
const raceEnabled = false
