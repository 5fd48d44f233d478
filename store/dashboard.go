package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/roleplay"
	"aftercare/tracking"
)

// The batch reads below gather the onboarding records of many people at once: each runs one
// query per 500 people, so a store dashboard costs the same handful of queries for 5 staff or
// 80, and the web layer evaluates clearance in Go.

// ModuleProgressOf returns the module progress of each of the given people (user → module ID
// → progress). Queued visits and activity of these people are committed first, as
// ModuleProgress does for one person, so a page shows what they just did.
func (s *Store) ModuleProgressOf(ctx context.Context, userIDs []int64) (map[int64]map[string]tracking.ModuleProgress, error) {
	for _, id := range userIDs {
		if s.activity.pendingFor(id) {
			if err := s.FlushActivity(ctx); err != nil {
				return nil, err
			}
			break
		}
	}
	out := make(map[int64]map[string]tracking.ModuleProgress, len(userIDs))
	err := inChunks(userIDs, func(ids []int64) error {
		var rows []struct {
			UserID        int64
			ModuleID      string
			FirstOpenedAt time.Time
			LastSeenAt    time.Time
			ActiveSeconds int
			Visits        int
		}
		if err := s.r.WithContext(ctx).Raw(`SELECT user_id, module_id, first_opened_at, last_seen_at, active_seconds, visits
			FROM module_progress WHERE user_id IN ?`, ids).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if out[r.UserID] == nil {
				out[r.UserID] = map[string]tracking.ModuleProgress{}
			}
			out[r.UserID][r.ModuleID] = tracking.ModuleProgress{ModuleID: r.ModuleID, FirstOpened: r.FirstOpenedAt,
				LastSeen: r.LastSeenAt, ActiveSeconds: r.ActiveSeconds, Visits: r.Visits}
		}
		return nil
	})
	return out, err
}

// AttemptsOf returns each person's quiz attempts, newest first, without their items.
func (s *Store) AttemptsOf(ctx context.Context, userIDs []int64) (map[int64][]quiz.Attempt, error) {
	return s.attemptsByUser(ctx, userIDs, "SELECT "+attemptColumns+" FROM attempts WHERE user_id IN ? ORDER BY id DESC")
}

// DecisiveAttemptsOf returns, of each person's finished attempts, only those that decide their
// onboarding evaluation: per quiz the best-scoring one and one passed one (the newest on
// ties), newest first. Passed-at-any-time and best-final-score come out the same as from
// AttemptsOf, from a handful of rows per person instead of a year of history.
func (s *Store) DecisiveAttemptsOf(ctx context.Context, userIDs []int64) (map[int64][]quiz.Attempt, error) {
	return s.attemptsByUser(ctx, userIDs, `SELECT `+attemptColumns+` FROM (
			SELECT a.*,
				ROW_NUMBER() OVER (PARTITION BY user_id, quiz ORDER BY score DESC, id DESC) AS by_score,
				ROW_NUMBER() OVER (PARTITION BY user_id, quiz ORDER BY passed DESC, id DESC) AS by_pass
			FROM attempts a WHERE user_id IN ? AND state = 'finished') ranked
		WHERE by_score = 1 OR by_pass = 1 ORDER BY id DESC`)
}

// attemptsByUser runs query (attemptColumns, one "IN ?" for the people) per chunk of people and
// groups the attempts by person in the query's order, scanned by hand (scanAttempt): a person
// has hundreds of attempts after a year.
func (s *Store) attemptsByUser(ctx context.Context, userIDs []int64, query string) (map[int64][]quiz.Attempt, error) {
	out := make(map[int64][]quiz.Attempt, len(userIDs))
	err := inChunks(userIDs, func(ids []int64) error {
		rows, err := s.r.WithContext(ctx).Raw(query, ids).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAttempt(rows)
			if err != nil {
				return err
			}
			out[r.UserID] = append(out[r.UserID], r.attempt())
		}
		return rows.Err()
	})
	return out, err
}

// DrillBrief is a drill as onboarding and dashboards need it: no ratings, no people, just the
// scenario, state and result.
type DrillBrief struct {
	ID        int64
	TraineeID int64
	Scenario  string
	State     roleplay.State
	Score     float64
	Scored    bool
	Passed    bool
	// At is when the drill happened as far as is known: released, else submitted, else
	// scheduled, else booked.
	At         time.Time
	ReleasedAt time.Time
}

// DrillBriefs returns each person's drills (as trainee), oldest first.
func (s *Store) DrillBriefs(ctx context.Context, userIDs []int64) (map[int64][]DrillBrief, error) {
	out := make(map[int64][]DrillBrief, len(userIDs))
	err := inChunks(userIDs, func(ids []int64) error {
		var rows []drillRow
		if err := s.r.WithContext(ctx).Table("drills").Where("trainee_id IN ?", ids).
			Order("COALESCE(scheduled_at, created_at), id").Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			at := r.CreatedAt
			for _, t := range []sql.NullTime{r.ScheduledAt, r.SubmittedAt, r.ReleasedAt} {
				if t.Valid {
					at = t.Time
				}
			}
			out[r.TraineeID] = append(out[r.TraineeID], DrillBrief{ID: r.ID, TraineeID: r.TraineeID, Scenario: r.Scenario,
				State: roleplay.State(r.State), Score: r.Score.Float64, Scored: r.Score.Valid, Passed: r.Passed, At: at,
				ReleasedAt: r.ReleasedAt.Time})
		}
		return nil
	})
	return out, err
}

