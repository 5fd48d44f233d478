package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// migration is one explicit, numbered schema change. Migrations are never edited once
// released; a change is a new migration.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the schema's history, in order.
var migrations = []migration{
	{1, "accounts, sessions, settings, audit log, module progress", `
CREATE TABLE shops (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL
);
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('trainee','supervisor','admin')),
	shop_id INTEGER REFERENCES shops(id),
	hired_on DATETIME,
	active BOOLEAN NOT NULL DEFAULT 1,
	created_at DATETIME NOT NULL
);
CREATE INDEX users_shop ON users(shop_id);
CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	last_seen_at DATETIME NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at DATETIME NOT NULL,
	actor_id INTEGER,
	action TEXT NOT NULL,
	object TEXT NOT NULL,
	before TEXT NOT NULL DEFAULT '',
	after TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TABLE module_progress (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	module_id TEXT NOT NULL,
	first_opened_at DATETIME NOT NULL,
	last_seen_at DATETIME NOT NULL,
	active_seconds INTEGER NOT NULL DEFAULT 0,
	visits INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, module_id)
);
`},
	{2, "quiz attempts", `
CREATE TABLE attempts (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	quiz TEXT NOT NULL,
	number INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open','awaiting_grading','finished')),
	started_at DATETIME NOT NULL,
	deadline DATETIME,
	submitted_at DATETIME,
	pass INTEGER NOT NULL,
	score REAL NOT NULL DEFAULT 0,
	passed BOOLEAN NOT NULL DEFAULT 0,
	UNIQUE (user_id, quiz, number)
);
CREATE INDEX attempts_quiz ON attempts(quiz, state);
CREATE TABLE attempt_items (
	attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	question_key TEXT NOT NULL,
	layout TEXT NOT NULL,
	response TEXT NOT NULL DEFAULT '{}',
	fraction REAL,
	correct BOOLEAN NOT NULL DEFAULT 0,
	needs_grading BOOLEAN NOT NULL DEFAULT 0,
	feedback TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (attempt_id, position)
);
CREATE INDEX attempt_items_question ON attempt_items(question_key);
`},
	{4, "seat time: each person's last activity", `
CREATE TABLE user_activity (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	module_id TEXT NOT NULL DEFAULT '',
	at DATETIME NOT NULL
);
`},
	{5, "login throttling", `
CREATE TABLE login_failures (
	id INTEGER PRIMARY KEY,
	subject TEXT NOT NULL,
	at DATETIME NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures(subject, at);
`},
	{3, "drills, ratings, practice", `
CREATE TABLE drills (
	id INTEGER PRIMARY KEY,
	trainee_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	scenario TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('scheduled','in_progress','submitted','released')),
	pass INTEGER NOT NULL CHECK (pass BETWEEN 0 AND 100),
	calibrate BOOLEAN NOT NULL DEFAULT 0,
	rater_id INTEGER NOT NULL REFERENCES users(id),
	created_by INTEGER NOT NULL REFERENCES users(id),
	created_at DATETIME NOT NULL,
	scheduled_at DATETIME,
	started_at DATETIME,
	submitted_at DATETIME,
	released_at DATETIME,
	score REAL,
	passed BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX drills_queue ON drills(state, scheduled_at);
CREATE INDEX drills_trainee ON drills(trainee_id, created_at);
CREATE TABLE drill_ratings (
	id INTEGER PRIMARY KEY,
	drill_id INTEGER NOT NULL REFERENCES drills(id) ON DELETE CASCADE,
	rater_id INTEGER NOT NULL REFERENCES users(id),
	state TEXT NOT NULL CHECK (state IN ('draft','submitted')),
	notes TEXT NOT NULL DEFAULT '',
	score REAL,
	passed BOOLEAN NOT NULL DEFAULT 0,
	started_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	submitted_at DATETIME,
	UNIQUE (drill_id, rater_id)
);
CREATE INDEX drill_ratings_rater ON drill_ratings(rater_id, state);
CREATE TABLE drill_scores (
	rating_id INTEGER NOT NULL REFERENCES drill_ratings(id) ON DELETE CASCADE,
	criterion TEXT NOT NULL,
	score INTEGER CHECK (score >= 0),
	comment TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (rating_id, criterion)
);
CREATE TABLE practice_sessions (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	scenario TEXT NOT NULL,
	path TEXT NOT NULL DEFAULT '[]',
	started_at DATETIME NOT NULL,
	last_at DATETIME NOT NULL,
	finished_at DATETIME,
	active_seconds INTEGER NOT NULL DEFAULT 0 CHECK (active_seconds >= 0),
	points INTEGER,
	max_points INTEGER
);
CREATE INDEX practice_sessions_user ON practice_sessions(user_id, started_at);
`},
	{8, "offline hours, clearances", `
CREATE TABLE offline_hours (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	activity TEXT NOT NULL,
	hours REAL NOT NULL CHECK (hours > 0),
	on_date DATETIME NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	logged_by INTEGER NOT NULL REFERENCES users(id),
	logged_at DATETIME NOT NULL,
	signed_off_by INTEGER REFERENCES users(id),
	signed_off_at DATETIME
);
CREATE INDEX offline_hours_user ON offline_hours(user_id, on_date);
CREATE TABLE clearances (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	cleared_at DATETIME NOT NULL,
	hours REAL NOT NULL,
	final_score REAL NOT NULL,
	code TEXT NOT NULL UNIQUE
);
`},
	{7, "monthly KPI values", `
CREATE TABLE kpi_values (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	month TEXT NOT NULL,
	kpi TEXT NOT NULL,
	value REAL NOT NULL,
	entered_by INTEGER REFERENCES users(id),
	entered_at DATETIME NOT NULL,
	PRIMARY KEY (user_id, month, kpi)
);
CREATE INDEX kpi_values_month ON kpi_values(month, kpi);
`},
	{6, "assignments (recurring and remedial training), spaced-repetition review queue", `
CREATE TABLE assignments (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	programme TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('refresher','assessment','remedial')),
	period TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	modules TEXT NOT NULL DEFAULT '',
	assigned_at DATETIME NOT NULL,
	due_at DATETIME NOT NULL,
	completed_at DATETIME,
	attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
	UNIQUE (user_id, programme, period)
);
CREATE INDEX assignments_due ON assignments(due_at, user_id);
CREATE TABLE review_items (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	question_key TEXT NOT NULL,
	step INTEGER NOT NULL DEFAULT 0,
	correct_streak INTEGER NOT NULL DEFAULT 0,
	due_at DATETIME NOT NULL,
	retired BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (user_id, question_key)
);
CREATE INDEX review_items_due ON review_items(user_id, retired, due_at);
`},
	{9, "per-person summaries for the dashboards (onboarding, latest KPI appraisal), open assignments index", `
CREATE TABLE onboarding_changes (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	rev INTEGER NOT NULL
);
CREATE TABLE onboarding_summaries (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	rev INTEGER NOT NULL,
	catalog TEXT NOT NULL,
	month TEXT NOT NULL,
	credited_hours REAL NOT NULL,
	required_hours REAL NOT NULL,
	active_seconds INTEGER NOT NULL,
	cleared BOOLEAN NOT NULL,
	cleared_at DATETIME,
	last_drill_at DATETIME,
	last_drill_score REAL,
	last_drill_passed BOOLEAN,
	kpi_month TEXT NOT NULL DEFAULT '',
	kpi_total REAL NOT NULL DEFAULT 0
);
CREATE INDEX assignments_open ON assignments(user_id, due_at) WHERE completed_at IS NULL;
-- Only finished attempts count in the evaluation: starting one (a burst of ten thousand at a
-- refresher) leaves the summaries current.
-- No query looks items up by question (all go through attempt_id), and with millions of items
-- every start paid 40 random inserts into this index (BENCHMARKS.md).
DROP INDEX IF EXISTS attempt_items_question;
CREATE TRIGGER attempts_onboarding_insert AFTER INSERT ON attempts WHEN NEW.state = 'finished' BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER attempts_onboarding_update AFTER UPDATE OF state, score, passed ON attempts
	WHEN NEW.state = 'finished' OR OLD.state = 'finished' BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER module_progress_onboarding_insert AFTER INSERT ON module_progress BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER module_progress_onboarding_update AFTER UPDATE OF active_seconds ON module_progress BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER practice_onboarding_insert AFTER INSERT ON practice_sessions BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER practice_onboarding_update AFTER UPDATE OF active_seconds ON practice_sessions BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER drills_onboarding_insert AFTER INSERT ON drills BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.trainee_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER drills_onboarding_update AFTER UPDATE ON drills BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.trainee_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER drills_onboarding_delete AFTER DELETE ON drills BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (OLD.trainee_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER offline_onboarding_insert AFTER INSERT ON offline_hours BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER offline_onboarding_update AFTER UPDATE ON offline_hours BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER offline_onboarding_delete AFTER DELETE ON offline_hours BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (OLD.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER clearances_onboarding_insert AFTER INSERT ON clearances BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER kpi_onboarding_insert AFTER INSERT ON kpi_values BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER kpi_onboarding_update AFTER UPDATE ON kpi_values BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (NEW.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
CREATE TRIGGER kpi_onboarding_delete AFTER DELETE ON kpi_values BEGIN
	INSERT INTO onboarding_changes (user_id, rev) VALUES (OLD.user_id, 1) ON CONFLICT (user_id) DO UPDATE SET rev = onboarding_changes.rev + 1; END;
`},
}

