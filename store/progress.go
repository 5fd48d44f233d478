package store

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"aftercare/tracking"
)

// RecordModuleVisit notes that the user opened the module now. Seat time itself is measured
// by tracking from activity reports; this keeps first and last visit and the visit count.
// The write is queued for the activity writer (see activityWriter) and does not wait for it.
func (s *Store) RecordModuleVisit(ctx context.Context, userID int64, moduleID string) error {
	s.activity.enqueue(s, activityEvent{userID: userID, moduleID: moduleID, at: s.Now(), visit: true})
	return nil
}

// RecordActivity notes that the user is active now on the given module page (moduleID "" for
// anything else) and credits the time since their previous activity to the module they were
// on then, as tracking's seat rules allow: nothing after an idle gap, never past the module's
// cap. Only server times are used, taken now, when the request arrives. Page views and
// heartbeats both call it, so time is measured with JavaScript (heartbeats) and without
// (page-to-page). The write is queued and does not wait for the commit.
func (s *Store) RecordActivity(ctx context.Context, userID int64, moduleID string, rules tracking.SeatRules, capOf func(moduleID string) time.Duration) error {
	s.activity.enqueue(s, activityEvent{userID: userID, moduleID: moduleID, at: s.Now(), rules: rules, capOf: capOf})
	return nil
}

// FlushActivity waits until every visit and activity queued before the call is committed.
func (s *Store) FlushActivity(ctx context.Context) error {
	return s.activity.flush(ctx, s)
}

