//go:build !race

package handler

// raceEnabled shortens the heaviest tests under the race detector.
const raceEnabled = false
