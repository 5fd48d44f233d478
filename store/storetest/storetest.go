// Package storetest gives tests a fresh, empty database to open with store.Open: a SQLite file
// in the test's temporary folder, or — when ACADEMY_TEST_POSTGRES names a PostgreSQL server —
// a schema of its own on that server, dropped when the test ends. The store and web suites
// use it so that one set of tests checks both backends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating and dropping schemas
	_ "github.com/mattn/go-sqlite3"    // the "sqlite3" driver, for Raw
)

// EnvPostgres names the environment variable holding the DSN of a PostgreSQL server (and a
// database on it) where tests may create and drop schemas; unset, tests use SQLite.
const EnvPostgres = "ACADEMY_TEST_POSTGRES"

// Postgres reports whether the tests run against PostgreSQL, for the few tests of something
// only one backend has (SQLite pragmas and file backups).
func Postgres() bool { return os.Getenv(EnvPostgres) != "" }

// DSN returns the --db value of a new, empty database for the test: a SQLite path in
// t.TempDir(), or on PostgreSQL the server's DSN with search_path set to a new schema
// t_<random>, which is dropped (with everything in it) when the test ends. Close stores
// opened on it before then — t.Cleanup functions registered after DSN run first.
func DSN(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvPostgres)
	if server == "" {
		return filepath.Join(t.TempDir(), "academy.db")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin := open(t, server)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema on %s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		t.Fatalf("%s: cannot reach the PostgreSQL server: %v", EnvPostgres, err)
	}
	return db
}

// RawDB is a plain database/sql connection to a test database, for tests that write rows
// straight into tables (a history that would take many requests to build).
type RawDB struct {
	*sql.DB
	postgres bool
}

// Raw opens the database of a DSN from DSN (or a store's Path) without the store, and closes
// it when the test ends.
func Raw(t testing.TB, dsn string) *RawDB {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		db, err := sql.Open("sqlite3", "file:"+dsn+"?_busy_timeout=10000&_foreign_keys=on")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return &RawDB{DB: db}
	}
	db := open(t, dsn)
	db.SetMaxOpenConns(4)
	t.Cleanup(func() { _ = db.Close() })
	return &RawDB{DB: db, postgres: true}
}

// Exec runs one statement written with ? placeholders, as the store's SQL is, on either
// backend (PostgreSQL's $1, $2… are filled in; the SQL must have no ? inside string literals).
func (r *RawDB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.DB.ExecContext(ctx, r.Rebind(query), args...)
}

// Rebind rewrites ? placeholders as $1, $2… on PostgreSQL and leaves them on SQLite.
func (r *RawDB) Rebind(query string) string {
	if !r.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
