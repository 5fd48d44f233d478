package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"aftercare/failure"
)

// OfflineEntry is one offline activity (shadowing on the floor, watching a complaint being
// handled) that a supervisor logged for a person. It counts toward onboarding only once a
// supervisor has signed it off, so the log and the sign-off are separate, audited steps.
type OfflineEntry struct {
	ID       int64
	UserID   int64
	Activity string // the programme's offline activity key
	Hours    float64
	// OnDate is the calendar day of the activity (midnight UTC of that date).
	OnDate          time.Time
	Note            string
	LoggedBy        int64
	LoggedByName    string
	LoggedAt        time.Time
	SignedOff       bool
	SignedOffBy     int64
	SignedOffByName string
	SignedOffAt     time.Time
}

type offlineRow struct {
	ID              int64
	UserID          int64
	Activity        string
	Hours           float64
	OnDate          time.Time
	Note            string
	LoggedBy        int64
	LoggedByName    string
	LoggedAt        time.Time
	SignedOffBy     sql.NullInt64
	SignedOffByName string
	SignedOffAt     sql.NullTime
}

func (r offlineRow) entry() OfflineEntry {
	return OfflineEntry{ID: r.ID, UserID: r.UserID, Activity: r.Activity, Hours: r.Hours, OnDate: r.OnDate, Note: r.Note,
		LoggedBy: r.LoggedBy, LoggedByName: r.LoggedByName, LoggedAt: r.LoggedAt, SignedOff: r.SignedOffAt.Valid,
		SignedOffBy: r.SignedOffBy.Int64, SignedOffByName: r.SignedOffByName, SignedOffAt: r.SignedOffAt.Time}
}

// offlineSelect reads offline entries with the names of who logged and who signed them off.
const offlineSelect = `SELECT o.id, o.user_id, o.activity, o.hours, o.on_date, o.note, o.logged_by,
	COALESCE(lb.name, '') AS logged_by_name, o.logged_at, o.signed_off_by, COALESCE(sb.name, '') AS signed_off_by_name, o.signed_off_at
	FROM offline_hours o LEFT JOIN users lb ON lb.id = o.logged_by LEFT JOIN users sb ON sb.id = o.signed_off_by`

// NewOfflineEntry is what a supervisor logs; the web layer has checked the activity against
// the programme, the hours and the date.
type NewOfflineEntry struct {
	UserID   int64
	Activity string
	Hours    float64
	OnDate   time.Time
	Note     string
	ActorID  int64
}

// offlineInsert is the row LogOffline creates.
type offlineInsert struct {
	ID       int64
	UserID   int64
	Activity string
	Hours    float64
	OnDate   time.Time
	Note     string
	LoggedBy int64
	LoggedAt time.Time
}

func offlineObject(id int64) string { return "offline:" + strconv.FormatInt(id, 10) }

// LogOffline records an offline activity, not yet signed off, with its audit row in the same
// transaction, and returns the entry's ID.
func (s *Store) LogOffline(ctx context.Context, n NewOfflineEntry) (int64, error) {
	var id int64
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		d := n.OnDate.UTC()
		row := offlineInsert{UserID: n.UserID, Activity: n.Activity, Hours: n.Hours, OnDate: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC),
			Note: n.Note, LoggedBy: n.ActorID, LoggedAt: now}
		if err := tx.Table("offline_hours").Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		return audit(tx, now, AuditEntry{ActorID: n.ActorID, Action: "offline.log", Object: offlineObject(id),
			After: fmt.Sprintf("user=%d activity=%s hours=%s date=%s", n.UserID, n.Activity,
				strconv.FormatFloat(n.Hours, 'f', -1, 64), row.OnDate.Format(time.DateOnly))})
	})
	return id, err
}

// SignOffOffline marks a logged entry as signed off by the actor, audited in the same
// transaction. Signing off an entry twice is failure.ErrConflict (the first sign-off stands);
// a missing entry is failure.ErrNotFound. The caller has checked the actor's scope.
func (s *Store) SignOffOffline(ctx context.Context, entryID, actorID int64) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		res := tx.Exec("UPDATE offline_hours SET signed_off_by = ?, signed_off_at = ? WHERE id = ? AND signed_off_at IS NULL", actorID, now, entryID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Table("offline_hours").Where("id = ?", entryID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return failure.ErrNotFound
			}
			return conflict(errors.New("offline entry already signed off"))
		}
		return audit(tx, now, AuditEntry{ActorID: actorID, Action: "offline.signoff", Object: offlineObject(entryID), Before: "pending", After: "signed off"})
	})
}

// OfflineEntry loads one entry; a missing one is failure.ErrNotFound. Callers check that the
// viewer may see its person.
func (s *Store) OfflineEntry(ctx context.Context, id int64) (OfflineEntry, error) {
	var rows []offlineRow
	if err := s.w.WithContext(ctx).Raw(offlineSelect+" WHERE o.id = ?", id).Scan(&rows).Error; err != nil {
		return OfflineEntry{}, err
	}
	if len(rows) == 0 {
		return OfflineEntry{}, failure.ErrNotFound
	}
	return rows[0].entry(), nil
}

// OfflineEntries lists the offline entries of the given people by person, each person's
// newest activity first, in a few queries whatever the number of people (dashboards).
func (s *Store) OfflineEntries(ctx context.Context, userIDs []int64) (map[int64][]OfflineEntry, error) {
	out := map[int64][]OfflineEntry{}
	err := inChunks(userIDs, func(ids []int64) error {
		var rows []offlineRow
		if err := s.r.WithContext(ctx).Raw(offlineSelect+" WHERE o.user_id IN ? ORDER BY o.on_date DESC, o.id DESC", ids).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.UserID] = append(out[r.UserID], r.entry())
		}
		return nil
	})
	return out, err
}

// inChunks calls f with the IDs in slices small enough for any database's limit on bound
// parameters, so batch queries work for a company of any size.
func inChunks(ids []int64, f func([]int64) error) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		if err := f(ids[start:min(start+chunk, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}