// ModuleProgress returns the user's progress per module ID. The user's own queued visits and
// activity are committed first, so a page always shows what the person just did.
func (s *Store) ModuleProgress(ctx context.Context, userID int64) (map[string]tracking.ModuleProgress, error) {
	if s.activity.pendingFor(userID) {
		if err := s.FlushActivity(ctx); err != nil {
			return nil, err
		}
	}
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

// activityEvent is one queued page view (visit) or activity report, with the server time it
// happened at.
type activityEvent struct {
	userID   int64
	moduleID string
	at       time.Time
	visit    bool
	rules    tracking.SeatRules
	capOf    func(moduleID string) time.Duration
	done     chan error // a flush marker: closed (after a send of the error) once committed
}

// activityWriter takes module visits and activity reports off the request path: a request
// queues its event and returns; one goroutine per store commits everything queued so far in a
// single transaction (group commit: one fsync for many page views), in arrival order, so
// seat time comes out exactly as if each event had been written at once. Under light load a
// batch is one event; under heavy load a batch is whatever arrived during the previous commit.
// Store.Close flushes it. The zero value is ready; the goroutine starts on first use.
type activityWriter struct {
	mu      sync.Mutex
	queue   []activityEvent
	pending map[int64]int // queued events per user, for ModuleProgress's read-your-writes
	wake    chan struct{}
	// urgent cuts the pause between commits short: someone waits for the queue (a flush, Close).
	urgent  chan struct{}
	stopped chan struct{}
	running bool
	closed  bool
}

// activityQueueLimit bounds the queue: past it, requests wait for the writer (backpressure)
// instead of memory growing without limit.
const activityQueueLimit = 100000

func (a *activityWriter) enqueue(s *Store, e activityEvent) {
	a.mu.Lock()
	for len(a.queue) >= activityQueueLimit && a.running {
		a.mu.Unlock()
		time.Sleep(time.Millisecond)
		a.mu.Lock()
	}
	if a.closed {
		// After Close nothing can be written; the store's connections are gone.
		a.mu.Unlock()
		if e.done != nil {
			e.done <- nil
		}
		return
	}
	if !a.running {
		a.running = true
		a.wake = make(chan struct{}, 1)
		a.urgent = make(chan struct{}, 1)
		a.stopped = make(chan struct{})
		a.pending = map[int64]int{}
		go a.run(s)
	}
	a.queue = append(a.queue, e)
	if e.done == nil {
		a.pending[e.userID]++
	}
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *activityWriter) pendingFor(userID int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pending[userID] > 0
}

func (a *activityWriter) flush(ctx context.Context, s *Store) error {
	done := make(chan error, 1)
	a.enqueue(s, activityEvent{done: done})
	a.hurry()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// hurry asks the writer to commit now rather than after its pause.
func (a *activityWriter) hurry() {
	a.mu.Lock()
	urgent := a.urgent
	a.mu.Unlock()
	if urgent == nil {
		return
	}
	select {
	case urgent <- struct{}{}:
	default:
	}
}

// close commits what is queued and stops the goroutine; later events are dropped.
func (a *activityWriter) close() {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	a.closed = true
	running, stopped, wake, urgent := a.running, a.stopped, a.wake, a.urgent
	a.mu.Unlock()
	if !running {
		return
	}
	select {
	case urgent <- struct{}{}:
	default:
	}
	select {
	case wake <- struct{}{}:
	default:
	}
	<-stopped
}

// activityCommitEvery spaces the writer's commits: at most one per interval, so under load a
// commit (and its fsync and WAL work) serves every view of the last interval instead of one or
// two, and the read pool's page caches, which every commit invalidates, stay warm in between.
// A view after a quiet spell is committed at once; pages that show a person's own time flush
// first (ModuleProgress), so nobody sees their time lag. A crash loses at most one interval of
// page views, never an acknowledged quiz result.
const activityCommitEvery = 50 * time.Millisecond

func (a *activityWriter) run(s *Store) {
	defer close(a.stopped)
	var lastCommit time.Time
	for {
		if wait := activityCommitEvery - time.Since(lastCommit); wait > 0 {
			pause := time.NewTimer(wait)
			select {
			case <-pause.C:
			case <-a.urgent:
				pause.Stop()
			}
		}
		a.mu.Lock()
		batch := a.queue
		a.queue = nil
		closed := a.closed
		a.mu.Unlock()
		if len(batch) == 0 {
			if closed {
				return
			}
			<-a.wake
			continue
		}
		lastCommit = time.Now()
		err := s.writeActivity(batch)
		a.mu.Lock()
		for _, e := range batch {
			if e.done == nil {
				if a.pending[e.userID]--; a.pending[e.userID] <= 0 {
					delete(a.pending, e.userID)
				}
			}
		}
		a.mu.Unlock()
		for _, e := range batch {
			if e.done != nil {
				e.done <- err
			}
		}
	}
}

// writeActivity commits a batch in one transaction. If the batch fails (say a user was deleted
// meanwhile), each event is retried in its own transaction so one bad event loses only itself.
func (s *Store) writeActivity(batch []activityEvent) error {
	err := s.w.Transaction(func(tx *gorm.DB) error { return applyActivity(tx, batch) })
	if err == nil {
		return nil
	}
	var last error
	for _, e := range batch {
		if e.done != nil {
			continue
		}
		if err := s.w.Transaction(func(tx *gorm.DB) error { return applyActivity(tx, []activityEvent{e}) }); err != nil {
			slog.Error("activity not recorded", "user", e.userID, "module", e.moduleID, "at", e.at, "err", err)
			last = err
		}
	}
	return last
}

// progressKey is one row of module_progress.
type progressKey struct {
	user   int64
	module string
}

// progressDelta is what a batch adds to one module_progress row.
type progressDelta struct {
	exists   bool // the row is in the database already
	known    bool // exists has been looked up
	base     int  // active seconds in the database before the batch
	seconds  int
	visits   int
	first    time.Time
	lastSeen time.Time
}

type lastActivity struct {
	module  string
	at      time.Time
	changed bool
}

// applyActivity replays the events in order against the rows they touch, reading each row at
// most once and writing each at most once, with portable SQL. Visits and credited seconds are
// written as increments, so the result is the one event-by-event writing would give.
func applyActivity(tx *gorm.DB, batch []activityEvent) error {
	if err := lockActivityRows(tx, batch); err != nil {
		return err
	}
	acts := map[int64]*lastActivity{}
	deltas := map[progressKey]*progressDelta{}
	var order []progressKey
	row := func(k progressKey) (*progressDelta, error) {
		d, ok := deltas[k]
		if !ok {
			d = &progressDelta{}
			deltas[k] = d
			order = append(order, k)
		}
		if !d.known {
			var sofar []int
			if err := tx.Raw("SELECT active_seconds FROM module_progress WHERE user_id = ? AND module_id = ?", k.user, k.module).Scan(&sofar).Error; err != nil {
				return nil, err
			}
			d.known, d.exists = true, len(sofar) == 1
			if d.exists {
				d.base = sofar[0]
			}
		}
		return d, nil
	}
	for _, e := range batch {
		if e.done != nil {
			continue
		}
		if e.visit {
			d, err := row(progressKey{e.userID, e.moduleID})
			if err != nil {
				return err
			}
			if !d.exists && d.visits == 0 {
				d.first = e.at
			}
			d.visits++
			d.lastSeen = later(d.lastSeen, e.at)
			continue
		}
		last, ok := acts[e.userID]
		if !ok {
			var rows []struct {
				ModuleID string
				At       time.Time
			}
			if err := tx.Raw("SELECT module_id, at FROM user_activity WHERE user_id = ?", e.userID).Scan(&rows).Error; err != nil {
				return err
			}
			last = &lastActivity{}
			if len(rows) == 1 {
				last.module, last.at = rows[0].ModuleID, rows[0].At
			}
			acts[e.userID] = last
		}
		if last.module != "" {
			d, err := row(progressKey{e.userID, last.module})
			if err != nil {
				return err
			}
			// Only a module the person has opened (a row exists or a visit is queued) earns time.
			if d.exists || d.visits > 0 {
				credit := e.rules.Credit(last.at, e.at, time.Duration(d.base+d.seconds)*time.Second, e.capOf(last.module))
				if secs := int(credit / time.Second); secs > 0 {
					d.seconds += secs
					d.lastSeen = later(d.lastSeen, e.at)
				}
			}
		}
		last.module, last.at, last.changed = e.moduleID, e.at, true
	}
	for _, k := range order {
		d := deltas[k]
		switch {
		case d.exists && (d.visits > 0 || d.seconds > 0):
			if err := tx.Exec(`UPDATE module_progress SET visits = visits + ?, active_seconds = active_seconds + ?, last_seen_at = ?
				WHERE user_id = ? AND module_id = ?`, d.visits, d.seconds, d.lastSeen, k.user, k.module).Error; err != nil {
				return err
			}
		case !d.exists && d.visits > 0:
			if err := tx.Exec(`INSERT INTO module_progress (user_id, module_id, first_opened_at, last_seen_at, active_seconds, visits)
				VALUES (?, ?, ?, ?, ?, ?)`, k.user, k.module, d.first, d.lastSeen, d.seconds, d.visits).Error; err != nil {
				return err
			}
		}
	}
	for user, last := range acts {
		if !last.changed {
			continue
		}
		if err := tx.Exec(`INSERT INTO user_activity (user_id, module_id, at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET module_id = excluded.module_id, at = excluded.at`, user, last.module, last.at).Error; err != nil {
			return err
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
