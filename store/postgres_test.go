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
)

// These tests run on both backends (SQLite by default, PostgreSQL with ACADEMY_TEST_POSTGRES):
// two Stores on one database stand for two instances of the platform.

// openTwice opens one new database from several Stores — on PostgreSQL at the same moment, as
// instances starting together do — and checks that every one succeeds and the schema is set
// up once. (A SQLite database is served by one instance; its Stores open one after another.)
func openTwice(t *testing.T) (*Store, *Store) {
	t.Helper()
	dsn := storetest.DSN(t)
	ctx := context.Background()
	stores := make([]*Store, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range stores {
		if !storetest.Postgres() {
			stores[i], errs[i] = Open(ctx, dsn, Options{})
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, dsn, Options{})
		}()
	}
	wg.Wait()
	for i, st := range stores {
		if errs[i] != nil {
			t.Fatalf("open %d of 3 at once: %v", i+1, errs[i])
		}
		t.Cleanup(func() { st.Close() })
	}
	var rows int
	if err := stores[0].r.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version > 0").Scan(&rows).Error; err != nil || rows != len(migrations) {
		t.Fatalf("schema_migrations has %d rows (%v), want each of the %d migrations once", rows, err, len(migrations))
	}
	return stores[0], stores[1]
}

func TestTwoStoresOnOneDatabaseAgreeAndCountOnce(t *testing.T) {
	a, b := openTwice(t)
	ctx := context.Background()

	// The session key: each proposes its own, both end up with the same one.
	keys := make([]string, 2)
	var wg sync.WaitGroup
	for i, st := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := st.EnsureSetting(ctx, "session_key", []string{"key of A", "key of B"}[i])
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	if keys[0] != keys[1] || keys[0] == "" {
		t.Fatalf("the two stores settled on different session keys: %q", keys)
	}

	if _, err := a.EnsureShop(ctx, "001", "店"); err != nil {
		t.Fatal(err)
	}
	u, err := b.CreateUser(ctx, accounts.NewUser{Login: "a1", Name: "甲", Role: accounts.Trainee, ShopCode: "001"}, "h")
	if err != nil {
		t.Fatal(err)
	}
	tf := quiz.Question{Type: quiz.TrueFalse, Name: "t", Correct: true}
	lookup := func(string) (quiz.Question, bool) { return tf, true }
	rules := quiz.AttemptRules{Pass: 50}
	for round := range 5 {
		// Two starts at once open one attempt: the other resumes it.
		ids := make([]int64, 2)
		resumed := make([]bool, 2)
		for i, st := range []*Store{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				att, res, err := st.StartAttempt(ctx, u.ID, "module:x/y", rules, []string{"t"}, []quiz.Layout{quiz.NewLayout(tf, nil)})
				if err != nil {
					t.Error(err)
				}
				ids[i], resumed[i] = att.ID, res
			}()
		}
		wg.Wait()
		if ids[0] != ids[1] || resumed[0] == resumed[1] {
			t.Fatalf("round %d: two starts gave attempts %v (resumed %v), want one attempt started once", round, ids, resumed)
		}
		// Two submits at once: one grades, the other is a conflict.
		errs := make([]error, 2)
		for i, st := range []*Store{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = st.SubmitAttempt(ctx, ids[0], u.ID, rules, map[int]quiz.Response{0: {Choices: []int{0}}}, lookup)
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, failure.ErrConflict):
				conflicts++
			default:
				t.Fatalf("round %d: submit failed: %v", round, err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("round %d: submits gave %v, want one success and one conflict", round, errs)
		}
	}
	all, err := a.Attempts(ctx, u.ID)
	if err != nil || len(all) != 5 {
		t.Fatalf("%d attempts (%v), want 5", len(all), err)
	}
	for i, att := range all {
		if att.State != quiz.Finished || att.Number != 5-i {
			t.Fatalf("attempt %+v: want finished, numbered in order", att)
		}
	}
}

