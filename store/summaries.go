package store

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// A dashboard over a whole company cannot read everyone's history (a million attempts, their
// seat time, drills and KPI sheets) on every view. It reads one OnboardingSummary per person
// instead: the result of the onboarding evaluation and of the latest KPI appraisal, kept in
// onboarding_summaries with the person's change count (rev) it was built from.
//
// The change count lives in onboarding_changes and is raised by database triggers (migration 9)
// whenever a record the evaluation reads is written: an attempt finished or regraded, seat time
// or practice time added, a drill changed, offline hours logged or signed off, a clearance
// recorded, a KPI value entered or cleared. No write path has to remember it, on SQLite or on PostgreSQL, and a second instance
// sees the same counts. A summary is current when its rev equals the person's count and it was
// built from the same catalogue in the same month (the KPI appraisal looks at the last three
// months); anything else is evaluated again by the caller and saved.

// OnboardingSummary is one person's onboarding evaluation as the dashboards show it.
type OnboardingSummary struct {
	UserID int64
	// Rev is the person's change count the evaluation was built from (see StaleOnboarding).
	Rev int64
	// Catalog identifies the course content the evaluation used: a content change (new module
	// hours, another final pass mark) makes every summary stale.
	Catalog string
	// Month is the month (company time zone, 2006-01) the summary was evaluated in.
	Month         string
	CreditedHours float64
	RequiredHours float64
	// ActiveSeconds is measured reading plus self-practice time.
	ActiveSeconds int
	Cleared       bool
	ClearedAt     *time.Time
	// LastDrillAt is the latest scored drill's time (nil when none), with its score and result.
	LastDrillAt     *time.Time
	LastDrillScore  float64
	LastDrillPassed bool
	// KPIMonth is the latest of the last three months with KPI values ("" when none) and
	// KPITotal their appraisal total (0–100).
	KPIMonth string
	KPITotal float64
}

// OnboardingSummaries returns the current summaries of the given people, and for every other
// one (no summary, a summary of older records or of another catalogue) their change count now,
// to pass to SaveOnboardingSummaries after evaluating them. The count is read before the
// caller reads their records, so a write landing in between leaves the saved summary behind
// the count: it is evaluated again next time rather than trusted.
func (s *Store) OnboardingSummaries(ctx context.Context, userIDs []int64, catalog, month string) (current map[int64]OnboardingSummary, stale map[int64]int64, err error) {
	current = make(map[int64]OnboardingSummary, len(userIDs))
	stale = map[int64]int64{}
	const query = `SELECT u.id, COALESCE(c.rev, 0), s.user_id IS NOT NULL,
			COALESCE(s.rev, -1), COALESCE(s.catalog, ''), COALESCE(s.month, ''), COALESCE(s.credited_hours, 0),
			COALESCE(s.required_hours, 0), COALESCE(s.active_seconds, 0), COALESCE(s.cleared, FALSE), s.cleared_at,
			s.last_drill_at, COALESCE(s.last_drill_score, 0), COALESCE(s.last_drill_passed, FALSE),
			COALESCE(s.kpi_month, ''), COALESCE(s.kpi_total, 0)
		FROM users u
		LEFT JOIN onboarding_changes c ON c.user_id = u.id
		LEFT JOIN onboarding_summaries s ON s.user_id = u.id`
	read := func(wanted map[int64]bool, where string, args ...any) error {
		// Scanned by hand: the company view reads one row per person, and reflection per row
		// cost more than the query (BENCHMARKS.md).
		rows, err := s.r.WithContext(ctx).Raw(query+where, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x OnboardingSummary
			var currentRev int64
			var hasSummary bool
			var clearedAt, drillAt sql.NullTime
			if err := rows.Scan(&x.UserID, &currentRev, &hasSummary, &x.Rev, &x.Catalog, &x.Month, &x.CreditedHours,
				&x.RequiredHours, &x.ActiveSeconds, &x.Cleared, &clearedAt, &drillAt, &x.LastDrillScore, &x.LastDrillPassed,
				&x.KPIMonth, &x.KPITotal); err != nil {
				return err
			}
			if wanted != nil && !wanted[x.UserID] {
				continue
			}
			if !hasSummary || x.Rev != currentRev || x.Catalog != catalog || x.Month != month {
				stale[x.UserID] = currentRev
				continue
			}
			if clearedAt.Valid {
				x.ClearedAt = &clearedAt.Time
			}
			if drillAt.Valid {
				x.LastDrillAt = &drillAt.Time
			}
			current[x.UserID] = x
		}
		return rows.Err()
	}
	if len(userIDs) <= wholeTableReads {
		err = inChunks(userIDs, func(ids []int64) error { return read(nil, " WHERE u.id IN ?", ids) })
		return current, stale, err
	}
	// Nearly everyone is asked for (the start-up warm-up, the scheduler): one pass over the
	// table costs less than twenty IN lists of 500.
	wanted := make(map[int64]bool, len(userIDs))
	for _, id := range userIDs {
		wanted[id] = true
	}
	return current, stale, read(wanted, "")
}

