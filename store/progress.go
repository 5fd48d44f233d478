package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"aftercare/tracking"
)

// RecordModuleVisit notes that the user opened the module now. Seat time itself is measured
// by tracking from activity reports; this keeps first and last visit and the visit count.
func (s *Store) RecordModuleVisit(ctx context.Context, userID int64, moduleID string) error {
	now := s.Now()
	return s.w.WithContext(ctx).Exec(`INSERT INTO module_progress (user_id, module_id, first_opened_at, last_seen_at, visits)
		VALUES (?, ?, ?, ?, 1)
		ON CONFLICT(user_id, module_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, visits = visits + 1`,
		userID, moduleID, now, now).Error
}

// ModuleProgress returns the user's progress per module ID.
func (s *Store) ModuleProgress(ctx context.Context, userID int64) (map[string]tracking.ModuleProgress, error) {
	var rows []struct {
		ModuleID      string
		FirstOpenedAt time.Time
		LastSeenAt    time.Time
		ActiveSeconds int
		Visits        int
	}
	if err := s.r.WithContext(ctx).Raw(`SELECT module_id, first_opened_at, last_seen_at, active_seconds, visits
		FROM module_progress WHERE user_id = ?`, userID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]tracking.ModuleProgress, len(rows))
	for _, r := range rows {
		out[r.ModuleID] = tracking.ModuleProgress{ModuleID: r.ModuleID, FirstOpened: r.FirstOpenedAt, LastSeen: r.LastSeenAt, ActiveSeconds: r.ActiveSeconds, Visits: r.Visits}
	}
	return out, nil
}

// RecordActivity notes that the user is active now on the given module page (moduleID "" for
// anything else) and credits the time since their previous activity to the module they were
// on then, as tracking's seat rules allow: nothing after an idle gap, never past the module's
// cap. Only server times are used. Page views and heartbeats both call it, so time is measured
// with JavaScript (heartbeats) and without (page-to-page).
func (s *Store) RecordActivity(ctx context.Context, userID int64, moduleID string, rules tracking.SeatRules, capOf func(moduleID string) time.Duration) error {
	now := s.Now()
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var last []struct {
			ModuleID string
			At       time.Time
		}
		if err := tx.Raw("SELECT module_id, at FROM user_activity WHERE user_id = ?", userID).Scan(&last).Error; err != nil {
			return err
		}
		if len(last) == 1 && last[0].ModuleID != "" {
			var sofar []int
			if err := tx.Raw("SELECT active_seconds FROM module_progress WHERE user_id = ? AND module_id = ?", userID, last[0].ModuleID).Scan(&sofar).Error; err != nil {
				return err
			}
			if len(sofar) == 1 {
				credit := rules.Credit(last[0].At, now, time.Duration(sofar[0])*time.Second, capOf(last[0].ModuleID))
				if secs := int(credit / time.Second); secs > 0 {
					if err := tx.Exec("UPDATE module_progress SET active_seconds = active_seconds + ?, last_seen_at = ? WHERE user_id = ? AND module_id = ?",
						secs, now, userID, last[0].ModuleID).Error; err != nil {
						return err
					}
				}
			}
		}
		return tx.Exec(`INSERT INTO user_activity (user_id, module_id, at) VALUES (?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET module_id = excluded.module_id, at = excluded.at`, userID, moduleID, now).Error
	})
}
