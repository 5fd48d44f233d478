package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"aftercare/quiz"
)

// The queries behind `academy export xapi`: learning records that became final at or after a
// given instant, as plain rows with the learner's login and name, so the export can write
// xAPI statements without knowing the schema. A zero since means everything.

// FinishedAttempt is a graded quiz attempt (state finished) with its items, responses and
// marks, and who made it.
type FinishedAttempt struct {
	quiz.Attempt
	Login string
	Name  string
}

// FinishedAttemptsSince lists the finished attempts submitted at or after since, oldest
// submission first. Attempts still open or awaiting a supervisor's grading are left out: their
// score is not final yet, and they are exported once graded.
func (s *Store) FinishedAttemptsSince(ctx context.Context, since time.Time) ([]FinishedAttempt, error) {
	db := s.r.WithContext(ctx)
	// The attempt's columns (as attemptRow has them) and the person's login and name.
	var rows []struct {
		ID          int64
		UserID      int64
		Quiz        string
		Number      int
		State       string
		StartedAt   time.Time
		Deadline    sql.NullTime
		SubmittedAt sql.NullTime
		Pass        int
		Score       float64
		Passed      bool
		Login       string
		Name        string
	}
	if err := db.Raw(`SELECT a.id, a.user_id, a.quiz, a.number, a.state, a.started_at, a.deadline, a.submitted_at,
			a.pass, a.score, a.passed, u.login, u.name
		FROM attempts a JOIN users u ON u.id = a.user_id
		WHERE a.state = ? AND a.submitted_at >= ? ORDER BY a.submitted_at, a.id`, string(quiz.Finished), since.UTC()).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]FinishedAttempt, len(rows))
	index := make(map[int64]int, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		a := attemptRow{ID: r.ID, UserID: r.UserID, Quiz: r.Quiz, Number: r.Number, State: r.State, StartedAt: r.StartedAt,
			Deadline: r.Deadline, SubmittedAt: r.SubmittedAt, Pass: r.Pass, Score: r.Score, Passed: r.Passed}
		out[i] = FinishedAttempt{Attempt: a.attempt(), Login: r.Login, Name: r.Name}
		index[r.ID] = i
		ids[i] = r.ID
	}
	// Items in chunks, so a large export stays under the database's limit on bound variables.
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		var items []itemRow
		if err := db.Table("attempt_items").Where("attempt_id IN ?", chunk).Order("attempt_id, position").Find(&items).Error; err != nil {
			return nil, err
		}
		for _, r := range items {
			it, err := r.item()
			if err != nil {
				return nil, err
			}
			a := &out[index[r.AttemptID]]
			a.Items = append(a.Items, it)
		}
	}
	return out, nil
}

// ModuleQuizPass is a learner's progress in a module whose quiz they have passed, with the
// first passing attempt. A module counts as completed when its quiz is passed and its reading
// time is complete; the reading minimum lives in the content, so the caller applies it
// (tracking.ReadingComplete with ActiveSeconds).
type ModuleQuizPass struct {
	UserID        int64
	Login         string
	Name          string
	ModuleID      string // course/module
	FirstOpenedAt time.Time
	ActiveSeconds int
	// AttemptID and PassedAt are the first attempt that passed the module's quiz.
	AttemptID int64
	PassedAt  time.Time
}