// wholeTableReads is the number of people above which OnboardingSummaries reads every row
// once rather than the people by id in chunks.
const wholeTableReads = 2000

// SaveOnboardingSummaries stores freshly evaluated summaries (each with the Rev that
// OnboardingSummaries reported for the person), replacing older ones, in one statement. The
// callers pass at most one batch of people (500: 7,000 parameters, within both databases'
// limits).
func (s *Store) SaveOnboardingSummaries(ctx context.Context, sums []OnboardingSummary) error {
	if len(sums) == 0 {
		return nil
	}
	const columns = 14
	var q strings.Builder
	args := make([]any, 0, columns*len(sums))
	for i, x := range sums {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		var drillScore, drillPassed any // NULL without a drill
		if x.LastDrillAt != nil {
			drillScore, drillPassed = x.LastDrillScore, x.LastDrillPassed
		}
		args = append(args, x.UserID, x.Rev, x.Catalog, x.Month, x.CreditedHours, x.RequiredHours, x.ActiveSeconds,
			x.Cleared, utcPtr(x.ClearedAt), utcPtr(x.LastDrillAt), drillScore, drillPassed, x.KPIMonth, x.KPITotal)
	}
	return s.w.WithContext(ctx).Exec(`INSERT INTO onboarding_summaries (user_id, rev, catalog, month, credited_hours,
			required_hours, active_seconds, cleared, cleared_at, last_drill_at, last_drill_score, last_drill_passed, kpi_month, kpi_total)
		VALUES `+q.String()+`
		ON CONFLICT (user_id) DO UPDATE SET rev = excluded.rev, catalog = excluded.catalog, month = excluded.month,
			credited_hours = excluded.credited_hours, required_hours = excluded.required_hours,
			active_seconds = excluded.active_seconds, cleared = excluded.cleared, cleared_at = excluded.cleared_at,
			last_drill_at = excluded.last_drill_at, last_drill_score = excluded.last_drill_score,
			last_drill_passed = excluded.last_drill_passed, kpi_month = excluded.kpi_month, kpi_total = excluded.kpi_total`,
		args...).Error
}

// SaveOnboardingSummariesLater hands summaries to a background writer and returns at once. A
// summary is only a cache of an evaluation, so a dashboard must not wait behind a burst of
// quiz submits to store one: if the writer is behind (its queue full), the summaries are
// dropped and evaluated again on the next view. It reports whether they were queued.
func (s *Store) SaveOnboardingSummariesLater(sums []OnboardingSummary) bool {
	if len(sums) == 0 {
		return true
	}
	return s.summaries.enqueue(s, sums)
}

// FlushOnboardingSummaries waits until the summaries queued before the call are stored.
func (s *Store) FlushOnboardingSummaries() {
	s.summaries.flush()
}

// summarySaver is SaveOnboardingSummariesLater's queue and its one writer goroutine, started
// on first use and stopped (after writing what is queued) by Store.Close.
type summarySaver struct {
	mu      sync.Mutex
	queue   chan []OnboardingSummary
	pending sync.WaitGroup
	stopped chan struct{}
	closed  bool
}

// summaryQueue bounds the batches waiting to be written.
const summaryQueue = 64

func (q *summarySaver) enqueue(s *Store, sums []OnboardingSummary) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	if q.queue == nil {
		q.queue, q.stopped = make(chan []OnboardingSummary, summaryQueue), make(chan struct{})
		go q.run(s)
	}
	q.pending.Add(1)
	select {
	case q.queue <- sums:
		return true
	default:
		q.pending.Done()
		return false
	}
}

func (q *summarySaver) run(s *Store) {
	defer close(q.stopped)
	for sums := range q.queue {
		if err := s.SaveOnboardingSummaries(context.Background(), sums); err != nil {
			slog.Warn("dashboard summaries not stored; they are evaluated again on the next view", "err", err)
		}
		q.pending.Done()
	}
}

func (q *summarySaver) flush() { q.pending.Wait() }

func (q *summarySaver) close() {
	q.mu.Lock()
	q.closed = true
	started := q.queue != nil
	if started {
		close(q.queue)
	}
	q.mu.Unlock()
	if started {
		<-q.stopped
	}
}

