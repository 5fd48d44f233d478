package quiz

import (
	"math"
	"strconv"
)

// fractionOptions are the positive grade fractions Moodle offers
// (question_bank::fraction_options_full); their negatives and 0 are allowed
// too. Moodle's import refuses any other answer weight, and so do we, so a
// bank that imports here also imports into Moodle.
var fractionOptions = []float64{
	1, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4,
	0.3333333, 0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
}

// fractionTolerance is how close a weight must be to an allowed fraction, as
// in Moodle's match_grade_options(): 33.333% is accepted as 1/3, 33.3% is not.
const fractionTolerance = 0.00001

// snapFraction returns the allowed fraction f stands for, and false when f is
// not close enough to any of them.
func snapFraction(f float64) (float64, bool) {
	if math.Abs(f) < fractionTolerance {
		return 0, true
	}
	for _, o := range fractionOptions {
		if math.Abs(f-o) < fractionTolerance {
			return o, true
		}
		if math.Abs(f+o) < fractionTolerance {
			return -o, true
		}
	}
	return 0, false
}

// formatPercent writes a fraction as the GIFT weight that reads back as the
// same fraction: 0.3333333 → "33.33333".
func formatPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e7)/1e5, 'f', -1, 64)
}

// isFull reports whether a fraction counts as full marks, allowing for the
// rounding of fractions such as 3 × 0.3333333.
func isFull(f float64) bool {
	return f >= 1-1e-6
}
