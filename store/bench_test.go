package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/store/storetest"
	"aftercare/tracking"
)

// benchQuestions is a 40-question bank of single-answer multiple choice, like an assessment.
func benchQuestions(t testing.TB) (keys []string, layouts []quiz.Layout, lookup Lookup, answers map[int]quiz.Response) {
	t.Helper()
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "::q%d:: 顾客投诉第%d号：第一步应当怎么做？ {\n=倾听并登记 # 对\n~争辩 # 不对\n~改天再来 # 不对\n~找主管 # 不对\n}\n\n", i, i)
	}
	qs, errs := quiz.ParseGIFT([]byte(b.String()))
	if len(errs) > 0 || len(qs) != 40 {
		t.Fatalf("bank: %d questions, %v", len(qs), errs)
	}
	byKey := map[string]quiz.Question{}
	answers = map[int]quiz.Response{}
	for i, q := range qs {
		k := "bench/m#" + q.Name
		byKey[k] = q
		keys = append(keys, k)
		l := quiz.NewLayout(q, nil)
		layouts = append(layouts, l)
		answers[i] = quiz.Response{Choices: []int{i % 4}}
	}
	return keys, layouts, func(k string) (quiz.Question, bool) { q, ok := byKey[k]; return q, ok }, answers
}

// seedSmall fills a test database through Seed with a synthetic catalogue.
func seedSmall(t testing.TB, st *Store, staff, stores, attempts int) SeedResult {
	t.Helper()
	keys, layouts, _, _ := benchQuestions(t)
	ls := make([]string, len(layouts))
	for i, l := range layouts {
		b, _ := json.Marshal(l)
		ls[i] = string(b)
	}
	plan := SeedPlan{Staff: staff, Stores: stores, Attempts: attempts, PasswordHash: "x",
		Quizzes: []SeedQuiz{
			{ID: "module:a/one", Pass: 80, Keys: keys[:10], Layouts: ls[:10]},
			{ID: "module:a/two", Pass: 80, Keys: keys[10:20], Layouts: ls[10:20]},
			{ID: "programme:onboarding", Pass: 80, Keys: keys, Layouts: ls, Draw: 20, MaxAttempts: 3},
		},
		Recurring: []SeedRecurring{{Slug: "quarterly", Kind: "assessment", Recurrence: tracking.Quarterly, DueDays: 21,
			Quiz: SeedQuiz{Pass: 80, Keys: keys, Layouts: ls, Draw: 40, MaxAttempts: 3}}},
		Modules:   []SeedModule{{ID: "a/one", CapSeconds: 1800}, {ID: "a/two", CapSeconds: 1800}},
		Scenarios: []SeedScenario{{Slug: "tile", Pass: 60, Criteria: []string{"listen", "solve"}, TopScore: 3}},
		KPIs:      []SeedKPI{{Key: "csat", Target: 90}},
		Now:       time.Now().UTC(), Random: rand.New(rand.NewPCG(1, 2)),
	}
	res, err := st.Seed(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSeedWritesAConsistentDataSetAndRefusesALiveDatabase(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	res := seedSmall(t, st, 60, 3, 2000)
	count := func(table string) int {
		var n int
		if err := st.r.Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if res.Attempts != 2000 || count("attempts") != 2000 {
		t.Errorf("attempts: result %d, table %d; want 2000", res.Attempts, count("attempts"))
	}
	if got := count("attempt_items"); got != res.Items || got < 2000*10 {
		t.Errorf("items: table %d, result %d", got, res.Items)
	}
	if count("users") != 61 || count("shops") != 3 || count("sessions") != 61 {
		t.Errorf("users %d, shops %d, sessions %d", count("users"), count("shops"), count("sessions"))
	}
	if res.Drills == 0 || res.Progress == 0 || res.Assignments == 0 || res.KPIValues == 0 {
		t.Errorf("missing rows: %+v", res)
	}
	// Attempt numbers count up per person and quiz, and capped quizzes stay below their cap.
	var bad int
	st.r.Raw(`SELECT COUNT(*) FROM (SELECT user_id, quiz, COUNT(*) AS n, MAX(number) AS top FROM attempts
		GROUP BY user_id, quiz) t WHERE n <> top OR (t.quiz LIKE 'programme:%' AND n > 2)`).Scan(&bad)
	if bad != 0 {
		t.Errorf("%d (person, quiz) pairs with gaps in numbering or at the attempt cap", bad)
	}
	// Every completed assignment points at an attempt of its own period.
	st.r.Raw(`SELECT COUNT(*) FROM assignments s JOIN attempts a ON a.id = s.attempt_id
		WHERE a.quiz <> 'programme:' || s.programme || ':' || s.period OR a.user_id <> s.user_id`).Scan(&bad)
	if bad != 0 {
		t.Errorf("%d assignments completed by someone else's or another period's attempt", bad)
	}
	// The sessions written for load tests sign their people in.
	s := res.Sessions[len(res.Sessions)-1]
	u, err := st.SessionUser(ctx, hashHex(s.Token))
	if err != nil || u.Login != s.Login || u.Role != accounts.Trainee {
		t.Errorf("seeded session: %+v, %v", u, err)
	}
	if _, err := st.Seed(ctx, SeedPlan{Staff: 1, Stores: 1}); err != ErrSeedNotEmpty {
		t.Errorf("second seed: %v, want ErrSeedNotEmpty", err)
	}
}

// TestActivityWriterCreditsLikeOneWriteAtATime replays one person's reading through the queue
// in a burst and checks the seat time is exactly what event-by-event writing gives.
func TestActivityWriterCreditsLikeOneWriteAtATime(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	u, err := st.CreateUser(ctx, accounts.NewUser{Login: "reader", Name: "读者", Role: accounts.Trainee, ShopCode: "001"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().UTC().Truncate(time.Second)
	now := base
	st.Now = func() time.Time { return now }
	capOf := func(string) time.Duration { return 10 * time.Minute }
	view := func(module string) {
		st.RecordModuleVisit(ctx, u.ID, module)
		st.RecordActivity(ctx, u.ID, module, tracking.DefaultSeatRules, capOf)
	}
	beat := func(module string) { st.RecordActivity(ctx, u.ID, module, tracking.DefaultSeatRules, capOf) }
	view("a")
	for range 8 { // 8 × 2 min on a, capped at 10 min
		now = now.Add(2 * time.Minute)
		beat("a")
	}
	now = now.Add(time.Minute)
	view("b") // the minute before moving on counts for a, but a is capped
	now = now.Add(3 * time.Minute)
	beat("b")
	now = now.Add(20 * time.Minute) // idle: nothing
	beat("b")
	now = now.Add(time.Minute)
	view("a") // b earns its last minute
	now = now.Add(time.Minute)
	beat("") // a quiz started: the clock stops, a is capped anyway
	p, err := st.ModuleProgress(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p["a"].ActiveSeconds != 600 || p["a"].Visits != 2 {
		t.Errorf("a: %+v, want 600 s over 2 visits", p["a"])
	}
	if p["b"].ActiveSeconds != 240 || p["b"].Visits != 1 || !p["b"].FirstOpened.Equal(base.Add(17*time.Minute)) {
		t.Errorf("b: %+v, want 240 s, 1 visit, opened at +17 min", p["b"])
	}
}

// TestActivityWriterUnderConcurrentViews: many people viewing at once all get their visits
// and the queue is empty after Close.
func TestActivityWriterUnderConcurrentViews(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	var ids []int64
	for i := range 20 {
		u, err := st.CreateUser(ctx, accounts.NewUser{Login: fmt.Sprintf("p%02d", i), Name: "人", Role: accounts.Trainee, ShopCode: "001"}, "x")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			for range 50 {
				st.RecordModuleVisit(ctx, id, "a")
				st.RecordActivity(ctx, id, "a", tracking.DefaultSeatRules, func(string) time.Duration { return time.Hour })
			}
		})
	}
	wg.Wait()
	if err := st.FlushActivity(ctx); err != nil {
		t.Fatal(err)
	}
	var visits []int
	st.r.Raw("SELECT visits FROM module_progress ORDER BY user_id").Scan(&visits)
	if len(visits) != 20 {
		t.Fatalf("%d progress rows, want 20", len(visits))
	}
	for i, v := range visits {
		if v != 50 {
			t.Errorf("person %d: %d visits, want 50", i, v)
		}
	}
}

// BenchmarkSubmitAttempt40 is the quiz write path on a real file: start a 40-question attempt
// and submit it graded, two immediate transactions with synchronous=FULL.
func BenchmarkSubmitAttempt40(b *testing.B) {
	st, err := Open(context.Background(), storetest.DSN(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	u, err := st.CreateUser(ctx, accounts.NewUser{Login: "bench", Name: "压测", Role: accounts.Trainee, ShopCode: "001"}, "x")
	if err != nil {
		b.Fatal(err)
	}
	keys, layouts, lookup, answers := benchQuestions(b)
	rules := quiz.AttemptRules{Pass: 80}
	b.ReportAllocs()
	for b.Loop() {
		a, _, err := st.StartAttempt(ctx, u.ID, "module:bench", rules, keys, layouts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.SubmitAttempt(ctx, a.ID, u.ID, rules, answers, lookup); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadAttempt40 reads an open 40-question attempt with its items, as the quiz page does.
func BenchmarkLoadAttempt40(b *testing.B) {
	st, err := Open(context.Background(), storetest.DSN(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	u, _ := st.CreateUser(ctx, accounts.NewUser{Login: "bench", Name: "压测", Role: accounts.Trainee, ShopCode: "001"}, "x")
	keys, layouts, _, _ := benchQuestions(b)
	a, _, err := st.StartAttempt(ctx, u.ID, "module:bench", quiz.AttemptRules{Pass: 80}, keys, layouts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Attempt(ctx, a.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuizRollup is the per-store roll-up of attempts (count, mean score, pass rate per
// quiz) on a seeded database of 200 people and 20,000 attempts: the company view (every
// store) and one store's view.
func BenchmarkQuizRollup(b *testing.B) {
	st, err := Open(context.Background(), storetest.DSN(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	seedSmall(b, st, 200, 10, 20000)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		shop int64
	}{{"company", 0}, {"store", 3}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := st.QuizSummaries(ctx, c.shop); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkModuleViewQueued is the cost a module page view adds to a request now that visit and
// seat time go through the activity writer: queueing two events.
func BenchmarkModuleViewQueued(b *testing.B) {
	st, err := Open(context.Background(), storetest.DSN(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	u, _ := st.CreateUser(ctx, accounts.NewUser{Login: "bench", Name: "压测", Role: accounts.Trainee, ShopCode: "001"}, "x")
	capOf := func(string) time.Duration { return time.Hour }
	b.ReportAllocs()
	for b.Loop() {
		st.RecordModuleVisit(ctx, u.ID, "a")
		st.RecordActivity(ctx, u.ID, "a", tracking.DefaultSeatRules, capOf)
	}
	if err := st.FlushActivity(ctx); err != nil {
		b.Fatal(err)
	}
}

func hashHex(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// BenchmarkSeed20000Attempts is the seed's write path: 200 people, 20,000 attempts with items.
func BenchmarkSeed20000Attempts(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		st, err := Open(context.Background(), storetest.DSN(b), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		seedSmall(b, st, 200, 10, 20000)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}

// TestGroupCommitKeepsEachWriterApart: submits running together share commits, yet a submit
// that fails (the second of a double submit) changes nothing and every other one commits.
func TestGroupCommitKeepsEachWriterApart(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	keys, layouts, lookup, answers := benchQuestions(t)
	rules := quiz.AttemptRules{Pass: 80}
	type started struct{ user, attempt int64 }
	var all []started
	for i := range 12 {
		u, err := st.CreateUser(ctx, accounts.NewUser{Login: fmt.Sprintf("g%02d", i), Name: "人", Role: accounts.Trainee, ShopCode: "001"}, "x")
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := st.StartAttempt(ctx, u.ID, "module:bench", rules, keys, layouts)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, started{u.ID, a.ID})
	}
	var wg sync.WaitGroup
	errs := make([]error, 2*len(all))
	for i, s := range all {
		for k := range 2 { // every attempt submitted twice at once
			wg.Go(func() {
				_, errs[2*i+k] = st.SubmitAttempt(ctx, s.attempt, s.user, rules, answers, lookup)
			})
		}
	}
	wg.Wait()
	for i := range all {
		a, b := errs[2*i], errs[2*i+1]
		if (a == nil) == (b == nil) || (a != nil && !errors.Is(a, failure.ErrConflict)) || (b != nil && !errors.Is(b, failure.ErrConflict)) {
			t.Errorf("attempt %d: submits gave %v and %v, want one success and one conflict", i, a, b)
		}
	}
	var finished, graded int
	st.r.Raw("SELECT COUNT(*) FROM attempts WHERE state = 'finished'").Scan(&finished)
	st.r.Raw("SELECT COUNT(*) FROM attempt_items WHERE fraction IS NOT NULL").Scan(&graded)
	if finished != len(all) || graded != 40*len(all) {
		t.Errorf("%d finished attempts and %d graded items, want %d and %d", finished, graded, len(all), 40*len(all))
	}
}

// BenchmarkDashboardQueries is what the dashboards ask of the database once the per-person
// summaries exist: the company view's per-store sums ("company"), and the store page's people,
// one summary row each and their open assignments counted ("store"; "every person" is the
// same for the whole company, as the start-up warm-up and the scheduler read it). By default on a seeded set of 1,000 people in 20 stores; with
// ACADEMY_BENCH_DB naming a database made by `academy seed` (and warmed, see bench/load.sh),
// on that set, e.g. 10,000 people and a million attempts.
func BenchmarkDashboardQueries(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("ACADEMY_BENCH_DB")
	var st *Store
	var err error
	if path != "" {
		st, err = Open(ctx, path, Options{})
	} else {
		st, err = Open(ctx, storetest.DSN(b), Options{})
	}
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if path == "" {
		seedSmall(b, st, 1000, 20, 20000)
	}
	shops, err := st.Shops(ctx)
	if err != nil || len(shops) == 0 {
		b.Fatalf("shops: %v %v", len(shops), err)
	}
	catalog, month := currentSummaries(b, st)
	b.Run("company", func(b *testing.B) {
		people, stale := 0, 0
		for b.Loop() {
			rollup, s, err := st.CompanyRollup(ctx, catalog, month, st.Now())
			if err != nil {
				b.Fatal(err)
			}
			people, stale = 0, len(s)
			for _, r := range rollup {
				people += r.Staff
			}
		}
		b.ReportMetric(float64(people), "people")
		b.ReportMetric(float64(stale), "stale")
	})
	for _, c := range []struct {
		name string
		shop int64
	}{{"store", shops[0].ID}, {"every person", 0}} {
		b.Run(c.name, func(b *testing.B) {
			people := 0
			for b.Loop() {
				users, err := st.Users(ctx, c.shop)
				if err != nil {
					b.Fatal(err)
				}
				ids := make([]int64, len(users))
				for i, u := range users {
					ids[i] = u.ID
				}
				current, stale, err := st.OnboardingSummaries(ctx, ids, catalog, month)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := st.OpenAssignmentCounts(ctx, c.shop, st.Now()); err != nil {
					b.Fatal(err)
				}
				people = len(current) + len(stale)
			}
			b.ReportMetric(float64(people), "people")
		})
	}
}

// currentSummaries returns the catalogue fingerprint and month of the stored summaries, after
// storing a current one for everybody when there are none (a set seeded here), so the
// dashboard benchmarks read current rows as a database in use would.
func currentSummaries(b *testing.B, st *Store) (catalog, month string) {
	ctx := context.Background()
	var found []struct{ Catalog, Month string }
	if err := st.r.Raw("SELECT catalog, month FROM onboarding_summaries LIMIT 1").Scan(&found).Error; err != nil {
		b.Fatal(err)
	}
	if len(found) == 1 {
		return found[0].Catalog, found[0].Month
	}
	catalog, month = "bench", "2026-11"
	users, err := st.Users(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	_, stale, err := st.OnboardingSummaries(ctx, ids, catalog, month)
	if err != nil {
		b.Fatal(err)
	}
	var sums []OnboardingSummary
	for id, rev := range stale {
		sums = append(sums, OnboardingSummary{UserID: id, Rev: rev, Catalog: catalog, Month: month, CreditedHours: float64(id % 40), Cleared: id%3 == 0})
	}
	for start := 0; start < len(sums); start += 500 {
		if err := st.SaveOnboardingSummaries(ctx, sums[start:min(start+500, len(sums))]); err != nil {
			b.Fatal(err)
		}
	}
	return catalog, month
}
