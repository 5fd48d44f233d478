package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/quiz"
)

// QuizSummary is one quiz's attempts in a store (or the company): how many, the mean score and
// the pass rate of the finished ones.
type QuizSummary struct {
	Quiz      string
	Attempts  int
	Finished  int
	Pending   int // awaiting a supervisor's grading
	MeanScore float64
	Passed    int
}

// QuizSummaries lists every quiz someone in scope has attempted; shopID 0 means every store.
func (s *Store) QuizSummaries(ctx context.Context, shopID int64) ([]QuizSummary, error) {
	q := s.r.WithContext(ctx).Table("attempts a").Joins("JOIN users u ON u.id = a.user_id").
		Select(`a.quiz AS quiz, COUNT(*) AS attempts,
			SUM(CASE WHEN a.state = 'finished' THEN 1 ELSE 0 END) AS finished,
			SUM(CASE WHEN a.state = 'awaiting_grading' THEN 1 ELSE 0 END) AS pending,
			COALESCE(AVG(CASE WHEN a.state = 'finished' THEN a.score END), 0) AS mean_score,
			SUM(CASE WHEN a.passed THEN 1 ELSE 0 END) AS passed`).
		Group("a.quiz").Order("a.quiz")
	if shopID != 0 {
		q = q.Where("u.shop_id = ?", shopID)
	}
	var out []QuizSummary
	return out, q.Scan(&out).Error
}

// ScopedAttempt is a submitted attempt with the person who made it.
type ScopedAttempt struct {
	Attempt quiz.Attempt
	Owner   accounts.User
}

// SubmittedAttempts loads every submitted attempt at a quiz by staff in scope (shopID 0: all),
// with items, for item analysis, exports and regrades.
func (s *Store) SubmittedAttempts(ctx context.Context, quizID string, shopID int64) ([]ScopedAttempt, error) {
	var ids []int64
	q := s.r.WithContext(ctx).Table("attempts a").Joins("JOIN users u ON u.id = a.user_id").
		Where("a.quiz = ? AND a.state <> 'open'", quizID).Order("a.id")
	if shopID != 0 {
		q = q.Where("u.shop_id = ?", shopID)
	}
	if err := q.Pluck("a.id", &ids).Error; err != nil {
		return nil, err
	}
	out := make([]ScopedAttempt, 0, len(ids))
	users := map[int64]accounts.User{}
	for _, id := range ids {
		a, err := loadAttempt(s.r.WithContext(ctx), id)
		if err != nil {
			return nil, err
		}
		u, ok := users[a.UserID]
		if !ok {
			if u, err = s.UserByID(ctx, a.UserID); err != nil {
				return nil, err
			}
			users[a.UserID] = u
		}
		out = append(out, ScopedAttempt{Attempt: a, Owner: u})
	}
	return out, nil
}

// ApplyRegrade stores new marks for an attempt and its new score, and appends the change to
// the audit log in the same transaction. Every column is written explicitly, so a regrade to
// zero sticks. An attempt that changed since it was loaded (another regrade, a manual grade)
// is refused with failure.ErrConflict.
func (s *Store) ApplyRegrade(ctx context.Context, actorID int64, a quiz.Attempt, r quiz.Regraded) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockRow(tx, "attempts", a.ID); err != nil {
			return err
		}
		current, err := loadAttempt(tx, a.ID)
		if err != nil {
			return err
		}
		if current.Score != a.Score || current.State != a.State || current.Passed != a.Passed {
			return failure.ErrConflict
		}
		for i, it := range a.Items {
			if err := storeMark(tx, a.ID, it.Position, r.Marks[i], nil); err != nil {
				return err
			}
		}
		if err := tx.Exec("UPDATE attempts SET score = ?, passed = ?, state = ? WHERE id = ?", r.Score, r.Passed, string(r.State), a.ID).Error; err != nil {
			return err
		}
		if err := completeAssignments(tx, a.ID, s.Now()); err != nil {
			return err
		}
		return audit(tx, s.Now(), AuditEntry{ActorID: actorID, Action: "attempt.regrade", Object: fmt.Sprintf("attempt:%d", a.ID),
			Before: scoreText(a.Score, a.Passed), After: scoreText(r.Score, r.Passed)})
	})
}

func scoreText(score float64, passed bool) string {
	return fmt.Sprintf("%.2f%% passed=%v", score, passed)
}

// GradeManually records a supervisor's mark for an item that needs a person (an essay), with
// an optional comment shown to the trainee, recomputes the attempt's result and audits it.
func (s *Store) GradeManually(ctx context.Context, actorID, attemptID int64, position int, fraction float64, comment string) (quiz.Attempt, error) {
	if fraction < 0 || fraction > 1 {
		return quiz.Attempt{}, failure.Fields{"fraction": "得分须在 0 到 100% 之间"}
	}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockRow(tx, "attempts", attemptID); err != nil {
			return err
		}
		a, err := loadAttempt(tx, attemptID)
		if err != nil {
			return err
		}
		idx := -1
		for i, it := range a.Items {
			if it.Position == position {
				idx = i
			}
		}
		if idx < 0 || a.State == quiz.Open {
			return failure.ErrNotFound
		}
		before := "ungraded"
		if m := a.Items[idx].Mark; m != nil && !m.NeedsGrading {
			before = fmt.Sprintf("%.4f", m.Fraction)
		}
		m := quiz.Mark{Fraction: fraction, Correct: fraction >= 1}
		if comment != "" {
			m.Feedback = []string{"主管评语：" + comment}
		}
		if err := storeMark(tx, attemptID, position, m, nil); err != nil {
			return err
		}
		a.Items[idx].Mark = &m
		score, passed, state := quiz.Result(a.Marks(), a.Pass)
		if err := tx.Exec("UPDATE attempts SET score = ?, passed = ?, state = ? WHERE id = ?", score, passed, string(state), attemptID).Error; err != nil {
			return err
		}
		if err := completeAssignments(tx, attemptID, s.Now()); err != nil { // an essay graded to a pass may finish remedial work
			return err
		}
		return audit(tx, s.Now(), AuditEntry{ActorID: actorID, Action: "attempt.grade", Object: fmt.Sprintf("attempt:%d#%d", attemptID, position),
			Before: before, After: fmt.Sprintf("%.4f", fraction)})
	})
	if err != nil {
		return quiz.Attempt{}, err
	}
	return s.Attempt(ctx, attemptID)
}

// AwaitingGrading lists attempts with an item waiting for a person, in scope (shopID 0: all),
// oldest first: the essay part of the supervisors' grading queue.
func (s *Store) AwaitingGrading(ctx context.Context, shopID int64) ([]ScopedAttempt, error) {
	var rows []struct {
		ID     int64
		UserID int64
	}
	q := s.r.WithContext(ctx).Table("attempts a").Joins("JOIN users u ON u.id = a.user_id").
		Select("a.id, a.user_id").Where("a.state = 'awaiting_grading'").Order("a.submitted_at")
	if shopID != 0 {
		q = q.Where("u.shop_id = ?", shopID)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]ScopedAttempt, 0, len(rows))
	for _, r := range rows {
		a, err := loadAttempt(s.r.WithContext(ctx), r.ID)
		if err != nil {
			return nil, err
		}
		u, err := s.UserByID(ctx, r.UserID)
		if err != nil {
			return nil, err
		}
		out = append(out, ScopedAttempt{Attempt: a, Owner: u})
	}
	return out, nil
}
