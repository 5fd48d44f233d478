package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// LoginFailures counts failed sign-ins for each subject ("login:NAME", "ip:ADDR") within the
// last window. Kept in the database so that every instance sees the same counts.
func (s *Store) LoginFailures(ctx context.Context, window time.Duration, subjects ...string) (map[string]int, error) {
	since := s.Now().Add(-window)
	var rows []struct {
		Subject string
		N       int
	}
	err := s.w.WithContext(ctx).Raw("SELECT subject, COUNT(*) AS n FROM login_failures WHERE subject IN ? AND at > ? GROUP BY subject",
		subjects, since).Scan(&rows).Error
	out := map[string]int{}
	for _, r := range rows {
		out[r.Subject] = r.N
	}
	return out, err
}

// RecordLoginFailure notes a failed sign-in against each subject and forgets failures older
// than a day.
func (s *Store) RecordLoginFailure(ctx context.Context, subjects ...string) error {
	now := s.Now()
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, subj := range subjects {
			if err := tx.Exec("INSERT INTO login_failures (subject, at) VALUES (?, ?)", subj, now).Error; err != nil {
				return err
			}
		}
		return tx.Exec("DELETE FROM login_failures WHERE at < ?", now.Add(-24*time.Hour)).Error
	})
}

// ClearLoginFailures forgets an account's failures after a successful sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, subject string) error {
	return s.w.WithContext(ctx).Exec("DELETE FROM login_failures WHERE subject = ?", subject).Error
}
