package quiz

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// drawBank is a small bank: five refund questions in module a, three law
// questions in module b, one question with both tags, and a description
// and a category that must never be drawn.
func drawBank() []Banked {
	var bank []Banked
	add := func(key, module, tags string, typ Type) {
		bank = append(bank, Banked{Key: key, Module: module, Question: Question{Type: typ, Name: key, Tags: strings.Fields(tags)}})
	}
	for _, k := range []string{"r1", "r2", "r3", "r4", "r5"} {
		add(k, "a", "refund", MultiChoice)
	}
	for _, k := range []string{"l1", "l2", "l3"} {
		add(k, "b", "law", TrueFalse)
	}
	add("both", "b", "Refund law", Numerical)
	add("desc", "a", "refund law", Description)
	add("cat", "a", "refund law", Category)
	return bank
}

func TestDraw(t *testing.T) {
	tests := []struct {
		name  string
		rules []DrawRule
		seen  []string
		want  []string // the set drawn, in any order; nil means check counts only
		count int
	}{
		{"by tag, case-insensitive", []DrawRule{{Tags: []string{"LAW"}, Count: 4}}, nil, []string{"l1", "l2", "l3", "both"}, 4},
		{"by tag and module", []DrawRule{{Tags: []string{"refund"}, Modules: []string{"b"}, Count: 1}}, nil, []string{"both"}, 1},
		{"module only", []DrawRule{{Modules: []string{"b"}, Count: 4}}, nil, []string{"l1", "l2", "l3", "both"}, 4},
		{"prefers unseen", []DrawRule{{Tags: []string{"refund"}, Count: 2}}, []string{"r1", "r2", "r3", "r4"}, []string{"r5", "both"}, 2},
		{"falls back to seen", []DrawRule{{Tags: []string{"law"}, Count: 4}}, []string{"l1", "l2"}, []string{"l1", "l2", "l3", "both"}, 4},
		{"no key twice across rules", []DrawRule{{Tags: []string{"law"}, Count: 4}, {Tags: []string{"refund"}, Count: 5}},
			nil, []string{"l1", "l2", "l3", "both", "r1", "r2", "r3", "r4", "r5"}, 9},
		{"zero count", []DrawRule{{Tags: []string{"law"}, Count: 0}}, nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			for _, k := range tt.seen {
				seen[k] = true
			}
			got, err := Draw(drawBank(), tt.rules, seen, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.count {
				t.Fatalf("drew %v, want %d keys", got, tt.count)
			}
			if tt.want != nil && !reflect.DeepEqual(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tt.want))) {
				t.Errorf("drew %v, want %v", got, tt.want)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Errorf("drew a key twice: %v", got)
			}
		})
	}
}

func TestDrawErrors(t *testing.T) {
	tests := []struct {
		name  string
		rules []DrawRule
		msg   string
	}{
		{"pool too small", []DrawRule{{Tags: []string{"law"}, Count: 5}}, "rule 1 (tags law, modules any): needs 5 questions, the bank has 4"},
		{"earlier rule used the pool", []DrawRule{{Tags: []string{"refund"}, Count: 6}, {Tags: []string{"law"}, Count: 4}}, "rule 2"},
		{"unknown tag", []DrawRule{{Tags: []string{"nope"}, Count: 1}}, "the bank has 0"},
		{"negative count", []DrawRule{{Count: -1}}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Draw(drawBank(), tt.rules, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error = %v, want one containing %q", err, tt.msg)
			}
		})
	}
}

func TestDrawIsDeterministicAndRandom(t *testing.T) {
	rules := []DrawRule{{Tags: []string{"refund"}, Count: 3}}
	a, _ := Draw(drawBank(), rules, nil, rand.New(rand.NewPCG(5, 6)))
	b, _ := Draw(drawBank(), rules, nil, rand.New(rand.NewPCG(5, 6)))
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed drew %v and %v", a, b)
	}
	draws := map[string]bool{}
	for seed := range uint64(20) {
		keys, _ := Draw(drawBank(), rules, nil, rand.New(rand.NewPCG(seed, seed)))
		draws[strings.Join(keys, ",")] = true
	}
	if len(draws) < 5 {
		t.Errorf("20 seeds gave only %d different draws", len(draws))
	}
	if keys, _ := Draw(drawBank(), rules, nil, nil); !reflect.DeepEqual(keys, []string{"r1", "r2", "r3"}) {
		t.Errorf("nil rng drew %v, want the bank's order", keys)
	}
}
