package roleplay

import (
	"cmp"
	"slices"
)

// MinPairs is the fewest rating pairs for which Agree reports a kappa; below it kappa swings
// too much from one drill to the next to tell supervisors anything.
const MinPairs = 10

// RatingPair is two raters' level scores for one criterion of one drill; Max is that
// criterion's top score, so the scores are categories 0..Max. A pair whose scores fall
// outside 0..Max, or whose Max is below 1, is left out of every statistic.
type RatingPair struct {
	A, B int
	Max  int
}

func (p RatingPair) valid() bool {
	return p.Max >= 1 && p.A >= 0 && p.A <= p.Max && p.B >= 0 && p.B <= p.Max
}

// Agreement summarises how well two supervisors agree when rating the same drills, for the
// admin's calibration page.
type Agreement struct {
	// Pairs is how many pairs were counted; Skipped how many were left out as invalid.
	Pairs   int
	Skipped int
	// Exact is the share of pairs with identical scores; Adjacent the share that differ by
	// at most one level (exact ones included). Both are 0 when there are no pairs.
	Exact    float64
	Adjacent float64
	// MeanAbsDiff is the mean of |A−B| in levels.
	MeanAbsDiff float64
	// Kappa is Cohen's kappa with linear weights. Read it only when KappaOK: it is false
	// with fewer than MinPairs pairs, with pairs of different Max (different scales cannot
	// share one agreement table: compare per criterion, or group pairs by Max first), or
	// when kappa is undefined because chance alone would give perfect agreement.
	Kappa   float64
	KappaOK bool
}

// Agree computes exact and adjacent agreement, the mean absolute difference and linearly
// weighted Cohen's kappa over the valid pairs. See Agreement for when kappa is reported.
func Agree(pairs []RatingPair) Agreement {
	var a Agreement
	var valid []RatingPair
	for _, p := range pairs {
		if p.valid() {
			valid = append(valid, p)
		} else {
			a.Skipped++
		}
	}
	a.Pairs = len(valid)
	if a.Pairs == 0 {
		return a
	}
	exact, adjacent, diff := 0, 0, 0
	for _, p := range valid {
		d := abs(p.A - p.B)
		if d == 0 {
			exact++
		}
		if d <= 1 {
			adjacent++
		}
		diff += d
	}
	n := float64(a.Pairs)
	a.Exact = float64(exact) / n
	a.Adjacent = float64(adjacent) / n
	a.MeanAbsDiff = float64(diff) / n
	if a.Pairs >= MinPairs {
		a.Kappa, a.KappaOK = CohenKappa(valid, Linear)
	}
	return a
}

// Weighting says how much a disagreement counts by its size in Cohen's kappa.
type Weighting int

// The weightings. Linear is what Agree reports: a rubric's levels are ordered, so raters one
// level apart disagree less than raters three levels apart.
const (
	// Unweighted counts every disagreement fully (Cohen 1960).
	Unweighted Weighting = iota
	// Linear weighs a disagreement by |A−B| (Cicchetti–Allison weights).
	Linear
	// Quadratic weighs a disagreement by (A−B)² (Fleiss–Cohen weights), as in essay scoring.
	Quadratic
)

// String names the weighting, for test output and logs.
func (w Weighting) String() string {
	switch w {
	case Unweighted:
		return "unweighted"
	case Linear:
		return "linear"
	case Quadratic:
		return "quadratic"
	}
	return "unknown"
}

func (w Weighting) weight(i, j int) float64 {
	d := abs(i - j)
	switch w {
	case Linear:
		return float64(d)
	case Quadratic:
		return float64(d) * float64(d)
	}
	if d == 0 {
		return 0
	}
	return 1
}

// CohenKappa is Cohen's kappa for two raters with the given weighting:
// 1 − Σ w·observed ÷ Σ w·expected, where expected comes from each rater's own distribution of
// scores. It reports false when there are no pairs, when a pair is invalid, when the pairs
// have different Max, or when the expected disagreement is 0 (kappa undefined). It does not
// apply MinPairs, so it can be checked against small published examples. Categories no one
// used do not change the result, so kappa "over 0..Max" equals kappa over the scores seen.
func CohenKappa(pairs []RatingPair, w Weighting) (float64, bool) {
	if len(pairs) == 0 || w < Unweighted || w > Quadratic {
		return 0, false
	}
	rows, cols := map[int]int{}, map[int]int{}
	observed := 0.0 // integer-valued, so the sum is exact in any order
	for _, p := range pairs {
		if !p.valid() || p.Max != pairs[0].Max {
			return 0, false
		}
		rows[p.A]++
		cols[p.B]++
		observed += w.weight(p.A, p.B)
	}
	expected := 0.0 // Σ w·rowᵢ·colⱼ, that is N × the expected disagreement in pairs
	for i, r := range rows {
		for j, c := range cols {
			expected += w.weight(i, j) * float64(r) * float64(c)
		}
	}
	if expected == 0 {
		return 0, false
	}
	return 1 - observed*float64(len(pairs))/expected, true
}

// CriterionAgreement is the agreement on one rubric criterion: one row of the admin's
// "which criteria do raters disagree on" table.
type CriterionAgreement struct {
	Key string
	Agreement
}

// DisagreementByCriterion computes the agreement per criterion (pairs keyed by criterion key)
// and orders the criteria by mean absolute difference, largest first, then by key: the top
// of the list is what raters disagree on most and what calibration should discuss. Criteria
// without a valid pair are left out.
func DisagreementByCriterion(byKey map[string][]RatingPair) []CriterionAgreement {
	var out []CriterionAgreement
	for k, pairs := range byKey {
		if a := Agree(pairs); a.Pairs > 0 {
			out = append(out, CriterionAgreement{Key: k, Agreement: a})
		}
	}
	slices.SortFunc(out, func(x, y CriterionAgreement) int {
		if c := cmp.Compare(y.MeanAbsDiff, x.MeanAbsDiff); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