// OpenAssignmentCounts counts each person's open assignments of a store (every store with
// shopID 0) as of now: due (not yet late) and overdue. Only open assignments are read, through
// the partial index assignments_open, so the count stays small however long the history is.
func (s *Store) OpenAssignmentCounts(ctx context.Context, shopID int64, now time.Time) (due, overdue map[int64]int, err error) {
	q := `SELECT a.user_id, SUM(CASE WHEN a.due_at >= ? THEN 1 ELSE 0 END), SUM(CASE WHEN a.due_at < ? THEN 1 ELSE 0 END)
		FROM assignments a`
	args := []any{now.UTC(), now.UTC()}
	if shopID != 0 {
		q += " JOIN users u ON u.id = a.user_id WHERE a.completed_at IS NULL AND u.shop_id = ?"
		args = append(args, shopID)
	} else {
		q += " WHERE a.completed_at IS NULL"
	}
	rows, err := s.r.WithContext(ctx).Raw(q+" GROUP BY a.user_id", args...).Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	due, overdue = map[int64]int{}, map[int64]int{}
	for rows.Next() {
		var id int64
		var d, o int
		if err := rows.Scan(&id, &d, &o); err != nil {
			return nil, nil, err
		}
		if d > 0 {
			due[id] = d
		}
		if o > 0 {
			overdue[id] = o
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return due, overdue, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ShopRollup is one store's line of the company view: its active trainees counted, and the
// sums over those whose dashboard summary is current.
type ShopRollup struct {
	ShopID int64
	// Staff counts every active trainee of the store; the sums below cover only the current
	// summaries, the caller adds the people CompanyRollup reports stale once evaluated.
	Staff         int
	Cleared       int
	CreditedHours float64
	KPIStaff      int     // people with a KPI appraisal in their summary
	KPITotal      float64 // the sum of those appraisals
	// Overdue counts open assignments past due (of every active trainee, current or not).
	Overdue int
}

// StaleTrainee is an active trainee whose summary has to be evaluated again.
type StaleTrainee struct {
	UserID, ShopID int64
}

// CompanyRollup sums the company view per store in the database: 200 rows come back instead
// of one row per person (10,000 people took ≈ 85 ms to read through the driver). Summaries
// count only while current (the rule of OnboardingSummaries: same change count, catalogue and
// month); the people whose summary is not are returned in stale, already counted in Staff, for
// the caller to evaluate and add. Sums and stale people come from one statement, so one
// snapshot: nobody is summed and reported stale both. Open assignments due before now count
// as overdue.
func (s *Store) CompanyRollup(ctx context.Context, catalog, month string, now time.Time) (shops map[int64]*ShopRollup, stale []StaleTrainee, err error) {
	rows, err := s.r.WithContext(ctx).Raw(`WITH p AS (
			SELECT u.id, u.shop_id,
				CASE WHEN s.user_id IS NOT NULL AND s.rev = COALESCE(c.rev, 0) AND s.catalog = ? AND s.month = ? THEN 1 ELSE 0 END AS fresh,
				s.cleared, s.credited_hours, s.kpi_month, s.kpi_total
			FROM users u
			LEFT JOIN onboarding_changes c ON c.user_id = u.id
			LEFT JOIN onboarding_summaries s ON s.user_id = u.id
			WHERE u.active AND u.role = 'trainee' AND u.shop_id IS NOT NULL)
		SELECT p.shop_id, 0, COUNT(*),
			SUM(CASE WHEN p.cleared THEN 1 ELSE 0 END),
			SUM(p.credited_hours),
			SUM(CASE WHEN p.kpi_month <> '' THEN 1 ELSE 0 END),
			SUM(CASE WHEN p.kpi_month <> '' THEN p.kpi_total ELSE 0 END)
		FROM p WHERE p.fresh = 1 GROUP BY p.shop_id
		UNION ALL
		SELECT p.shop_id, p.id, 1, 0, 0, 0, 0 FROM p WHERE p.fresh = 0`, catalog, month).Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	shops = map[int64]*ShopRollup{}
	for rows.Next() {
		var shop, staleID int64
		var x ShopRollup
		if err := rows.Scan(&shop, &staleID, &x.Staff, &x.Cleared, &x.CreditedHours, &x.KPIStaff, &x.KPITotal); err != nil {
			return nil, nil, err
		}
		r := shops[shop]
		if r == nil {
			r = &ShopRollup{ShopID: shop}
			shops[shop] = r
		}
		r.Staff, r.Cleared, r.CreditedHours = r.Staff+x.Staff, r.Cleared+x.Cleared, r.CreditedHours+x.CreditedHours
		r.KPIStaff, r.KPITotal = r.KPIStaff+x.KPIStaff, r.KPITotal+x.KPITotal
		if staleID != 0 {
			stale = append(stale, StaleTrainee{UserID: staleID, ShopID: shop})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	overdue, err := s.r.WithContext(ctx).Raw(`SELECT u.shop_id, COUNT(*) FROM assignments a
		JOIN users u ON u.id = a.user_id
		WHERE a.completed_at IS NULL AND a.due_at < ? AND u.active AND u.role = 'trainee' AND u.shop_id IS NOT NULL
		GROUP BY u.shop_id`, now.UTC()).Rows()
	if err != nil {
		return nil, nil, err
	}
	defer overdue.Close()
	for overdue.Next() {
		var shop int64
		var n int
		if err := overdue.Scan(&shop, &n); err != nil {
			return nil, nil, err
		}
		if r, ok := shops[shop]; ok {
			r.Overdue = n
		}
	}
	return shops, stale, overdue.Err()
}
