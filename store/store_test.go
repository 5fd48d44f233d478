package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/store/storetest"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), storetest.DSN(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestOpenSetsUpPragmasAndSchema(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	v, err := st.SchemaVersion(ctx)
	if err != nil || v != LatestVersion() {
		t.Fatalf("schema version %d, %v; want %d", v, err, LatestVersion())
	}
	if st.postgres {
		return // the pragmas and the read-only pool are SQLite's (see TestPostgresUsesOnePool)
	}
	var mode string
	st.w.Raw("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q, want wal", mode)
	}
	var fk int
	st.r.Raw("PRAGMA foreign_keys").Scan(&fk)
	if fk != 1 {
		t.Errorf("foreign_keys %d on the read pool, want 1", fk)
	}
	if err := st.r.Exec("INSERT INTO settings (key, value) VALUES ('x', 'y')").Error; err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestOpenRefusesSchemaBehindUnlessMigrating(t *testing.T) {
	path := storetest.DSN(t)
	driver, applied := "sqlite3", "DATETIME"
	if storetest.Postgres() {
		driver, applied = "pgx", "TIMESTAMPTZ"
	}
	db, err := sql.Open(driver, path)
	if err != nil {
		t.Fatal(err)
	}
	// A database that has the bookkeeping table but nothing applied is treated as new.
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ` + applied + ` NOT NULL);
		INSERT INTO schema_migrations VALUES (0, 'before time', '2020-01-01');`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// "Behind": the code gains a migration the database does not have yet.
	ctx := context.Background()
	st, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("a database with nothing applied is set up on open: %v", err)
	}
	st.Close()

	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(append([]migration{}, saved...), migration{LatestVersion() + 1, "test column", "ALTER TABLE shops ADD COLUMN city TEXT"})
	if _, err := Open(ctx, path, Options{}); !errors.Is(err, ErrSchemaBehind) {
		t.Fatalf("open behind: %v, want ErrSchemaBehind", err)
	}
	st, err = Open(ctx, path, Options{Migrate: true})
	if err != nil {
		t.Fatalf("open with migrate: %v", err)
	}
	v, _ := st.SchemaVersion(ctx)
	st.Close()
	if v != LatestVersion() {
		t.Fatalf("after migrate version %d, want %d", v, LatestVersion())
	}
	migrations = saved
	if _, err := Open(ctx, path, Options{}); !errors.Is(err, ErrSchemaAhead) {
		t.Fatalf("open ahead: %v, want ErrSchemaAhead", err)
	}
}

func TestUsersSessionsAndScope(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if _, err := st.EnsureShop(ctx, "001", "人民路店"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnsureShop(ctx, "001", "another name"); err != nil {
		t.Fatal("EnsureShop is idempotent:", err)
	}
	n := accounts.NewUser{Login: "xiaoli", Name: "小李", Role: accounts.Trainee, ShopCode: "001", HiredOn: "2026-11-01", Password: "long enough pw"}
	u, err := st.CreateUser(ctx, n, "hash")
	if err != nil {
		t.Fatal(err)
	}
	if u.ShopName != "人民路店" || u.HiredOn.Format("2006-01-02") != "2026-11-01" || !u.Active {
		t.Fatalf("created user %+v", u)
	}
	_, err = st.CreateUser(ctx, n, "hash")
	var f failure.Fields
	if !errors.As(err, &f) || f["login"] == "" {
		t.Fatalf("duplicate login: %v, want a login field error", err)
	}
	n.Login, n.ShopCode = "other", "999"
	if _, err = st.CreateUser(ctx, n, "hash"); !errors.As(err, &f) || f["shop"] == "" {
		t.Fatalf("unknown store: %v, want a shop field error", err)
	}

	if err := st.CreateSession(ctx, "h1", u.ID, st.Now().Add(3600e9)); err != nil {
		t.Fatal(err)
	}
	if got, err := st.SessionUser(ctx, "h1"); err != nil || got.ID != u.ID {
		t.Fatalf("session user %v, %v", got, err)
	}
	if err := st.SetActive(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionUser(ctx, "h1"); !errors.Is(err, failure.ErrUnauthenticated) {
		t.Fatalf("deactivated user's session still valid: %v", err)
	}
	if err := st.CreateSession(ctx, "expired", u.ID, st.Now().Add(-1)); err != nil {
		t.Fatal(err)
	}
	st.SetActive(ctx, u.ID, true)
	if _, err := st.SessionUser(ctx, "expired"); !errors.Is(err, failure.ErrUnauthenticated) {
		t.Fatalf("expired session accepted: %v", err)
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Audit(ctx, AuditEntry{Action: "grade.change", Object: "attempt:1", Before: "0.5", After: "0"}); err != nil {
		t.Fatal(err)
	}
	if err := st.w.Exec("UPDATE audit_log SET after = '1'").Error; err == nil {
		t.Error("audit log row was updated")
	}
	if err := st.w.Exec("DELETE FROM audit_log").Error; err == nil {
		t.Error("audit log row was deleted")
	}
	log, err := st.AuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].After != "0" {
		t.Fatalf("audit log %v, %v", log, err)
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if _, err := st.EnsureShop(ctx, "001", "人民路店"); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if st.postgres {
		if err := st.Backup(ctx, dest); !errors.Is(err, ErrBackupWithPgDump) || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("backup on PostgreSQL: %v, want the pg_dump advice", err)
		}
		return
	}
	if err := st.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := st.Backup(ctx, dest); err == nil {
		t.Error("backup overwrote an existing file")
	}
	cp, err := Open(ctx, dest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if res, err := cp.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity %q, %v", res, err)
	}
	if shop, err := cp.ShopByCode(ctx, "001"); err != nil || shop.Name != "人民路店" {
		t.Fatalf("restored shop %v, %v", shop, err)
	}
}

func TestModuleVisits(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	u, err := st.CreateUser(ctx, accounts.NewUser{Login: "a1", Name: "甲", Role: accounts.Trainee, ShopCode: "001"}, "h")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := st.RecordModuleVisit(ctx, u.ID, "tiles/tile-problems"); err != nil {
			t.Fatal(err)
		}
	}
	p, err := st.ModuleProgress(ctx, u.ID)
	if err != nil || p["tiles/tile-problems"].Visits != 3 {
		t.Fatalf("progress %v, %v", p, err)
	}
}

func TestManualGradingOfAnEssay(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "店")
	u, _ := st.CreateUser(ctx, accounts.NewUser{Login: "a1", Name: "甲", Role: accounts.Trainee, ShopCode: "001"}, "h")
	essay := quiz.Question{Type: quiz.Essay, Name: "e"}
	tf := quiz.Question{Type: quiz.TrueFalse, Name: "t", Correct: true}
	lookup := func(k string) (quiz.Question, bool) {
		if k == "e" {
			return essay, true
		}
		return tf, true
	}
	rules := quiz.AttemptRules{Pass: 75}
	a, _, err := st.StartAttempt(ctx, u.ID, "module:x/y", rules, []string{"t", "e"}, []quiz.Layout{quiz.NewLayout(tf, nil), {}})
	if err != nil {
		t.Fatal(err)
	}
	a, err = st.SubmitAttempt(ctx, a.ID, u.ID, rules, map[int]quiz.Response{0: {Choices: []int{0}}, 1: {Text: "先道歉，再登记"}}, lookup)
	if err != nil || a.State != quiz.AwaitingGrading || a.Passed {
		t.Fatalf("after submit: %v %s passed=%v", err, a.State, a.Passed)
	}
	queue, _ := st.AwaitingGrading(ctx, 0)
	if len(queue) != 1 || queue[0].Owner.Login != "a1" {
		t.Fatalf("queue %v", queue)
	}
	if _, err := st.GradeManually(ctx, 9, a.ID, 1, 1.5, ""); err == nil {
		t.Fatal("a mark above 100% was accepted")
	}
	a, err = st.GradeManually(ctx, 9, a.ID, 1, 0.5, "思路对，话术不够具体")
	if err != nil || a.State != quiz.Finished || a.Score != 75 || !a.Passed {
		t.Fatalf("after grading: %v %s %.1f passed=%v", err, a.State, a.Score, a.Passed)
	}
	if fb := a.Items[1].Mark.Feedback; len(fb) != 1 || fb[0] != "主管评语：思路对，话术不够具体" {
		t.Fatalf("comment %v", fb)
	}
	// Grading down to zero sticks.
	if a, _ = st.GradeManually(ctx, 9, a.ID, 1, 0, ""); a.Score != 50 || a.Passed {
		t.Fatalf("regrade to zero: %.1f passed=%v", a.Score, a.Passed)
	}
	log, _ := st.AuditLog(ctx, 10)
	if len(log) != 2 || log[0].Before != "0.5000" || log[0].After != "0.0000" {
		t.Fatalf("audit %+v", log)
	}
}

func TestMigrateAppliesAVersionMissingBelowTheHighest(t *testing.T) {
	path := storetest.DSN(t)
	ctx := context.Background()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	// A database migrated by a build that did not have migration 3 yet (migrations 4 to 8 were
	// applied; 9 and later build on 3's tables and came after it).
	var without []migration
	for _, m := range saved {
		if m.version != 3 && m.version < 9 {
			without = append(without, m)
		}
	}
	migrations = without
	st, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	migrations = saved
	if _, err := Open(ctx, path, Options{}); !errors.Is(err, ErrSchemaBehind) {
		t.Fatalf("a database missing migration 3 opened without migrating: %v", err)
	}
	st, err = Open(ctx, path, Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.r.Raw("SELECT COUNT(*) FROM drills").Scan(&n).Error; err != nil {
		t.Fatal("migration 3 was not applied:", err)
	}
}