// PracticeTimes returns each person's total active self-practice time.
func (s *Store) PracticeTimes(ctx context.Context, userIDs []int64) (map[int64]time.Duration, error) {
	out := make(map[int64]time.Duration, len(userIDs))
	err := inChunks(userIDs, func(ids []int64) error {
		var rows []struct {
			UserID  int64
			Seconds int64
		}
		if err := s.r.WithContext(ctx).Raw(`SELECT user_id, SUM(active_seconds) AS seconds FROM practice_sessions
			WHERE user_id IN ? GROUP BY user_id`, ids).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.UserID] = time.Duration(r.Seconds) * time.Second
		}
		return nil
	})
	return out, err
}

// Clearance is the durable record of the moment a person was first found cleared for duty
// (可上岗): their certificate. It is written once and never changed, so the certificate's
// verification code, computed from the user and ClearedAt, stays the same.
type Clearance struct {
	UserID     int64
	ClearedAt  time.Time // whole seconds, UTC
	Hours      float64   // credited hours at that moment
	FinalScore float64   // best final assessment score, percent
	Code       string    // the verification code printed on the certificate
}

// Clearances returns the clearance records of those of the given people who have one.
func (s *Store) Clearances(ctx context.Context, userIDs []int64) (map[int64]Clearance, error) {
	out := map[int64]Clearance{}
	err := inChunks(userIDs, func(ids []int64) error {
		var rows []Clearance
		if err := s.r.WithContext(ctx).Raw(`SELECT user_id, cleared_at, hours, final_score, code FROM clearances WHERE user_id IN ?`, ids).
			Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.UserID] = r
		}
		return nil
	})
	return out, err
}

// RecordClearance stores c unless the person already has a clearance record, and returns the
// record that stands: the first one wins, so evaluating a cleared person again (every page
// view, two instances at once) never moves their clearance date or changes their code. The
// first write is audited.
func (s *Store) RecordClearance(ctx context.Context, c Clearance) (Clearance, error) {
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO clearances (user_id, cleared_at, hours, final_score, code) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO NOTHING`, c.UserID, c.ClearedAt.UTC(), c.Hours, c.FinalScore, c.Code)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return audit(tx, s.Now(), AuditEntry{Action: "clearance.record", Object: "user:" + strconv.FormatInt(c.UserID, 10),
			After: "hours=" + strconv.FormatFloat(c.Hours, 'f', -1, 64) + " final=" + strconv.FormatFloat(c.FinalScore, 'f', 1, 64)})
	})
	if err != nil {
		return Clearance{}, err
	}
	var rows []Clearance
	if err := s.w.WithContext(ctx).Raw(`SELECT user_id, cleared_at, hours, final_score, code FROM clearances WHERE user_id = ?`, c.UserID).
		Scan(&rows).Error; err != nil {
		return Clearance{}, err
	}
	if len(rows) == 0 {
		return Clearance{}, errors.New("clearance record vanished")
	}
	return rows[0], nil
}

// ClearanceByCode finds the clearance whose certificate carries the code (in its printed
// form, see tracking.NormalizeCode) and its person; an unknown code is failure.ErrNotFound.
// The caller still checks the code against the server's secret.
func (s *Store) ClearanceByCode(ctx context.Context, code string) (Clearance, accounts.User, error) {
	var rows []Clearance
	if err := s.r.WithContext(ctx).Raw(`SELECT user_id, cleared_at, hours, final_score, code FROM clearances WHERE code = ?`, code).
		Scan(&rows).Error; err != nil {
		return Clearance{}, accounts.User{}, err
	}
	if len(rows) == 0 {
		return Clearance{}, accounts.User{}, failure.ErrNotFound
	}
	u, err := s.UserByID(ctx, rows[0].UserID)
	return rows[0], u, err
}

// CountStatements starts counting the SQL statements this store runs from now on and returns
// a function reporting the count. Tests use it to hold the dashboards to a query budget (no
// query per person), and it can diagnose a slow page.
func (s *Store) CountStatements() func() int64 {
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	for _, db := range []*gorm.DB{s.r, s.w} {
		cb := db.Callback()
		_ = cb.Query().Before("gorm:query").Register("academy:count", count)
		_ = cb.Row().Before("gorm:row").Register("academy:count", count)
		_ = cb.Raw().Before("gorm:raw").Register("academy:count", count)
		_ = cb.Create().Before("gorm:create").Register("academy:count", count)
		_ = cb.Update().Before("gorm:update").Register("academy:count", count)
		_ = cb.Delete().Before("gorm:delete").Register("academy:count", count)
	}
	return n.Load
}
