package roleplay

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// levels03 is the usual four-level scale 0..3.
func levels03() []Level {
	return []Level{{0, "没做到"}, {1, "做了一部分"}, {2, "做到了"}, {3, "做得很好"}}
}

// standard is the standard six criteria weighted 20/20/15/15/15/15.
func standard() Rubric {
	return Rubric{
		{Key: "listening", Title: "倾听与共情", Weight: 20, Levels: levels03()},
		{Key: "no-arguing", Title: "不争辩不推诿", Weight: 20, Levels: levels03()},
		{Key: "diagnosis", Title: "了解事实与判断", Weight: 15, Levels: levels03()},
		{Key: "policy", Title: "政策与法规正确", Weight: 15, Levels: levels03()},
		{Key: "options", Title: "提供解决方案", Weight: 15, Levels: levels03()},
		{Key: "follow-up", Title: "跟进承诺", Weight: 15, Levels: levels03()},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(r Rubric) Rubric
		want   []Problem
	}{
		{"standard rubric is valid", func(r Rubric) Rubric { return r }, nil},
		{"two criteria with gaps in the scale", func(Rubric) Rubric {
			return Rubric{
				{Key: "a", Title: "A", Weight: 60, Levels: []Level{{0, "x"}, {2, "y"}, {5, "z"}}},
				{Key: "b-2", Title: "B", Weight: 40, Levels: []Level{{0, "x"}, {1, "y"}}},
			}
		}, nil},
		{"no criteria", func(Rubric) Rubric { return nil },
			[]Problem{{-1, -1, "rubric has no criteria"}}},
		{"empty key", func(r Rubric) Rubric { r[1].Key = ""; return r },
			[]Problem{{1, -1, "key is empty"}}},
		{"key with capitals", func(r Rubric) Rubric { r[2].Key = "Diagnosis"; return r },
			[]Problem{{2, -1, `key "Diagnosis" may use only a-z, 0-9 and -`}}},
		{"key with underscore", func(r Rubric) Rubric { r[2].Key = "follow_up"; return r },
			[]Problem{{2, -1, `key "follow_up" may use only a-z, 0-9 and -`}}},
		{"duplicate key", func(r Rubric) Rubric { r[4].Key = "listening"; return r },
			[]Problem{{4, -1, `key "listening" is already used by criterion 1`}}},
		{"blank title", func(r Rubric) Rubric { r[3].Title = "  "; return r },
			[]Problem{{3, -1, "title is empty"}}},
		{"zero weight", func(r Rubric) Rubric { r[0].Weight = 0; r[1].Weight = 40; return r },
			[]Problem{{0, -1, "weight is 0, want a positive whole number"}}},
		{"negative weight", func(r Rubric) Rubric { r[0].Weight = -10; r[1].Weight = 50; return r },
			[]Problem{{0, -1, "weight is -10, want a positive whole number"}}},
		{"weights add up to 95", func(r Rubric) Rubric { r[5].Weight = 10; return r },
			[]Problem{{-1, -1, "weights add up to 95, want 100"}}},
		{"weights add up to 105", func(r Rubric) Rubric { r[5].Weight = 20; return r },
			[]Problem{{-1, -1, "weights add up to 105, want 100"}}},
		{"one level", func(r Rubric) Rubric { r[2].Levels = []Level{{0, "x"}}; return r },
			[]Problem{{2, -1, "has 1 level(s), want at least 2"}}},
		{"no levels", func(r Rubric) Rubric { r[2].Levels = nil; return r },
			[]Problem{{2, -1, "has 0 level(s), want at least 2"}}},
		{"scale starts at 1", func(r Rubric) Rubric {
			r[0].Levels = []Level{{1, "a"}, {2, "b"}, {3, "c"}}
			return r
		}, []Problem{{0, 0, "first level scores 1, want 0"}}},
		{"repeated score", func(r Rubric) Rubric {
			r[1].Levels = []Level{{0, "a"}, {1, "b"}, {1, "c"}, {3, "d"}}
			return r
		}, []Problem{{1, 2, "score 1 is not above the previous level's 1"}}},
		{"falling score", func(r Rubric) Rubric {
			r[1].Levels = []Level{{0, "a"}, {2, "b"}, {1, "c"}}
			return r
		}, []Problem{{1, 2, "score 1 is not above the previous level's 2"}}},
		{"negative first score", func(r Rubric) Rubric {
			r[1].Levels = []Level{{-1, "a"}, {0, "b"}, {1, "c"}}
			return r
		}, []Problem{{1, 0, "first level scores -1, want 0"}}},
		{"empty description", func(r Rubric) Rubric { r[5].Levels[3].Description = " "; return r },
			[]Problem{{5, 3, "description is empty"}}},
		{"several problems at once", func(r Rubric) Rubric {
			r[0].Key = "listening!"
			r[3].Title = ""
			r[5].Weight = 5
			return r
		}, []Problem{
			{0, -1, `key "listening!" may use only a-z, 0-9 and -`},
			{3, -1, "title is empty"},
			{-1, -1, "weights add up to 90, want 100"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.change(standard()).Validate()
			if !slices.Equal(got, tt.want) {
				t.Errorf("Validate() =\n  %v\nwant\n  %v", got, tt.want)
			}
		})
	}
}

func TestMaxScore(t *testing.T) {
	r := Rubric{
		{Key: "a", Title: "A", Weight: 50, Levels: levels03()},
		{Key: "b", Title: "B", Weight: 50, Levels: []Level{{0, "x"}, {2, "y"}, {4, "z"}}},
	}
	for key, want := range map[string]int{"a": 3, "b": 4, "missing": 0} {
		if got := r.MaxScore(key); got != want {
			t.Errorf("MaxScore(%q) = %d, want %d", key, got, want)
		}
	}
}

func TestScore(t *testing.T) {
	full := map[string]int{"listening": 3, "no-arguing": 3, "diagnosis": 3, "policy": 3, "options": 3, "follow-up": 3}
	with := func(changes map[string]int) map[string]int {
		m := map[string]int{}
		for k, v := range full {
			m[k] = v
		}
		for k, v := range changes {
			if v < 0 {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	gapped := Rubric{
		{Key: "a", Title: "A", Weight: 30, Levels: []Level{{0, "x"}, {2, "y"}, {4, "z"}}},
		{Key: "b", Title: "B", Weight: 70, Levels: []Level{{0, "x"}, {1, "y"}}},
	}
	tests := []struct {
		name    string
		rubric  Rubric
		scores  map[string]int
		want    float64
		wantKey string // criterion named by the error; "" for no error
	}{
		{"all top", standard(), full, 100, ""},
		{"all zero", standard(), map[string]int{"listening": 0, "no-arguing": 0, "diagnosis": 0, "policy": 0, "options": 0, "follow-up": 0}, 0, ""},
		// 20·2/3 + 20·3/3 + 15·1/3 + 15·2/3 + 15·3/3 + 15·0/3 = 40/3 + 20 + 5 + 10 + 15 + 0
		{"mixed 20/20/15/15/15/15", standard(), with(map[string]int{"listening": 2, "diagnosis": 1, "policy": 2, "follow-up": 0}), 40.0/3 + 50, ""},
		// 20·2/3 + 20·2/3 + 4 × 15·2/3 = 80/3 + 40 = 66.67
		{"everything at 2", standard(), map[string]int{"listening": 2, "no-arguing": 2, "diagnosis": 2, "policy": 2, "options": 2, "follow-up": 2}, 200.0 / 3, ""},
		// 20 + 20 + 3 × 15·2/3 + 15·1/3 = 40 + 30 + 5 = 75
		{"exactly 75 stays exactly 75", standard(), with(map[string]int{"diagnosis": 2, "policy": 2, "options": 2, "follow-up": 1}), 75, ""},
		{"gapped scale", gapped, map[string]int{"a": 2, "b": 1}, 30.0/2 + 70, ""},
		{"missing criterion", standard(), with(map[string]int{"policy": -1}), 0, "policy"},
		{"score not a level", standard(), with(map[string]int{"options": 4}), 0, "options"},
		{"negative score", standard(), with(map[string]int{"listening": -2}), 0, "listening"},
		{"score in a gap of the scale", gapped, map[string]int{"a": 3, "b": 1}, 0, "a"},
		{"unknown criterion", standard(), with(map[string]int{"smile": 3}), 0, "smile"},
		{"top score 0", Rubric{{Key: "a", Title: "A", Weight: 100, Levels: []Level{{0, "x"}}}}, map[string]int{"a": 0}, 0, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rubric.Score(tt.scores)
			if tt.wantKey != "" {
				var se *ScoreError
				if !errors.As(err, &se) || se.Key != tt.wantKey {
					t.Fatalf("Score() error = %v, want a ScoreError naming %q", err, tt.wantKey)
				}
				return
			}
			if err != nil {
				t.Fatalf("Score() error = %v", err)
			}
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Score() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScoreExactAtPassMark(t *testing.T) {
	// 75 reached through thirds must compare equal to the pass mark, not 74.99999999.
	got, err := standard().Score(map[string]int{"listening": 3, "no-arguing": 3, "diagnosis": 2, "policy": 2, "options": 2, "follow-up": 1})
	if err != nil {
		t.Fatal(err)
	}
	if got != 75 || !Passed(got, 75) {
		t.Errorf("Score() = %v (%.17g), want exactly 75 and a pass at 75", got, got)
	}
}

func TestPassed(t *testing.T) {
	tests := []struct {
		score float64
		pass  int
		want  bool
	}{
		{75, 75, true},
		{74.99, 75, false},
		{100, 75, true},
		{0, 0, true},
		{0, 1, false},
		{math.NaN(), 0, false},
	}
	for _, tt := range tests {
		if got := Passed(tt.score, tt.pass); got != tt.want {
			t.Errorf("Passed(%v, %d) = %v, want %v", tt.score, tt.pass, got, tt.want)
		}
	}
}
