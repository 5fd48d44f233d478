package roleplay

import (
	"math"
	"testing"
)

// table2 expands a 2×2 yes/no table into pairs, yes = 1 and no = 0: yy pairs where both
// said yes, yn where A said yes and B no, and so on.
func table2(yy, yn, ny, nn int) []RatingPair {
	var ps []RatingPair
	add := func(n, a, b int) {
		for range n {
			ps = append(ps, RatingPair{A: a, B: b, Max: 1})
		}
	}
	add(yy, 1, 1)
	add(yn, 1, 0)
	add(ny, 0, 1)
	add(nn, 0, 0)
	return ps
}

// table expands a square table of counts (A's score by row, B's by column) into pairs.
func table(counts [][]int) []RatingPair {
	var ps []RatingPair
	for a, row := range counts {
		for b, n := range row {
			for range n {
				ps = append(ps, RatingPair{A: a, B: b, Max: len(counts) - 1})
			}
		}
	}
	return ps
}

// lists pairs up two raters' score lists on the scale 0..max.
func lists(a, b []int, max int) []RatingPair {
	ps := make([]RatingPair, len(a))
	for i := range a {
		ps[i] = RatingPair{A: a[i], B: b[i], Max: max}
	}
	return ps
}

// The irr package's anxiety data (20 subjects rated 1–6; raters 2 and 3), as recorded in
// statsmodels' statsmodels/stats/tests/test_inter_rater.py. Neither rater used 5, and irr's
// kappa2 spaces the levels that occur evenly, so 1, 2, 3, 4, 6 become levels 0..4 here.
var (
	anxietyLevel = map[int]int{1: 0, 2: 1, 3: 2, 4: 3, 6: 4}
	anxietyR2    = []int{3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4}
	anxietyR3    = []int{2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2}
)

func anxiety() []RatingPair {
	ps := make([]RatingPair, len(anxietyR2))
	for i := range anxietyR2 {
		ps[i] = RatingPair{A: anxietyLevel[anxietyR2[i]], B: anxietyLevel[anxietyR3[i]], Max: 4}
	}
	return ps
}

// TestCohenKappaPublished checks CohenKappa against worked examples with published results.
func TestCohenKappaPublished(t *testing.T) {
	maple := []int{9, 7, 8, 7, 6, 8, 3, 5, 10}
	tests := []struct {
		name   string
		pairs  []RatingPair
		w      Weighting
		want   float64
		places int // decimal places the source gives
	}{
		// Wikipedia, "Cohen's kappa", Examples: 50 grant proposals, 20 yes/yes, 5 yes/no,
		// 10 no/yes, 15 no/no; p_o = 0.7, p_e = 0.5, κ = 0.4. With two categories the
		// weightings coincide.
		{"wikipedia 50 proposals", table2(20, 5, 10, 15), Unweighted, 0.4, 10},
		{"wikipedia 50 proposals, linear", table2(20, 5, 10, 15), Linear, 0.4, 10},
		{"wikipedia 50 proposals, quadratic", table2(20, 5, 10, 15), Quadratic, 0.4, 10},
		// Same article, "Same percentages but different numbers": 60% agreement in both
		// tables, κ = 0.1304 and 0.2593.
		{"wikipedia 45/15/25/15", table2(45, 15, 25, 15), Unweighted, 0.1304, 4},
		{"wikipedia 25/35/5/35", table2(25, 35, 5, 35), Unweighted, 0.2593, 4},
		// SAS PROC FREQ printout for the 3×3 table [[0 4 1] [0 8 0] [0 1 5]], recorded in
		// statsmodels' test_inter_rater.py (UnweightedCohens, TestWeightedCohens): simple
		// kappa 0.4842, weighted kappa with scores 0, 1, 2 (Cicchetti–Allison) 0.4701.
		{"SAS 3×3 simple", table([][]int{{0, 4, 1}, {0, 8, 0}, {0, 1, 5}}), Unweighted, 0.4842, 4},
		{"SAS 3×3 linear", table([][]int{{0, 4, 1}, {0, 8, 0}, {0, 1, 5}}), Linear, 0.4701, 4},
		// R irr's kappa2(anxiety[,2:3]) with weight "unweighted", "equal" and "squared",
		// recorded in the same statsmodels test (test_cohens_kappa_irr).
		{"irr anxiety unweighted", anxiety(), Unweighted, -0.006289308, 9},
		{"irr anxiety equal (linear)", anxiety(), Linear, 0.1459075, 7},
		{"irr anxiety squared", anxiety(), Quadratic, 0.2520325, 7},
		// Maple help, EssayTools[QuadraticWeightedKappa], Examples 1 and 2 (scores 1–10).
		{"maple example 1", lists(maple, []int{8, 8, 6, 6, 7, 6, 1, 4, 8}, 10), Quadratic, 0.758620689655172, 15},
		{"maple example 2", lists(maple, []int{3, 5, 6, 6, 7, 6, 1, 4, 8}, 10), Quadratic, 0.438095238095238, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := CohenKappa(tt.pairs, tt.w)
			if !ok || math.Abs(got-tt.want) > 0.5*math.Pow(10, -float64(tt.places)) {
				t.Errorf("CohenKappa(%v) = %.12f, %v; want %.*f", tt.w, got, ok, tt.places, tt.want)
			}
		})
	}
}