// TestTimesAndBooleansRoundTrip checks what each backend hands back: times in UTC, the same
// instant that was stored (PostgreSQL keeps microseconds, so times are compared at that
// precision), dates as midnight UTC, and booleans both ways.
func TestTimesAndBooleansRoundTrip(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	shanghai := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 2, 9, 30, 15, 123456789, shanghai)
	st.Now = func() time.Time { return now.UTC() }
	st.EnsureShop(ctx, "001", "店")
	u, err := st.CreateUser(ctx, accounts.NewUser{Login: "a1", Name: "甲", Role: accounts.Trainee, ShopCode: "001", HiredOn: "2026-02-28"}, "h")
	if err != nil {
		t.Fatal(err)
	}
	if u.HiredOn.Location() != time.UTC || !u.HiredOn.Equal(time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)) || !u.Active {
		t.Fatalf("hired %v (%v), active %v; want 2026-02-28 00:00 UTC, active", u.HiredOn, u.HiredOn.Location(), u.Active)
	}
	if err := st.SetActive(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if u, _ = st.UserByID(ctx, u.ID); u.Active {
		t.Fatal("deactivated user reads back active")
	}
	st.SetActive(ctx, u.ID, true)

	tf := quiz.Question{Type: quiz.TrueFalse, Name: "t", Correct: true}
	rules := quiz.AttemptRules{Pass: 50, TimeLimit: 30 * time.Minute}
	a, _, err := st.StartAttempt(ctx, u.ID, "module:x/y", rules, []string{"t"}, []quiz.Layout{quiz.NewLayout(tf, nil)})
	if err != nil {
		t.Fatal(err)
	}
	a, err = st.SubmitAttempt(ctx, a.ID, u.ID, rules, map[int]quiz.Response{0: {Choices: []int{0}}},
		func(string) (quiz.Question, bool) { return tf, true })
	if err != nil {
		t.Fatal(err)
	}
	want := now.UTC().Truncate(time.Microsecond)
	for name, got := range map[string]time.Time{"started": a.StartedAt, "submitted": a.SubmittedAt, "deadline": a.Deadline} {
		if got.Location() != time.UTC {
			t.Errorf("%s comes back in %v, want UTC", name, got.Location())
		}
		w := want
		if name == "deadline" {
			w = want.Add(30 * time.Minute)
		}
		if !got.Truncate(time.Microsecond).Equal(w) {
			t.Errorf("%s = %v, want %v", name, got, w)
		}
	}
	if !a.Passed || a.Score != 100 || !a.Items[0].Mark.Correct {
		t.Fatalf("passed %v score %v correct %v: booleans and reals do not round-trip", a.Passed, a.Score, a.Items[0].Mark.Correct)
	}
	// A session expiring a microsecond from now is valid; one that expired is not.
	st.CreateSession(ctx, "soon", u.ID, now.Add(time.Second))
	st.CreateSession(ctx, "gone", u.ID, now.Add(-time.Microsecond))
	if _, err := st.SessionUser(ctx, "soon"); err != nil {
		t.Errorf("unexpired session: %v", err)
	}
	if _, err := st.SessionUser(ctx, "gone"); !errors.Is(err, failure.ErrUnauthenticated) {
		t.Errorf("expired session: %v", err)
	}
}

func TestPostgresUsesOnePool(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only (set " + storetest.EnvPostgres + ")")
	}
	st := openTest(t)
	if !st.postgres || st.r != st.w {
		t.Fatal("PostgreSQL should read and write through one pool")
	}
	db, _ := st.w.DB()
	if got := db.Stats().MaxOpenConnections; got != postgresPoolSize() || got < 8 || got > 32 {
		t.Fatalf("pool of %d connections", got)
	}
	// The audit log refuses changes on PostgreSQL too, through the plpgsql trigger.
	ctx := context.Background()
	if err := st.Audit(ctx, AuditEntry{Action: "x", Object: "y"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"UPDATE audit_log SET after = 'z'", "DELETE FROM audit_log", "TRUNCATE audit_log"} {
		if err := st.w.Exec(q).Error; err == nil {
			t.Errorf("%s was allowed", q)
		}
	}
}
