package tracking

import (
	"reflect"
	"testing"
	"time"
)

func TestMissed(t *testing.T) {
	now := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name string
		in   ReviewItem
	}{
		{"new question", ReviewItem{QuestionKey: "tiles/tile-problems#色差"}},
		{"mid-way item is reset", ReviewItem{QuestionKey: "tiles/tile-problems#色差", Step: 2, CorrectStreak: 1, Due: now.Add(10 * day)}},
		{"retired item comes back", ReviewItem{QuestionKey: "tiles/tile-problems#色差", Step: 2, CorrectStreak: 2, Retired: true}},
	}
	want := ReviewItem{QuestionKey: "tiles/tile-problems#色差", Due: now.Add(day)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Missed(tt.in, now); !reflect.DeepEqual(got, want) {
				t.Errorf("Missed = %+v, want %+v", got, want)
			}
		})
	}
}

func TestAnswered(t *testing.T) {
	now := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name    string
		in      ReviewItem
		correct bool
		want    ReviewItem
	}{
		{"first correct: next interval 3 days", ReviewItem{Step: 0}, true,
			ReviewItem{Step: 1, CorrectStreak: 1, Due: now.Add(3 * day)}},
		{"second correct in a row: retired", ReviewItem{Step: 1, CorrectStreak: 1}, true,
			ReviewItem{Step: 2, CorrectStreak: 2, Due: now.Add(10 * day), Retired: true}},
		{"correct after a wrong one starts a new streak", ReviewItem{Step: 2, CorrectStreak: 0}, true,
			ReviewItem{Step: 3, CorrectStreak: 1, Due: now.Add(30 * day)}},
		{"last interval repeats", ReviewItem{Step: 3}, true,
			ReviewItem{Step: 3, CorrectStreak: 1, Due: now.Add(30 * day)}},
		{"wrong: back to step 0", ReviewItem{Step: 2, CorrectStreak: 1}, false,
			ReviewItem{Step: 0, CorrectStreak: 0, Due: now.Add(day)}},
		{"corrupt step is clamped", ReviewItem{Step: 99}, true,
			ReviewItem{Step: 99, CorrectStreak: 1, Due: now.Add(30 * day)}},
		{"negative step is clamped", ReviewItem{Step: -3}, true,
			ReviewItem{Step: 1, CorrectStreak: 1, Due: now.Add(3 * day)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Answered(tt.in, tt.correct, now); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Answered = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReviewJourney(t *testing.T) {
	// Missed in a quiz, right, wrong, right, right: back in the queue until two in a row.
	now := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	it := Missed(ReviewItem{QuestionKey: "q"}, now)
	for i, correct := range []bool{true, false, true, true} {
		if it.Retired {
			t.Fatalf("retired too early, before answer %d", i)
		}
		now = it.Due
		it = Answered(it, correct, now)
	}
	if !it.Retired {
		t.Errorf("not retired after two correct answers in a row: %+v", it)
	}
}

func TestReviewInterval(t *testing.T) {
	day := 24 * time.Hour
	tests := map[int]time.Duration{-1: day, 0: day, 1: 3 * day, 2: 10 * day, 3: 30 * day, 4: 30 * day}
	for step, want := range tests {
		if got := ReviewInterval(step); got != want {
			t.Errorf("ReviewInterval(%d) = %v, want %v", step, got, want)
		}
	}
}

func TestDueItems(t *testing.T) {
	now := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	h := time.Hour
	items := []ReviewItem{
		{QuestionKey: "c", Due: now.Add(-1 * h)},
		{QuestionKey: "future", Due: now.Add(h)},
		{QuestionKey: "a", Due: now.Add(-5 * h)},
		{QuestionKey: "retired", Due: now.Add(-9 * h), Retired: true},
		{QuestionKey: "now", Due: now},
		{QuestionKey: "b2", Due: now.Add(-3 * h)},
		{QuestionKey: "b1", Due: now.Add(-3 * h)},
	}
	orig := append([]ReviewItem(nil), items...)
	keys := func(its []ReviewItem) []string {
		var out []string
		for _, it := range its {
			out = append(out, it.QuestionKey)
		}
		return out
	}
	tests := []struct {
		name  string
		limit int
		want  []string
	}{
		{"all due, oldest first", 0, []string{"a", "b1", "b2", "c", "now"}},
		{"negative limit means all", -1, []string{"a", "b1", "b2", "c", "now"}},
		{"limited", 2, []string{"a", "b1"}},
		{"limit above count", 50, []string{"a", "b1", "b2", "c", "now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keys(DueItems(items, now, tt.limit)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DueItems = %v, want %v", got, tt.want)
			}
		})
	}
	if !reflect.DeepEqual(items, orig) {
		t.Error("DueItems modified its input")
	}
	if got := DueItems(nil, now, 3); len(got) != 0 {
		t.Errorf("DueItems(nil) = %v", got)
	}
}
