package store

import (
	"context"
	"testing"
	"time"

	"aftercare/accounts"
	"aftercare/quiz"
)

// The export's queries: only final records, each counted from the moment it became final.
func TestExportQueriesReturnFinalRecordsSince(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	st.EnsureShop(ctx, "001", "店")
	u, err := st.CreateUser(ctx, accounts.NewUser{Login: "a1", Name: "甲", Role: accounts.Trainee, ShopCode: "001"}, "h")
	if err != nil {
		t.Fatal(err)
	}
	tf := quiz.Question{Type: quiz.TrueFalse, Name: "t", Correct: true}
	essay := quiz.Question{Type: quiz.Essay, Name: "e"}
	lookup := func(k string) (quiz.Question, bool) {
		if k == "e" {
			return essay, true
		}
		return tf, true
	}
	rules := quiz.AttemptRules{Pass: 100}
	// take answers the true/false question (right or wrong) and, when essay is set, an essay.
	take := func(quizID string, right bool, essayText string) quiz.Attempt {
		t.Helper()
		keys, layouts := []string{"t"}, []quiz.Layout{quiz.NewLayout(tf, nil)}
		responses := map[int]quiz.Response{0: {Choices: []int{1}}}
		if right {
			responses[0] = quiz.Response{Choices: []int{0}}
		}
		if essayText != "" {
			keys, layouts = append(keys, "e"), append(layouts, quiz.Layout{})
			responses[1] = quiz.Response{Text: essayText}
		}
		a, _, err := st.StartAttempt(ctx, u.ID, quizID, rules, keys, layouts)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(10 * time.Minute)
		if a, err = st.SubmitAttempt(ctx, a.ID, u.ID, rules, responses, lookup); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		return a
	}
	if err := st.RecordModuleVisit(ctx, u.ID, "tiles/tile-problems"); err != nil {
		t.Fatal(err)
	}
	failed := take("module:tiles/tile-problems", false, "")
	firstPass := take("module:tiles/tile-problems", true, "")
	take("module:tiles/tile-problems", true, "") // passed again: not a second completion
	take("module:tiles/never-opened", true, "")  // no progress row: not a completion
	take("module:tiles/tile-problems", true, "要人工批改")
	mid := now
	later := take("programme:onboarding", true, "")

	all, err := st.FinishedAttemptsSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 { // the essay attempt awaits grading
		t.Fatalf("%d finished attempts, want 5", len(all))
	}
	if a := all[0]; a.ID != failed.ID || a.Login != "a1" || a.Name != "甲" || a.Passed || len(a.Items) != 1 ||
		a.Items[0].Mark == nil || a.Items[0].Response.Choices[0] != 1 || a.SubmittedAt.Sub(a.StartedAt) != 10*time.Minute {
		t.Fatalf("first attempt: %+v", a)
	}
	if since, _ := st.FinishedAttemptsSince(ctx, mid); len(since) != 1 || since[0].ID != later.ID {
		t.Fatalf("attempts since %v: %+v", mid, since)
	}

	passes, err := st.ModuleQuizPassesSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(passes) != 1 || passes[0].AttemptID != firstPass.ID || !passes[0].PassedAt.Equal(firstPass.SubmittedAt) ||
		passes[0].ModuleID != "tiles/tile-problems" || passes[0].Login != "a1" {
		t.Fatalf("module passes: %+v", passes)
	}
	// Passed first before the date: completed before, so not listed since it.
	if passes, _ := st.ModuleQuizPassesSince(ctx, firstPass.SubmittedAt.Add(time.Second)); len(passes) != 0 {
		t.Fatalf("module passes after the first pass: %+v", passes)
	}
	if drills, err := st.ReleasedDrillsSince(ctx, time.Time{}); err != nil || len(drills) != 0 {
		t.Fatalf("drills: %v %v", drills, err)
	}
}