// ModuleQuizPassesSince lists the modules whose quiz was first passed at or after since,
// by learners who opened the module, in the order they were passed. A module passed before
// since and passed again later is left out: it was completed before.
func (s *Store) ModuleQuizPassesSince(ctx context.Context, since time.Time) ([]ModuleQuizPass, error) {
	// Page views still queued for the activity writer belong in the export too.
	if err := s.FlushActivity(ctx); err != nil {
		return nil, err
	}
	db := s.r.WithContext(ctx)
	var passes []struct {
		ID          int64
		UserID      int64
		Quiz        string
		SubmittedAt time.Time
	}
	if err := db.Raw(`SELECT id, user_id, quiz, submitted_at FROM attempts
		WHERE state = ? AND passed = ? AND quiz LIKE 'module:%' AND submitted_at IS NOT NULL
		ORDER BY submitted_at, id`, string(quiz.Finished), true).Scan(&passes).Error; err != nil {
		return nil, err
	}
	type key struct {
		user   int64
		module string
	}
	first := map[key]int{} // the first pass of each (user, module), as an index into passes
	for i, p := range passes {
		k := key{p.UserID, strings.TrimPrefix(p.Quiz, "module:")}
		if _, seen := first[k]; !seen {
			first[k] = i
		}
	}
	var progress []struct {
		UserID        int64
		Login         string
		Name          string
		ModuleID      string
		FirstOpenedAt time.Time
		ActiveSeconds int
	}
	if err := db.Raw(`SELECT p.user_id, u.login, u.name, p.module_id, p.first_opened_at, p.active_seconds
		FROM module_progress p JOIN users u ON u.id = p.user_id`).Scan(&progress).Error; err != nil {
		return nil, err
	}
	var out []ModuleQuizPass
	for _, p := range progress {
		i, ok := first[key{p.UserID, p.ModuleID}]
		if !ok || passes[i].SubmittedAt.Before(since) {
			continue
		}
		out = append(out, ModuleQuizPass{UserID: p.UserID, Login: p.Login, Name: p.Name, ModuleID: p.ModuleID,
			FirstOpenedAt: p.FirstOpenedAt, ActiveSeconds: p.ActiveSeconds, AttemptID: passes[i].ID, PassedAt: passes[i].SubmittedAt})
	}
	slices.SortStableFunc(out, func(a, b ModuleQuizPass) int {
		return cmp.Or(a.PassedAt.Compare(b.PassedAt), cmp.Compare(a.AttemptID, b.AttemptID))
	})
	return out, nil
}

// ReleasedDrill is a role-play drill whose result was released to the trainee: the primary
// rater's score and verdict, the drill's times, the trainee and the rater.
type ReleasedDrill struct {
	ID          int64
	TraineeID   int64
	Login       string
	Name        string
	Scenario    string
	Pass        int
	Score       float64
	Passed      bool
	StartedAt   time.Time // zero if the drill was never started (not possible once released)
	SubmittedAt time.Time
	ReleasedAt  time.Time
	RaterID     int64
	RaterLogin  string
	RaterName   string
}

// ReleasedDrillsSince lists the drills released at or after since, in the order they were
// released. Drills not yet released are left out: the trainee has not seen the result.
func (s *Store) ReleasedDrillsSince(ctx context.Context, since time.Time) ([]ReleasedDrill, error) {
	var rows []struct {
		ID          int64
		TraineeID   int64
		Login       string
		Name        string
		Scenario    string
		Pass        int
		Score       sql.NullFloat64
		Passed      bool
		StartedAt   sql.NullTime
		SubmittedAt sql.NullTime
		ReleasedAt  time.Time
		RaterID     int64
		RaterLogin  string
		RaterName   string
	}
	if err := s.r.WithContext(ctx).Raw(`SELECT d.id, d.trainee_id, u.login, u.name, d.scenario, d.pass, d.score, d.passed,
			d.started_at, d.submitted_at, d.released_at, d.rater_id, r.login AS rater_login, r.name AS rater_name
		FROM drills d JOIN users u ON u.id = d.trainee_id JOIN users r ON r.id = d.rater_id
		WHERE d.state = 'released' AND d.score IS NOT NULL AND d.released_at >= ?
		ORDER BY d.released_at, d.id`, since.UTC()).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ReleasedDrill, len(rows))
	for i, r := range rows {
		out[i] = ReleasedDrill{ID: r.ID, TraineeID: r.TraineeID, Login: r.Login, Name: r.Name, Scenario: r.Scenario,
			Pass: r.Pass, Score: r.Score.Float64, Passed: r.Passed, ReleasedAt: r.ReleasedAt,
			RaterID: r.RaterID, RaterLogin: r.RaterLogin, RaterName: r.RaterName}
		if r.StartedAt.Valid {
			out[i].StartedAt = r.StartedAt.Time
		}
		if r.SubmittedAt.Valid {
			out[i].SubmittedAt = r.SubmittedAt.Time
		}
	}
	return out, nil
}
