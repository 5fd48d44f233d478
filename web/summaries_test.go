package web

import (
	"context"
	"testing"

	"aftercare/accounts"
)

// TestWarmSummariesLeavesNoDashboardSummaryStale: after a fresh start every summary is stale
// (none stored yet) and a trainee's passed quiz makes theirs stale again; the start-up warm-up
// evaluates and stores them all, so the first dashboard reads only current rows, and the
// stored figures are the ones the dashboards show.
func TestWarmSummariesLeavesNoDashboardSummaryStale(t *testing.T) {
	env := newTestEnv(t)
	trainee := env.as("trainee-a")
	module := realCatalog(t).Courses[0].Modules[0]
	readModule(t, env, trainee, trainee.csrfFrom(module.URL()), module.URL(), module.Minutes)
	takeQuiz(t, env, trainee, module.URL(), true)
	if err := env.store.FlushActivity(context.Background()); err != nil {
		t.Fatal(err)
	}

	var ids []int64
	for _, u := range env.users {
		if u.Active && (u.Role == accounts.Trainee || u.Role == accounts.Supervisor) {
			ids = append(ids, u.ID)
		}
	}
	month := env.clock.now().In(shanghai).Format("2006-01")
	stale := func() map[int64]int64 {
		t.Helper()
		env.store.FlushOnboardingSummaries()
		_, stale, err := env.store.OnboardingSummaries(context.Background(), ids, env.app.catalogPrint, month)
		if err != nil {
			t.Fatal(err)
		}
		return stale
	}
	if n := len(stale()); n != len(ids) {
		t.Fatalf("before warming: %d of %d summaries stale, want all", n, len(ids))
	}
	if err := env.app.WarmSummaries(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := stale(); len(s) != 0 {
		t.Fatalf("after warming, still stale: %v", s)
	}
	current, _, _ := env.store.OnboardingSummaries(context.Background(), ids, env.app.catalogPrint, month)
	id := env.users["trainee-a"].ID
	own, err := env.app.onboardingOf(context.Background(), []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := current[id].CreditedHours, own[id].Clearance.CreditedHours; got != want || got <= 0 {
		t.Fatalf("warmed summary credits %v hours, the trainee's own evaluation %v", got, want)
	}
}
