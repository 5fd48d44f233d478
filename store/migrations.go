package store

import (
	"context"
	"fmt"
	"sort"
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
}

func init() {
	// Keep the history in version order whatever order the entries were written in, so
	// Migrate applies them in sequence.
	sort.Slice(migrations, func(i, j int) bool { return migrations[i].version < migrations[j].version })
}

// LatestVersion is the schema version this code expects.
func LatestVersion() int { return migrations[len(migrations)-1].version }

// SchemaVersion reports the database's applied version (0 for a new database).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(s.w.WithContext(ctx))
}

func schemaVersion(db *gorm.DB) (int, error) {
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DATETIME NOT NULL)`).Error; err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	var v int
	if err := db.Raw("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

func (s *Store) prepareSchema(ctx context.Context, migrate bool) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case v > LatestVersion():
		return fmt.Errorf("%w (database %d, code %d)", ErrSchemaAhead, v, LatestVersion())
	case v == LatestVersion():
		return nil
	case v > 0 && !migrate:
		return fmt.Errorf("%w (database %d, code %d)", ErrSchemaBehind, v, LatestVersion())
	}
	_, err = s.Migrate(ctx)
	return err
}

// Migrate applies every pending migration, each in its own immediate transaction together
// with its row in schema_migrations, and returns the names of those it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	var applied []string
	for _, m := range migrations {
		err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			v, err := schemaVersion(tx)
			if err != nil || v >= m.version {
				return err
			}
			if err := tx.Exec(m.sql).Error; err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
			applied = append(applied, fmt.Sprintf("%d %s", m.version, m.name))
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, time.Now().UTC()).Error
		})
		if err != nil {
			return applied, err
		}
	}
	return applied, nil
}
