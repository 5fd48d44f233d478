package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// PostgreSQL backend. Several instances of the platform may run on one PostgreSQL database
// behind a load balancer, so nothing that must be shared lives in a process: sessions, the
// session key, login throttling and schedules are rows. Where SQLite's single writer made a
// read-then-write safe, the PostgreSQL path takes a row lock (lockRows) or relies on a
// conditional UPDATE or a unique constraint; migrations take an advisory lock so two instances
// starting together migrate once.

// IsPostgresDSN reports whether a --db value names a PostgreSQL server (postgres:// or
// postgresql://) rather than a SQLite file, which is how the command line chooses the backend.
func IsPostgresDSN(dsn string) bool {
	lower := strings.ToLower(dsn)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// DisplayName is what to print for a --db value: the SQLite path as given, or the PostgreSQL
// DSN with its password masked, so logs and command output never carry the secret.
func DisplayName(dsn string) string {
	if !IsPostgresDSN(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable DSN)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// ErrBackupWithPgDump is what `academy backup` answers on PostgreSQL: the file copy is for
// SQLite; a PostgreSQL database is backed up with the server's pg_dump.
var ErrBackupWithPgDump = errors.New("academy backup copies a SQLite database file; this database is PostgreSQL: " +
	"back it up with pg_dump, e.g. pg_dump --format=custom --file=academy-$(date +%F).dump \"$ACADEMY_DB\", " +
	"and restore with pg_restore (see README, Backups)")

// postgresPoolSize is the number of connections one instance keeps to PostgreSQL: enough for
// the request concurrency of one instance (the work per request is short), small enough that a
// handful of instances stay far below the server's default max_connections of 100.
func postgresPoolSize() int { return min(max(8, 4*runtime.NumCPU()), 32) }

// openPostgres opens one pool for reads and writes on the PostgreSQL database of the DSN and
// prepares its schema like Open does for SQLite. Timestamps come back in UTC, as they do from
// SQLite, so both backends hand the other packages the same values.
func openPostgres(ctx context.Context, dsn string, opts Options) (*Store, error) {
	name := DisplayName(dsn)
	pgcfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	db := stdlib.OpenDB(*pgcfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}))
	n := postgresPoolSize()
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: db}), &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	s := &Store{w: g, r: g, path: dsn, postgres: true, Now: func() time.Time { return time.Now().UTC() }}
	if err := s.prepareSchema(ctx, opts.Migrate); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// isPostgres reports whether a connection (or transaction) is to PostgreSQL; functions that
// take a *gorm.DB rather than the Store ask it.
func isPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// lockRows takes the row locks (SELECT … FOR NO KEY UPDATE: the lock an UPDATE of non-key
// columns takes, so inserts referencing the rows are not held up) of the rows of table matching where, for
// the rest of the transaction tx, before a read-then-write: a second transaction locking the
// same rows waits, then reads what the first committed. PostgreSQL needs this because several
// connections — and several instances — write at once; on SQLite the immediate transaction
// already holds the database's only write lock, so lockRows does nothing there. Rows that do
// not exist are not locked: callers lock a row that the change depends on.
func lockRows(tx *gorm.DB, table, where string, args ...any) error {
	if !isPostgres(tx) {
		return nil
	}
	var ignored []int
	return tx.Raw("SELECT 1 FROM "+table+" WHERE "+where+" FOR NO KEY UPDATE", args...).Scan(&ignored).Error
}

// lockRow is lockRows for the row with the given id.
func lockRow(tx *gorm.DB, table string, id int64) error { return lockRows(tx, table, "id = ?", id) }

// isUniqueViolation reports whether err is a unique (or primary key) constraint refusing a
// duplicate, on either backend, so callers can answer with a field message or a conflict.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// lockActivityRows locks, on PostgreSQL, the user_activity rows of the people whose activity a
// batch credits, in id order: two instances crediting the same person's seat time take turns,
// and the second reads the first one's last activity, so no interval is credited twice.
func lockActivityRows(tx *gorm.DB, batch []activityEvent) error {
	if !isPostgres(tx) {
		return nil
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, e := range batch {
		if e.done == nil && !e.visit && !seen[e.userID] {
			seen[e.userID] = true
			ids = append(ids, e.userID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	return lockRows(tx, "user_activity", "user_id IN ? ORDER BY user_id", ids)
}