func init() {
	// Keep the history in version order whatever order the entries were written in, so
	// Migrate applies them in sequence.
	sort.Slice(migrations, func(i, j int) bool { return migrations[i].version < migrations[j].version })
}

// LatestVersion is the schema version this code expects.
func LatestVersion() int { return migrations[len(migrations)-1].version }

// SchemaVersion reports the highest applied migration (0 for a new database).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	applied, err := s.appliedVersions(ctx)
	v := 0
	for a := range applied {
		v = max(v, a)
	}
	return v, err
}

// appliedVersions is the set of migrations recorded in schema_migrations.
func appliedVersions(db *gorm.DB) (map[int]bool, error) {
	ddl := `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DATETIME NOT NULL)`
	if isPostgres(db) {
		ddl = strings.TrimSuffix(strings.TrimSpace(must(translateToPostgres(ddl, false))), ";")
	}
	if err := db.Exec(ddl).Error; err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	var vs []int
	if err := db.Raw("SELECT version FROM schema_migrations").Scan(&vs).Error; err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	applied := make(map[int]bool, len(vs))
	for _, v := range vs {
		if v > 0 { // version 0 is no migration: a database with only the bookkeeping is new
			applied[v] = true
		}
	}
	return applied, nil
}

// pending lists the migrations a database with the given applied set still needs, in order;
// a version missing below the highest applied one (two branches merged) counts too.
func pending(applied map[int]bool) []migration {
	var out []migration
	for _, m := range migrations {
		if !applied[m.version] {
			out = append(out, m)
		}
	}
	return out
}

