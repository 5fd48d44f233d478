package store

import (
	"context"
	"time"

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