func TestCohenKappaEdges(t *testing.T) {
	tests := []struct {
		name   string
		pairs  []RatingPair
		w      Weighting
		want   float64
		wantOK bool
	}{
		{"no pairs", nil, Linear, 0, false},
		{"perfect agreement", table([][]int{{3, 0, 0}, {0, 4, 0}, {0, 0, 5}}), Linear, 1, true},
		{"both always give the same single score: undefined", table2(10, 0, 0, 0), Unweighted, 0, false},
		{"each rater constant but different: no better than chance", table2(0, 10, 0, 0), Unweighted, 0, true},
		{"systematic opposite", table2(0, 5, 5, 0), Unweighted, -1, true},
		{"unused top category changes nothing", []RatingPair{{0, 0, 3}, {1, 1, 3}, {0, 1, 3}, {1, 0, 3}, {1, 1, 3}}, Linear, 1 - 2*5.0/(2*3+3*2), true},
		{"mixed Max", []RatingPair{{0, 0, 3}, {1, 1, 3}, {1, 1, 4}}, Linear, 0, false},
		{"score above Max", []RatingPair{{0, 0, 3}, {4, 1, 3}}, Linear, 0, false},
		{"negative score", []RatingPair{{0, 0, 3}, {-1, 1, 3}}, Linear, 0, false},
		{"Max 0", []RatingPair{{0, 0, 0}}, Unweighted, 0, false},
		{"unknown weighting", table2(20, 5, 10, 15), Weighting(7), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := CohenKappa(tt.pairs, tt.w)
			if ok != tt.wantOK || math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("CohenKappa() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestAgree(t *testing.T) {
	// nine returns nine agreeing pairs on 0..2 plus extra ones, in a new slice each time.
	nine := func(extra ...RatingPair) []RatingPair {
		return append(table([][]int{{3, 0, 0}, {0, 3, 0}, {0, 0, 3}}), extra...)
	}
	tests := []struct {
		name  string
		pairs []RatingPair
		want  Agreement
	}{
		{"no pairs", nil, Agreement{}},
		{"only invalid pairs", []RatingPair{{5, 0, 3}, {0, 0, 0}}, Agreement{Skipped: 2}},
		{"too few pairs for kappa", nine(), Agreement{Pairs: 9, Exact: 1, Adjacent: 1}},
		{"ten identical pairs: kappa undefined", table([][]int{{0, 0}, {0, 10}}), Agreement{Pairs: 10, Exact: 1, Adjacent: 1}},
		{"ten agreeing pairs", nine(RatingPair{1, 1, 2}), Agreement{Pairs: 10, Exact: 1, Adjacent: 1, Kappa: 1, KappaOK: true}},
		{"mixed Max: no kappa, shares still count", nine(RatingPair{1, 3, 4}, RatingPair{0, 0, 4}),
			Agreement{Pairs: 11, Exact: 10.0 / 11, Adjacent: 10.0 / 11, MeanAbsDiff: 2.0 / 11}},
		// SAS table above: 13 of 19 exact, 18 of 19 within one level (the 1 at 0→2 is not),
		// |A−B| sums to 7; kappa is the linear one, 0.4701.
		{"SAS 3×3", table([][]int{{0, 4, 1}, {0, 8, 0}, {0, 1, 5}}),
			Agreement{Pairs: 19, Exact: 13.0 / 19, Adjacent: 18.0 / 19, MeanAbsDiff: 7.0 / 19, Kappa: 118.0 / 251, KappaOK: true}},
		{"invalid pairs are skipped", append(table([][]int{{0, 4, 1}, {0, 8, 0}, {0, 1, 5}}), RatingPair{3, 0, 2}),
			Agreement{Pairs: 19, Skipped: 1, Exact: 13.0 / 19, Adjacent: 18.0 / 19, MeanAbsDiff: 7.0 / 19, Kappa: 118.0 / 251, KappaOK: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Agree(tt.pairs)
			if !sameAgreement(got, tt.want) {
				t.Errorf("Agree() =\n  %+v\nwant\n  %+v", got, tt.want)
			}
		})
	}
}

func sameAgreement(a, b Agreement) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-12 }
	return a.Pairs == b.Pairs && a.Skipped == b.Skipped && a.KappaOK == b.KappaOK &&
		near(a.Exact, b.Exact) && near(a.Adjacent, b.Adjacent) && near(a.MeanAbsDiff, b.MeanAbsDiff) && near(a.Kappa, b.Kappa)
}

func TestDisagreementByCriterion(t *testing.T) {
	got := DisagreementByCriterion(map[string][]RatingPair{
		"listening": {{3, 3, 3}, {2, 2, 3}}, // mean |A−B| 0
		"policy":    {{0, 3, 3}, {1, 2, 3}}, // 2
		"options":   {{0, 1, 3}, {2, 2, 3}}, // 0.5
		"diagnosis": {{1, 0, 3}, {2, 2, 3}}, // 0.5, ties with options: by key
		"follow-up": {{9, 9, 3}},            // no valid pair: left out
		"empty":     nil,                    // left out
	})
	want := []struct {
		key  string
		mean float64
	}{{"policy", 2}, {"diagnosis", 0.5}, {"options", 0.5}, {"listening", 0}}
	if len(got) != len(want) {
		t.Fatalf("got %d criteria, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Key != w.key || got[i].MeanAbsDiff != w.mean || got[i].Pairs != 2 {
			t.Errorf("[%d] = %s %.2f (%d pairs), want %s %.2f (2 pairs)", i, got[i].Key, got[i].MeanAbsDiff, got[i].Pairs, w.key, w.mean)
		}
	}
	if DisagreementByCriterion(nil) != nil {
		t.Error("DisagreementByCriterion(nil) is not empty")
	}
}
