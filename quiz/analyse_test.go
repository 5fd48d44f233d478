package quiz

import (
	"math"
	"reflect"
	"testing"
)

func TestAnalyse(t *testing.T) {
	// Four attempts, two strong (totals 9 and 8 out of 10) and two weak.
	// "good" is answered right by the strong, "bad" by the weak, "all" by
	// everyone.
	totals := []float64{9, 8, 4, 3}
	good := []float64{1, 1, 0, 0}
	var items []ItemResult
	for i, total := range totals {
		items = append(items,
			ItemResult{Key: "good", Fraction: good[i], Total: total, Chosen: []int{int(1 - good[i])}},
			ItemResult{Key: "bad", Fraction: 1 - good[i], Total: total},
			ItemResult{Key: "all", Fraction: 1, Total: total, Chosen: []int{2}},
		)
	}
	stats := Analyse(items)
	if len(stats) != 3 || stats[0].Key != "all" || stats[1].Key != "bad" || stats[2].Key != "good" {
		t.Fatalf("stats not one per key in key order: %+v", stats)
	}
	all, bad, goodStats := stats[0], stats[1], stats[2]
	if goodStats.Attempts != 4 || goodStats.Facility != 50 || all.Facility != 100 {
		t.Errorf("facility: good %+v, all %+v", goodStats, all)
	}
	if !goodStats.DiscriminationKnown || goodStats.Discrimination < 50 {
		t.Errorf("a question the strong get right should discriminate strongly: %+v", goodStats)
	}
	if !bad.DiscriminationKnown || bad.Discrimination > -50 {
		t.Errorf("a question the weak get right should discriminate negatively: %+v", bad)
	}
	if all.DiscriminationKnown {
		t.Errorf("a question everyone gets right has no discrimination: %+v", all)
	}
	if !reflect.DeepEqual(goodStats.Options, []int{2, 2}) || !reflect.DeepEqual(all.Options, []int{0, 0, 4}) {
		t.Errorf("options: good %v, all %v", goodStats.Options, all.Options)
	}
}

func TestAnalyseDiscriminationIsPearson(t *testing.T) {
	// Marks x and rest-of-test y.
	x := []float64{0, 0, 1, 1, 1}
	y := []float64{1, 2, 2, 3, 4}
	var items []ItemResult
	for i := range x {
		items = append(items, ItemResult{Key: "q", Fraction: x[i], Total: x[i] + y[i]})
	}
	got := Analyse(items)[0]
	// Pearson r by hand: the sums of squared deviations are 1.2 for x and
	// 5.2 for y, and the sum of products of deviations is 1.8.
	want := 100 * 1.8 / math.Sqrt(1.2*5.2)
	if math.Abs(got.Discrimination-want) > 1e-9 || math.Abs(got.Facility-60) > 1e-9 {
		t.Errorf("got %+v, want discrimination %v facility 60", got, want)
	}
}

func TestAnalyseSmallSamples(t *testing.T) {
	if got := Analyse(nil); len(got) != 0 {
		t.Errorf("no items gave %+v", got)
	}
	one := Analyse([]ItemResult{{Key: "q", Fraction: 1, Total: 3, Chosen: []int{-1, 1}}})
	if one[0].DiscriminationKnown || one[0].Facility != 100 || !reflect.DeepEqual(one[0].Options, []int{0, 1}) {
		t.Errorf("one attempt: %+v", one[0])
	}
}
