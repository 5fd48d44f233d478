// Package store is the only package that talks to the database. It opens SQLite with one
// writer connection (immediate transactions, so writers queue instead of failing with
// "database is locked") and a separate pool of read-only connections — or, given a
// postgres:// DSN, PostgreSQL with one pool shared by several instances (postgres.go) —
// applies versioned migrations explicitly, and maps records to the domain types of the other
// packages.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store holds the writer and the reader connections to one database. On PostgreSQL both are
// the same pool.
type Store struct {
	w    *gorm.DB
	r    *gorm.DB
	path string
	// activity commits page views and seat time off the request path (progress.go).
	activity activityWriter
	// commits groups quiz starts and submits into shared transactions (groupcommit.go).
	commits groupCommitter
	// summaries stores re-evaluated dashboard summaries in the background (summaries.go).
	summaries summarySaver
	// postgres is set when the database is PostgreSQL rather than a SQLite file.
	postgres bool
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Options controls how Open treats the schema.
type Options struct {
	// Migrate applies pending migrations. Without it, Open refuses a database whose schema is
	// behind the code (a brand-new empty database is always set up).
	Migrate bool
}

// ErrSchemaBehind is returned when the database needs migrations the caller did not ask for.
var ErrSchemaBehind = errors.New("the database schema is behind this version: run `academy migrate` first")

// ErrSchemaAhead is returned when the database was migrated by a newer version of the code.
var ErrSchemaAhead = errors.New("the database schema is newer than this version of academy")

// Open opens the database: a PostgreSQL server when path is a postgres:// or postgresql://
// DSN (see IsPostgresDSN), otherwise the SQLite file at path, created if needed.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if IsPostgresDSN(path) {
		return openPostgres(ctx, path, opts)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// synchronous=FULL: a grade the server acknowledged survives a power cut, not only a crash.
	common := "_foreign_keys=on&_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL"
	// The writer keeps its statements prepared and a 32 MB page cache: on a database of a
	// million attempts, parsing each INSERT/UPDATE and re-reading index pages from the OS cost
	// more than the writes themselves (BENCHMARKS.md).
	// Migrations run before that, unprepared: a prepared statement runs only the first
	// statement of a multi-statement script.
	wcfg := &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true, PrepareStmtMaxSize: 512, PrepareStmtTTL: time.Hour}
	w, err := gorm.Open(sqlite.Open("file:"+url.PathEscape(path)+"?"+common+"&_txlock=immediate&_cache_size=-32768"), wcfg)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	wdb, err := w.DB()
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxLifetime(0)
	if err := wdb.PingContext(ctx); err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{w: w, path: path, Now: func() time.Time { return time.Now().UTC() }}
	if err := s.prepareSchema(ctx, opts.Migrate); err != nil {
		_ = wdb.Close()
		return nil, err
	}
	s.w = w.Session(&gorm.Session{PrepareStmt: true})
	// The read pool keeps its statements prepared: parsing a query cost more than running it
	// on the pages read most (session lookup, quiz page), see BENCHMARKS.md.
	rcfg := &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true, PrepareStmt: true, PrepareStmtMaxSize: 512, PrepareStmtTTL: time.Hour}
	r, err := gorm.Open(sqlite.Open("file:"+url.PathEscape(path)+"?"+common+"&_query_only=1"), rcfg)
	if err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	rdb, err := r.DB()
	if err != nil {
		_ = wdb.Close()
		return nil, err
	}
	rdb.SetMaxOpenConns(max(4, 2*runtime.NumCPU()))
	rdb.SetMaxIdleConns(max(4, 2*runtime.NumCPU()))
	s.r = r
	return s, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	s.activity.close() // commit queued page views before the connections go
	s.summaries.close()
	var errs []error
	for _, g := range []*gorm.DB{s.r, s.w} {
		if g == nil {
			continue
		}
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// Path is the --db value the store was opened with: the database file, or the PostgreSQL DSN
// (which may hold a password: print DisplayName(Path()) instead).
func (s *Store) Path() string { return s.path }

// Backup writes a consistent copy of the live database to dest with VACUUM INTO, which reads
// one snapshot while writers carry on. dest must not exist yet. A PostgreSQL database is
// refused with ErrBackupWithPgDump: its server's own tools do that job.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if s.postgres {
		return ErrBackupWithPgDump
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup target %s already exists", dest)
	}
	// A connection of its own: the read pool is query-only and the writer must stay free.
	conn, err := gorm.Open(sqlite.Open("file:"+url.PathEscape(s.path)+"?_busy_timeout=10000"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	db, err := conn.DB()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := conn.WithContext(ctx).Exec("VACUUM INTO ?", dest).Error; err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns its verdict ("ok" when sound). On
// PostgreSQL it only checks that the server answers ("ok"): the server checks its own pages.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	if s.postgres {
		var one int
		if err := s.r.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
			return "", err
		}
		return "ok", nil
	}
	var res string
	err := s.r.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&res).Error
	return res, err
}
