package store

import (
	"context"
	"maps"
	"reflect"
	"testing"
	"time"

	"aftercare/accounts"
	"aftercare/quiz"
	"aftercare/tracking"
)

// TestOnboardingSummariesGoStaleOnEveryRecordTheyRead: a saved summary is current until any
// record the onboarding evaluation reads changes (each kind of write raises the person's change
// count through the triggers of migration 9), until the catalogue changes, and a summary saved
// with a count read before a write is never taken for current.
func TestOnboardingSummariesGoStaleOnEveryRecordTheyRead(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	boss, err := st.CreateUser(ctx, accounts.NewUser{Login: "boss", Name: "主管", Role: accounts.Supervisor, ShopCode: "001"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, accounts.NewUser{Login: "new", Name: "新人", Role: accounts.Trainee, ShopCode: "001"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := st.CreateUser(ctx, accounts.NewUser{Login: "other", Name: "别人", Role: accounts.Trainee, ShopCode: "001"}, "x")
	ids := []int64{u.ID, other.ID}

	// save evaluates (here: makes up) a summary for everyone stale and stores it.
	save := func(catalog string) {
		t.Helper()
		_, stale, err := st.OnboardingSummaries(ctx, ids, catalog, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		var sums []OnboardingSummary
		for id, rev := range stale {
			now := time.Now()
			sums = append(sums, OnboardingSummary{UserID: id, Rev: rev, Catalog: catalog, Month: "2026-11", KPIMonth: "2026-10", KPITotal: 91.5, CreditedHours: 12.5, RequiredHours: 40,
				ActiveSeconds: 600, LastDrillAt: &now, LastDrillScore: 80, LastDrillPassed: true})
		}
		if err := st.SaveOnboardingSummaries(ctx, sums); err != nil {
			t.Fatal(err)
		}
	}
	isCurrent := func(catalog string) bool {
		t.Helper()
		cur, stale, err := st.OnboardingSummaries(ctx, ids, catalog, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := stale[other.ID]; ok {
			t.Fatal("a write for one person made another person's summary stale")
		}
		if c, ok := cur[other.ID]; !ok || c.CreditedHours != 12.5 || c.RequiredHours != 40 || c.LastDrillAt == nil || !c.LastDrillPassed ||
			c.KPIMonth != "2026-10" || c.KPITotal != 91.5 {
			t.Fatalf("the other person's summary did not round-trip: %+v", c)
		}
		_, ok := cur[u.ID]
		return ok
	}
	save("v1")
	if !isCurrent("v1") {
		t.Fatal("a summary just saved is not current")
	}
	if cur, _, _ := st.OnboardingSummaries(ctx, ids, "v2", "2026-11"); len(cur) != 0 {
		t.Fatal("a summary of another catalogue is taken for current")
	}
	if cur, _, _ := st.OnboardingSummaries(ctx, ids, "v1", "2026-12"); len(cur) != 0 {
		t.Fatal("a summary evaluated last month is taken for current")
	}

	keys, layouts, lookup, answers := benchQuestions(t)
	writes := []struct {
		name  string
		write func() error
	}{
		{"quiz submitted", func() error {
			a, _, err := st.StartAttempt(ctx, u.ID, "module:a/one", quiz.AttemptRules{Pass: 80}, keys, layouts)
			if err != nil {
				return err
			}
			if !isCurrent("v1") { // an open attempt changes no evaluation
				t.Fatal("starting a quiz made the summary stale")
			}
			_, err = st.SubmitAttempt(ctx, a.ID, u.ID, quiz.AttemptRules{Pass: 80}, answers, lookup)
			return err
		}},
		{"seat time", func() error {
			// Two page events a minute apart: the second credits the minute between them.
			capOf := func(string) time.Duration { return time.Hour }
			clock := time.Now().UTC()
			st.Now = func() time.Time { return clock }
			defer func() { st.Now = func() time.Time { return time.Now().UTC() } }()
			st.RecordModuleVisit(ctx, u.ID, "a/one")
			if err := st.RecordActivity(ctx, u.ID, "a/one", tracking.DefaultSeatRules, capOf); err != nil {
				return err
			}
			if err := st.FlushActivity(ctx); err != nil {
				return err
			}
			save("v1")
			clock = clock.Add(time.Minute)
			if err := st.RecordActivity(ctx, u.ID, "a/one", tracking.DefaultSeatRules, capOf); err != nil {
				return err
			}
			if err := st.FlushActivity(ctx); err != nil {
				return err
			}
			if p, _ := st.ModuleProgress(ctx, u.ID); p["a/one"].ActiveSeconds != 60 {
				t.Fatalf("seat time not credited: %+v", p)
			}
			return nil
		}},
		{"practice", func() error { _, err := st.StartPractice(ctx, u.ID, "tile"); return err }},
		{"drill booked", func() error {
			_, err := st.CreateDrill(ctx, NewDrill{TraineeID: u.ID, Scenario: "tile", Pass: 60, RaterID: boss.ID, ScheduledAt: time.Now()})
			return err
		}},
		{"offline hours logged and signed off", func() error {
			id, err := st.LogOffline(ctx, NewOfflineEntry{UserID: u.ID, Activity: "shadowing", Hours: 2, OnDate: time.Now(), ActorID: boss.ID})
			if err != nil {
				return err
			}
			save("v1")
			return st.SignOffOffline(ctx, id, boss.ID)
		}},
		{"KPI value entered", func() error {
			_, err := st.SaveKPIValues(ctx, boss.ID, u.ShopID, []KPIChange{{UserID: u.ID, Month: "2026-10", Key: "csat", Value: 4.9}})
			return err
		}},
		{"KPI value cleared", func() error {
			_, err := st.SaveKPIValues(ctx, boss.ID, u.ShopID, []KPIChange{{UserID: u.ID, Month: "2026-10", Key: "csat", Clear: true}})
			return err
		}},
		{"clearance", func() error {
			_, err := st.RecordClearance(ctx, Clearance{UserID: u.ID, ClearedAt: time.Now(), Hours: 40, FinalScore: 90, Code: "C0DE"})
			return err
		}},
	}
	for _, w := range writes {
		save("v1")
		if !isCurrent("v1") {
			t.Fatalf("%s: not current after saving", w.name)
		}
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if isCurrent("v1") {
			t.Errorf("%s: the summary is still taken for current", w.name)
		}
	}

	// The race: the count is read, a write lands while the records are read, the summary is saved
	// with the count read first. It must not pass for current.
	_, stale, _ := st.OnboardingSummaries(ctx, ids, "v1", "2026-11")
	if _, err := st.StartPractice(ctx, u.ID, "tile"); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveOnboardingSummaries(ctx, []OnboardingSummary{{UserID: u.ID, Rev: stale[u.ID], Catalog: "v1"}}); err != nil {
		t.Fatal(err)
	}
	if isCurrent("v1") {
		t.Fatal("a summary built before a write passes for current")
	}
}

func TestOpenAssignmentCountsSplitsDueAndOverdue(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "一店")
	st.EnsureShop(ctx, "002", "二店")
	a, _ := st.CreateUser(ctx, accounts.NewUser{Login: "a", Name: "甲", Role: accounts.Trainee, ShopCode: "001"}, "x")
	b, _ := st.CreateUser(ctx, accounts.NewUser{Login: "b", Name: "乙", Role: accounts.Trainee, ShopCode: "002"}, "x")
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	for _, x := range []struct {
		user     int64
		period   string
		due      time.Time
		complete bool
	}{
		{a.ID, "2026-09", now.Add(-48 * time.Hour), false}, // overdue
		{a.ID, "2026-10", now.Add(-time.Hour), true},       // done: not counted
		{a.ID, "2026-11", now.Add(time.Hour), false},       // due
		{b.ID, "2026-11", now.Add(-time.Minute), false},    // overdue, other store
	} {
		if err := st.w.Exec(`INSERT INTO assignments (user_id, programme, kind, period, assigned_at, due_at, completed_at)
			VALUES (?, 'monthly-refresher', 'refresher', ?, ?, ?, ?)`, x.user, x.period, now.Add(-30*24*time.Hour), x.due,
			map[bool]any{true: now, false: nil}[x.complete]).Error; err != nil {
			t.Fatal(err)
		}
	}
	due, overdue, err := st.OpenAssignmentCounts(ctx, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if due[a.ID] != 1 || overdue[a.ID] != 1 || due[b.ID] != 0 || overdue[b.ID] != 1 {
		t.Fatalf("company: due %v overdue %v", due, overdue)
	}
	shop, _ := st.ShopByCode(ctx, "001")
	due, overdue, err = st.OpenAssignmentCounts(ctx, shop.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if due[a.ID] != 1 || overdue[a.ID] != 1 || overdue[b.ID] != 0 || len(overdue) != 1 {
		t.Fatalf("store 001: due %v overdue %v", due, overdue)
	}
}

// TestDecisiveAttemptsDecideLikeTheWholeHistory: on a seeded history, for every person and quiz,
// "passed at some time" and "best score, newest on a tie" come out the same from the decisive
// attempts as from all attempts.
func TestDecisiveAttemptsDecideLikeTheWholeHistory(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	res := seedSmall(t, st, 40, 2, 3000)
	var ids []int64
	for _, s := range res.Sessions {
		ids = append(ids, s.UserID)
	}
	all, err := st.AttemptsOf(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	decisive, err := st.DecisiveAttemptsOf(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct {
		passed bool
		best   int64 // attempt id
	}
	decide := func(as []quiz.Attempt) map[string]verdict {
		out := map[string]verdict{}
		bestScore := map[string]float64{}
		for _, a := range as { // newest first, as both return them
			if a.State != quiz.Finished {
				continue
			}
			v := out[a.Quiz]
			v.passed = v.passed || a.Passed
			if s, seen := bestScore[a.Quiz]; !seen || a.Score > s {
				bestScore[a.Quiz], v.best = a.Score, a.ID
			}
			out[a.Quiz] = v
		}
		return out
	}
	rows, fewer := 0, 0
	for _, id := range ids {
		want, got := decide(all[id]), decide(decisive[id])
		if len(want) != len(got) {
			t.Fatalf("user %d: %d quizzes from all attempts, %d from decisive ones", id, len(want), len(got))
		}
		for q, w := range want {
			if got[q] != w {
				t.Errorf("user %d quiz %s: all attempts say %+v, decisive ones %+v", id, q, w, got[q])
			}
		}
		rows += len(all[id])
		fewer += len(decisive[id])
	}
	if rows == 0 || fewer*2 > rows {
		t.Fatalf("decisive attempts %d of %d: not a reduction", fewer, rows)
	}
}

// TestOnboardingSummariesReadAlikeByIDAndWholeTable: asking for more people than
// wholeTableReads reads the table once and keeps the asked-for people; the answer must be the
// one the chunked reads by id give, for every person asked and for no one else.
func TestOnboardingSummariesReadAlikeByIDAndWholeTable(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	seedSmall(t, st, wholeTableReads+300, 10, 3000)
	users, err := st.Users(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	ids = ids[1:] // someone not asked for
	if len(ids) <= wholeTableReads {
		t.Fatalf("only %d people: the whole-table read is not taken", len(ids))
	}
	// Half the people get a current summary; the rest stay stale.
	_, stale, err := st.OnboardingSummaries(ctx, ids, "cat", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	var sums []OnboardingSummary
	for i, id := range ids {
		if i%2 == 0 {
			sums = append(sums, OnboardingSummary{UserID: id, Rev: stale[id], Catalog: "cat", Month: "2026-11", CreditedHours: float64(i % 40)})
		}
	}
	for start := 0; start < len(sums); start += 500 {
		if err := st.SaveOnboardingSummaries(ctx, sums[start:min(start+500, len(sums))]); err != nil {
			t.Fatal(err)
		}
	}
	whole, wholeStale, err := st.OnboardingSummaries(ctx, ids, "cat", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	byID, byIDStale := map[int64]OnboardingSummary{}, map[int64]int64{}
	for start := 0; start < len(ids); start += wholeTableReads {
		c, s, err := st.OnboardingSummaries(ctx, ids[start:min(start+wholeTableReads, len(ids))], "cat", "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		maps.Copy(byID, c)
		maps.Copy(byIDStale, s)
	}
	if len(whole) != len(sums) || len(wholeStale) != len(ids)-len(sums) {
		t.Fatalf("whole-table read: %d current, %d stale; want %d and %d", len(whole), len(wholeStale), len(sums), len(ids)-len(sums))
	}
	if !reflect.DeepEqual(whole, byID) || !maps.Equal(wholeStale, byIDStale) {
		t.Fatal("the whole-table read and the reads by id disagree")
	}
	_, current := whole[users[0].ID]
	if _, stale := wholeStale[users[0].ID]; current || stale {
		t.Fatal("the whole-table read returned someone not asked for")
	}
}
