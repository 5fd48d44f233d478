package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/store/storetest"
	"aftercare/tracking"
)

// assignmentFixture is a store with a trainee in store 001 and one in store 002.
func assignmentFixture(t *testing.T, st *Store) (a, b accounts.User) {
	t.Helper()
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "一店")
	st.EnsureShop(ctx, "002", "二店")
	a, err := st.CreateUser(ctx, accounts.NewUser{Login: "a", Name: "甲", Role: accounts.Trainee, ShopCode: "001"}, "h")
	if err != nil {
		t.Fatal(err)
	}
	b, err = st.CreateUser(ctx, accounts.NewUser{Login: "b", Name: "乙", Role: accounts.Trainee, ShopCode: "002"}, "h")
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestAssignOncePerPersonAndPeriodAcrossTwoStores(t *testing.T) {
	ctx := context.Background()
	path := storetest.DSN(t) // a SQLite file, or PostgreSQL with ACADEMY_TEST_POSTGRES
	one, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := Open(ctx, path, Options{}) // a second web server on the same database file
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	a, b := assignmentFixture(t, one)
	now := time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC)
	var want []Assignment
	for _, u := range []int64{a.ID, b.ID} {
		want = append(want,
			Assignment{UserID: u, Programme: "monthly-refresher", Kind: KindRefresher, Period: "2026-11", AssignedAt: now, DueAt: now.Add(14 * 24 * time.Hour)},
			Assignment{UserID: u, Programme: "quarterly-assessment", Kind: KindAssessment, Period: "2026-Q4", AssignedAt: now, DueAt: now.Add(21 * 24 * time.Hour)})
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for i := 0; i < 8; i++ {
		st := one
		if i%2 == 1 {
			st = two
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := st.Assign(ctx, want)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != len(want) {
		t.Fatalf("8 concurrent runs on two stores created %d, want %d", total, len(want))
	}
	all, err := two.ShopAssignments(ctx, 0)
	if err != nil || len(all) != len(want) {
		t.Fatalf("stored %d assignments (%v), want %d", len(all), err, len(want))
	}
	if n, _ := one.Assign(ctx, want); n != 0 {
		t.Fatalf("a later run created %d", n)
	}
	// Store scope: store 001 sees trainee a's two only.
	shopA, _ := one.ShopAssignments(ctx, a.ShopID)
	if len(shopA) != 2 || shopA[0].UserID != a.ID || shopA[1].UserID != a.ID {
		t.Fatalf("store 001 assignments %+v", shopA)
	}
	mine, _ := one.UserAssignments(ctx, b.ID)
	if len(mine) != 2 || mine[0].Period != "2026-11" || !mine[0].DueAt.Equal(now.Add(14*24*time.Hour)) || mine[0].CompletedAt != nil {
		t.Fatalf("b's assignments %+v", mine)
	}
	if _, err := one.UserAssignment(ctx, b.ID, "monthly-refresher", "2026-12"); !errors.Is(err, failure.ErrNotFound) {
		t.Fatalf("assignment of another period: %v", err)
	}
	if _, err := one.Assign(ctx, []Assignment{{UserID: a.ID, Programme: RemedialProgramme, Kind: KindRemedial, Period: "2026-11", AssignedAt: now, DueAt: now}}); err == nil {
		t.Fatal("remedial work without modules was accepted")
	}
}

// trueFalse is a question bank of true/false questions whose right answer is "true".
func trueFalse(key string) (quiz.Question, bool) {
	return quiz.Question{Type: quiz.TrueFalse, Name: key, Correct: true}, true
}

// answerAll starts and submits an attempt at quizID, answering every key rightly or wrongly.
func answerAll(t *testing.T, st *Store, userID int64, quizID string, keys []string, right map[string]bool) quiz.Attempt {
	t.Helper()
	ctx := context.Background()
	layouts := make([]quiz.Layout, len(keys))
	for i, k := range keys {
		q, _ := trueFalse(k)
		layouts[i] = quiz.NewLayout(q, nil)
	}
	rules := quiz.AttemptRules{Pass: 80}
	a, _, err := st.StartAttempt(ctx, userID, quizID, rules, keys, layouts)
	if err != nil {
		t.Fatal(err)
	}
	responses := map[int]quiz.Response{}
	for _, it := range a.Items {
		q, _ := trueFalse(it.Key)
		p := quiz.Present(q, it.Key, it.Layout)
		for _, o := range p.Options {
			if (o.Text == "True") == right[it.Key] {
				responses[it.Position] = quiz.Response{Choices: []int{o.ID}}
			}
		}
	}
	a, err = st.SubmitAttempt(ctx, a.ID, userID, rules, responses, trueFalse)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSubmittingCompletesAssignments(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	u, _ := assignmentFixture(t, st)
	now := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	// A module passed before the remedial work was set does not count towards it.
	answerAll(t, st, u.ID, "module:c/one", []string{"c/one#1"}, map[string]bool{"c/one#1": true})
	now = now.Add(time.Hour)
	if _, err := st.Assign(ctx, []Assignment{
		{UserID: u.ID, Programme: "monthly-refresher", Kind: KindRefresher, Period: "2026-11", AssignedAt: now, DueAt: now.Add(24 * time.Hour)},
		{UserID: u.ID, Programme: "monthly-refresher", Kind: KindRefresher, Period: "2026-10", AssignedAt: now, DueAt: now.Add(24 * time.Hour)},
		{UserID: u.ID, Programme: RemedialProgramme, Kind: KindRemedial, Period: "2026-11", Reason: "满意度未达标", Modules: []string{"c/one", "c/two"}, AssignedAt: now, DueAt: now.Add(24 * time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	status := func() map[string]Assignment {
		list, err := st.UserAssignments(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Assignment{}
		for _, a := range list {
			out[a.Programme+" "+a.Period] = a
		}
		return out
	}

	now = now.Add(time.Hour)
	failed := answerAll(t, st, u.ID, ProgrammeQuiz("monthly-refresher", "2026-11"), []string{"k1", "k2"}, nil)
	got := status()
	if a := got["monthly-refresher 2026-11"]; a.CompletedAt == nil || !a.CompletedAt.Equal(now) || a.AttemptID == nil || *a.AttemptID != failed.ID {
		t.Fatalf("refresher after a submitted (failed) attempt: %+v", a)
	}
	if a := got["monthly-refresher 2026-10"]; a.CompletedAt != nil {
		t.Fatal("an attempt of November completed October")
	}
	firstDone := now
	now = now.Add(time.Hour)
	retake := answerAll(t, st, u.ID, ProgrammeQuiz("monthly-refresher", "2026-11"), []string{"k1", "k2"}, map[string]bool{"k1": true, "k2": true})
	if a := status()["monthly-refresher 2026-11"]; !a.CompletedAt.Equal(firstDone) || *a.AttemptID != retake.ID {
		t.Fatalf("after a retake: completed %v attempt %v, want first completion kept and the retake linked", a.CompletedAt, *a.AttemptID)
	}

	// Remedial: one module passed again, the other failed: not done; then passed: done.
	answerAll(t, st, u.ID, "module:c/one", []string{"c/one#1"}, map[string]bool{"c/one#1": true})
	answerAll(t, st, u.ID, "module:c/two", []string{"c/two#1"}, nil)
	if a := status()["remedial 2026-11"]; a.CompletedAt != nil {
		t.Fatal("remedial work done with a module failed")
	}
	now = now.Add(time.Hour)
	last := answerAll(t, st, u.ID, "module:c/two", []string{"c/two#1"}, map[string]bool{"c/two#1": true})
	a := status()["remedial 2026-11"]
	if a.CompletedAt == nil || !a.CompletedAt.Equal(now) || *a.AttemptID != last.ID || a.Reason != "满意度未达标" || len(a.Modules) != 2 {
		t.Fatalf("remedial after both modules passed: %+v", a)
	}
}

func TestReviewQueueComesBackAfterOneDayThenThreeAndRetires(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	u, _ := assignmentFixture(t, st)
	start := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	now := start
	st.Now = func() time.Time { return now }
	due := func() []string {
		items, err := st.ReviewItems(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, it := range tracking.DueItems(items, now, 0) {
			keys = append(keys, it.QuestionKey)
		}
		return keys
	}
	// Missed "x", right on "y": only "x" enters the queue.
	answerAll(t, st, u.ID, "module:c/one", []string{"x", "y"}, map[string]bool{"y": true})
	if items, _ := st.ReviewItems(ctx, u.ID); len(items) != 1 || items[0].QuestionKey != "x" || !items[0].Due.Equal(start.Add(24*time.Hour)) {
		t.Fatalf("queue after a miss: %+v", items)
	}
	// Right again the same day (a retake): not due yet, nothing changes.
	now = start.Add(time.Hour)
	answerAll(t, st, u.ID, "module:c/one", []string{"x"}, map[string]bool{"x": true})
	now = start.Add(24*time.Hour - time.Second)
	if d := due(); len(d) != 0 {
		t.Fatalf("due before a day has passed: %v", d)
	}
	now = start.Add(24 * time.Hour)
	if d := due(); len(d) != 1 || d[0] != "x" {
		t.Fatalf("due after one day: %v", d)
	}
	answerAll(t, st, u.ID, ProgrammeQuiz("monthly-refresher", "2026-11"), []string{"x"}, map[string]bool{"x": true})
	second := now.Add(3 * 24 * time.Hour)
	if items, _ := st.ReviewItems(ctx, u.ID); items[0].Due != second || items[0].CorrectStreak != 1 || items[0].Retired {
		t.Fatalf("after the first right review: %+v, want due in 3 days", items[0])
	}
	now = second.Add(-time.Minute)
	if d := due(); len(d) != 0 {
		t.Fatalf("due before three days: %v", d)
	}
	now = second
	if d := due(); len(d) != 1 {
		t.Fatalf("not due after three days: %v", d)
	}
	answerAll(t, st, u.ID, ProgrammeQuiz("monthly-refresher", "2026-11"), []string{"x"}, map[string]bool{"x": true})
	if items, _ := st.ReviewItems(ctx, u.ID); !items[0].Retired || items[0].CorrectStreak != tracking.RetireAfter {
		t.Fatalf("after two right reviews: %+v, want retired", items[0])
	}
	now = now.Add(365 * 24 * time.Hour)
	if d := due(); len(d) != 0 {
		t.Fatalf("a retired question is due again: %v", d)
	}
	// Missed once more: back in the queue from the first step.
	answerAll(t, st, u.ID, "module:c/one", []string{"x"}, nil)
	if items, _ := st.ReviewItems(ctx, u.ID); items[0].Retired || items[0].Step != 0 || items[0].Due != now.Add(24*time.Hour) {
		t.Fatalf("missed after retiring: %+v", items[0])
	}
}

func TestSeenProgrammeQuestionsSpansPeriods(t *testing.T) {
	st := openTest(t)
	u, _ := assignmentFixture(t, st)
	answerAll(t, st, u.ID, ProgrammeQuiz("monthly-refresher", "2026-10"), []string{"a"}, nil)
	answerAll(t, st, u.ID, ProgrammeQuiz("monthly-refresher", "2026-11"), []string{"b"}, nil)
	answerAll(t, st, u.ID, ProgrammeQuiz("onboarding", ""), []string{"c"}, nil)
	seen, err := st.SeenProgrammeQuestions(context.Background(), u.ID, "monthly-refresher")
	if err != nil || len(seen) != 2 || !seen["a"] || !seen["b"] {
		t.Fatalf("seen %v %v, want a and b", seen, err)
	}
}