// appliedVersions reads the applied set; on PostgreSQL under the migration lock, so that an
// instance starting while another migrates waits for it instead of racing to create
// schema_migrations.
func (s *Store) appliedVersions(ctx context.Context) (map[int]bool, error) {
	if !s.postgres {
		return appliedVersions(s.w.WithContext(ctx))
	}
	var applied map[int]bool
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockMigrations(tx); err != nil {
			return err
		}
		var err error
		applied, err = appliedVersions(tx)
		return err
	})
	return applied, err
}

// lockMigrations serialises migrations across instances on PostgreSQL: a transaction-scoped
// advisory lock keyed by the schema, held until the transaction ends, so two instances
// starting together apply each migration once. SQLite's immediate transaction already does
// this.
func lockMigrations(tx *gorm.DB) error {
	if !isPostgres(tx) {
		return nil
	}
	var ignored []string
	return tx.Raw("SELECT pg_advisory_xact_lock(" + migrationLockKey + ")::text").Scan(&ignored).Error
}

// migrationLockKey is the advisory lock of the schema's migrations on PostgreSQL: one per
// schema, so tests in schemas of their own do not wait for each other.
const migrationLockKey = "hashtext('aftercare.migrate.' || current_schema())"

// prepareSchema sets up a new database, or checks (and with migrate, brings up to date) an
// existing one. On PostgreSQL one connection holds the migration lock for the session, from
// the first look at the schema to the last migration: an instance starting while another
// sets the database up waits, then finds it current. (The per-migration lock taken inside is
// the same lock on the same session, which PostgreSQL grants at once.)
func (s *Store) prepareSchema(ctx context.Context, migrate bool) error {
	if !s.postgres {
		return s.checkAndMigrate(s.w.WithContext(ctx), migrate)
	}
	return s.w.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(" + migrationLockKey + ")").Error; err != nil {
			return fmt.Errorf("wait for the migration lock: %w", err)
		}
		err := s.checkAndMigrate(conn, migrate)
		if uerr := conn.Exec("SELECT pg_advisory_unlock(" + migrationLockKey + ")").Error; uerr != nil && err == nil {
			err = fmt.Errorf("release the migration lock: %w", uerr)
		}
		return err
	})
}

func (s *Store) checkAndMigrate(db *gorm.DB, migrate bool) error {
	applied, err := appliedVersions(db)
	if err != nil {
		return err
	}
	for v := range applied {
		if v > LatestVersion() {
			return fmt.Errorf("%w (database %d, code %d)", ErrSchemaAhead, v, LatestVersion())
		}
	}
	todo := pending(applied)
	switch {
	case len(todo) == 0:
		return nil
	case len(applied) > 0 && !migrate:
		return fmt.Errorf("%w (%d migration(s) pending, first: %d %s)", ErrSchemaBehind, len(todo), todo[0].version, todo[0].name)
	}
	_, err = s.migrate(db)
	return err
}

// Migrate applies every pending migration, each in its own immediate transaction together
// with its row in schema_migrations, and returns the names of those it applied. On
// PostgreSQL each transaction first takes the migration lock (lockMigrations) and runs the
// migration's PostgreSQL text (postgresMigrationSQL).
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	return s.migrate(s.w.WithContext(ctx))
}

func (s *Store) migrate(db *gorm.DB) ([]string, error) {
	var done []string
	for _, m := range migrations {
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := lockMigrations(tx); err != nil {
				return err
			}
			applied, err := appliedVersions(tx)
			if err != nil || applied[m.version] {
				return err
			}
			text := m.sql
			if s.postgres {
				if text, err = postgresMigrationSQL(m); err != nil {
					return err
				}
			}
			if err := tx.Exec(text).Error; err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
			done = append(done, fmt.Sprintf("%d %s", m.version, m.name))
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, time.Now().UTC()).Error
		})
		if err != nil {
			return done, err
		}
	}
	return done, nil
}
