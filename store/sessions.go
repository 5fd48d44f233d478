package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"

	"aftercare/accounts"
	"aftercare/failure"
)

// CreateSession records a new session for the user. Only the hash of the session token is
// stored, so a copy of the database does not let anyone sign in.
func (s *Store) CreateSession(ctx context.Context, idHash string, userID int64, expires time.Time) error {
	now := s.Now()
	return s.w.WithContext(ctx).Exec(
		"INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
		idHash, userID, now, expires.UTC(), now).Error
}

// SessionUser returns the active user of an unexpired session, or failure.ErrUnauthenticated.
func (s *Store) SessionUser(ctx context.Context, idHash string) (accounts.User, error) {
	// Every signed-in request runs this: named columns and a hand scan, no reflection.
	var r userRecord
	err := s.r.WithContext(ctx).Raw(`SELECT users.id, users.login, users.name, users.role, users.shop_id, users.hired_on, users.active,
			COALESCE(shops.name, '')
		FROM sessions JOIN users ON users.id = sessions.user_id LEFT JOIN shops ON shops.id = users.shop_id
		WHERE sessions.id_hash = ? AND sessions.expires_at > ? AND users.active`, idHash, s.Now()).Row().
		Scan(&r.ID, &r.Login, &r.Name, &r.Role, &r.ShopID, &r.HiredOn, &r.Active, &r.ShopName)
	if errors.Is(err, sql.ErrNoRows) {
		return accounts.User{}, failure.ErrUnauthenticated
	}
	return r.user(), err
}

// DeleteSession ends one session (sign-out).
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.w.WithContext(ctx).Exec("DELETE FROM sessions WHERE id_hash = ?", idHash).Error
}

// DeleteExpiredSessions removes sessions past their expiry and returns how many it removed.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res := s.w.WithContext(ctx).Exec("DELETE FROM sessions WHERE expires_at <= ?", s.Now())
	return res.RowsAffected, res.Error
}

// Setting returns a stored setting, or failure.ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v []string
	if err := s.w.WithContext(ctx).Raw("SELECT value FROM settings WHERE key = ?", key).Scan(&v).Error; err != nil {
		return "", err
	}
	if len(v) == 0 {
		return "", failure.ErrNotFound
	}
	return v[0], nil
}

// EnsureSetting stores value under key unless a value is there already, and returns the value
// that won: two instances starting at once agree on one (e.g. the session key).
func (s *Store) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	if err := s.w.WithContext(ctx).Exec("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING", key, value).Error; err != nil {
		return "", err
	}
	return s.Setting(ctx, key)
}

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	At      time.Time
	ActorID int64
	Action  string
	Object  string
	Before  string
	After   string
}

// Audit appends an entry to the audit log. The table refuses updates and deletes.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return audit(s.w.WithContext(ctx), s.Now(), e)
}

func audit(db *gorm.DB, now time.Time, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = now
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	return db.Exec("INSERT INTO audit_log (at, actor_id, action, object, before, after) VALUES (?, ?, ?, ?, ?, ?)",
		e.At.UTC(), actor, e.Action, e.Object, e.Before, e.After).Error
}

// AuditLog returns the newest entries first, at most limit of them.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	var rows []struct {
		At      time.Time
		ActorID *int64
		Action  string
		Object  string
		Before  string
		After   string
	}
	if err := s.r.WithContext(ctx).Raw("SELECT at, actor_id, action, object, before, after FROM audit_log ORDER BY id DESC LIMIT ?", limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{At: r.At, Action: r.Action, Object: r.Object, Before: r.Before, After: r.After}
		if r.ActorID != nil {
			out[i].ActorID = *r.ActorID
		}
	}
	return out, nil
}
