package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// summary is the best and the median of a server's accepted rounds, and how
// many rounds were refused.
type summary struct {
	best, median float64
	ok, refused  int
}

// summarize applies value to the rounds that were not refused. The best round
// is the one closest to the server's capacity (on a shared machine, other
// work only ever lowers a result); the median shows how typical it was.
func summarize(rs []round, value func(round) float64) summary {
	var s summary
	var vs []float64
	for _, r := range rs {
		if r.bad != "" {
			s.refused++
			continue
		}
		vs = append(vs, value(r))
	}
	s.ok = len(vs)
	if len(vs) == 0 {
		return s
	}
	slices.Sort(vs)
	s.best = vs[len(vs)-1]
	if len(vs)%2 == 1 {
		s.median = vs[len(vs)/2]
	} else {
		s.median = (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
	}
	return s
}

// cell prints "best (median)", or "refused" when no round was accepted, with
// "†N" when N rounds were refused.
func (s summary) cell(mb bool) string {
	if s.ok == 0 {
		if s.refused == 0 {
			return "—"
		}
		return "refused"
	}
	c := num(s.best, mb) + " (" + num(s.median, mb) + ")"
	if s.refused > 0 {
		c += fmt.Sprintf(" †%d", s.refused)
	}
	return c
}

// ratioCell prints a/b for the best rounds and, in parentheses, for the medians.
func ratioCell(a, b summary) string {
	if a.ok == 0 || b.ok == 0 || b.best == 0 || b.median == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f (%.2f)", a.best/b.best, a.median/b.median)
}

// num prints a count with thousands separators; MB figures keep one decimal
// under 100.
func num(v float64, mb bool) string {
	if mb && v < 100 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
