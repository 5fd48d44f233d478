package quiz

import (
	"math"
	"sort"
)

// ItemResult is how one attempt did on one question: the input row of item
// analysis, one per question per finished attempt.
type ItemResult struct {
	// Key identifies the question.
	Key string `json:"key"`
	// Fraction is the mark earned on the question, from 0 to 1.
	Fraction float64 `json:"fraction"`
	// Chosen are the answer indexes chosen (see ChosenAnswers), for the
	// option distribution; empty for other question types.
	Chosen []int `json:"chosen,omitempty"`
	// Total is the attempt's total mark in the same unit, each question
	// worth 1: the sum of the attempt's fractions.
	Total float64 `json:"total"`
}

// ItemStats are Moodle's quiz statistics for one question, which tell a
// trainer which questions are too easy, too hard or misleading.
type ItemStats struct {
	Key string `json:"key"`
	// Attempts is how many results the statistics are based on.
	Attempts int `json:"attempts"`
	// Facility is the mean mark as a percentage: how easy the question is.
	Facility float64 `json:"facility"`
	// Discrimination is the correlation, ×100, between the mark on this
	// question and the mark on the rest of the test: how well the question
	// separates strong from weak students. Near zero or negative suggests a
	// flawed question. It is meaningful only when DiscriminationKnown.
	Discrimination float64 `json:"discrimination"`
	// DiscriminationKnown is false when the correlation is undefined: fewer
	// than two attempts, or everyone scored the same on the question or on
	// the rest of the test.
	DiscriminationKnown bool `json:"discrimination_known"`
	// Options[i] is how many attempts chose answer index i.
	Options []int `json:"options,omitempty"`
}

// Analyse computes item statistics per question key from finished attempts,
// sorted by key.
func Analyse(items []ItemResult) []ItemStats {
	byKey := map[string][]ItemResult{}
	for _, it := range items {
		byKey[it.Key] = append(byKey[it.Key], it)
	}
	stats := make([]ItemStats, 0, len(byKey))
	for key, rows := range byKey {
		stats = append(stats, analyseItem(key, rows))
	}
	sort.Slice(stats, func(i, j int) bool { return stats[i].Key < stats[j].Key })
	return stats
}

// analyseItem computes the statistics of one question.
func analyseItem(key string, rows []ItemResult) ItemStats {
	s := ItemStats{Key: key, Attempts: len(rows)}
	n := float64(len(rows))
	var meanMark, meanRest float64
	for _, r := range rows {
		meanMark += r.Fraction / n
		meanRest += (r.Total - r.Fraction) / n
		for _, c := range r.Chosen {
			if c < 0 {
				continue
			}
			for len(s.Options) <= c {
				s.Options = append(s.Options, 0)
			}
			s.Options[c]++
		}
	}
	s.Facility = 100 * meanMark

	var cov, varMark, varRest float64
	for _, r := range rows {
		dm, dr := r.Fraction-meanMark, r.Total-r.Fraction-meanRest
		cov += dm * dr
		varMark += dm * dm
		varRest += dr * dr
	}
	const tiny = 1e-12
	if len(rows) >= 2 && varMark > tiny && varRest > tiny {
		s.Discrimination = 100 * cov / math.Sqrt(varMark*varRest)
		s.DiscriminationKnown = true
	}
	return s
}
