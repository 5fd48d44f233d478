package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/quiz"
)

// Lookup finds the current version of a question by its key; grading always uses it, so a
// regrade after a fix uses the fixed question.
type Lookup func(key string) (quiz.Question, bool)

type attemptRow struct {
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
}

type itemRow struct {
	AttemptID    int64
	Position     int
	QuestionKey  string
	Layout       string
	Response     string
	Fraction     sql.NullFloat64
	Correct      bool
	NeedsGrading bool
	Feedback     string
}

// attemptColumns are the columns scanAttempt reads, in its order.
const attemptColumns = "id, user_id, quiz, number, state, started_at, deadline, submitted_at, pass, score, passed"

// scanAttempt reads one row of attemptColumns: by hand, as the hot reads (quiz page, dashboards)
// do, because reflection per row cost more than the queries (BENCHMARKS.md).
func scanAttempt(row interface{ Scan(...any) error }) (attemptRow, error) {
	var r attemptRow
	err := row.Scan(&r.ID, &r.UserID, &r.Quiz, &r.Number, &r.State, &r.StartedAt, &r.Deadline, &r.SubmittedAt,
		&r.Pass, &r.Score, &r.Passed)
	return r, err
}

func (r attemptRow) attempt() quiz.Attempt {
	a := quiz.Attempt{ID: r.ID, UserID: r.UserID, Quiz: r.Quiz, Number: r.Number, State: quiz.AttemptState(r.State),
		StartedAt: r.StartedAt, Pass: r.Pass, Score: r.Score, Passed: r.Passed}
	if r.Deadline.Valid {
		a.Deadline = r.Deadline.Time
	}
	if r.SubmittedAt.Valid {
		a.SubmittedAt = r.SubmittedAt.Time
	}
	return a
}

func (r itemRow) item() (quiz.AttemptItem, error) {
	it := quiz.AttemptItem{Position: r.Position, Key: r.QuestionKey}
	if err := json.Unmarshal([]byte(r.Layout), &it.Layout); err != nil {
		return it, fmt.Errorf("attempt %d item %d layout: %w", r.AttemptID, r.Position, err)
	}
	if err := json.Unmarshal([]byte(r.Response), &it.Response); err != nil {
		return it, fmt.Errorf("attempt %d item %d response: %w", r.AttemptID, r.Position, err)
	}
	if r.Fraction.Valid || r.NeedsGrading {
		m := &quiz.Mark{Fraction: r.Fraction.Float64, Correct: r.Correct, NeedsGrading: r.NeedsGrading}
		if err := json.Unmarshal([]byte(r.Feedback), &m.Feedback); err != nil {
			return it, err
		}
		it.Mark = m
	}
	return it, nil
}

// StartAttempt resumes the person's open attempt at the quiz if there is one; otherwise it
// checks the attempt limit and stores a new attempt with the questions and layouts given.
// Both happen in one immediate transaction, so two clicks cannot open two attempts.
func (s *Store) StartAttempt(ctx context.Context, userID int64, quizID string, rules quiz.AttemptRules, keys []string, layouts []quiz.Layout) (quiz.Attempt, bool, error) {
	if len(keys) != len(layouts) || len(keys) == 0 {
		return quiz.Attempt{}, false, errors.New("start attempt: keys and layouts must match and not be empty")
	}
	var id int64
	resumed := false
	err := s.inGroupCommit(ctx, func(tx *gorm.DB) error {
		// On PostgreSQL the person's row lock makes two starts (two clicks, two instances)
		// take turns, as SQLite's immediate transaction does.
		if err := lockRow(tx, "users", userID); err != nil {
			return err
		}
		var open []int64
		if err := tx.Raw("SELECT id FROM attempts WHERE user_id = ? AND quiz = ? AND state = 'open'", userID, quizID).Scan(&open).Error; err != nil {
			return err
		}
		if len(open) > 0 {
			id, resumed = open[0], true
			return nil
		}
		var made int
		if err := tx.Raw("SELECT COUNT(*) FROM attempts WHERE user_id = ? AND quiz = ?", userID, quizID).Scan(&made).Error; err != nil {
			return err
		}
		if err := rules.CanStart(made); err != nil {
			return err
		}
		now := s.Now()
		row := attemptRow{UserID: userID, Quiz: quizID, Number: made + 1, State: string(quiz.Open), StartedAt: now, Pass: rules.Pass}
		if d := rules.Deadline(now); !d.IsZero() {
			row.Deadline = sql.NullTime{Time: d, Valid: true}
		}
		if err := tx.Table("attempts").Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		// One multi-row INSERT for the questions: a statement per question cost more than the
		// rows themselves.
		var q strings.Builder
		q.WriteString("INSERT INTO attempt_items (attempt_id, position, question_key, layout) VALUES ")
		args := make([]any, 0, 4*len(keys))
		for i, key := range keys {
			layout, _ := json.Marshal(layouts[i])
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?)")
			args = append(args, id, i, key, string(layout))
		}
		return tx.Exec(q.String(), args...).Error
	})
	if err != nil {
		return quiz.Attempt{}, false, err
	}
	a, err := s.Attempt(ctx, id)
	return a, resumed, err
}

// Attempt loads an attempt with its items; a missing attempt is failure.ErrNotFound. Callers
// check who may see it (AttemptOwner).
func (s *Store) Attempt(ctx context.Context, id int64) (quiz.Attempt, error) {
	return loadAttempt(s.r.WithContext(ctx), id) // the read pool: pages must not queue behind writers
}

func loadAttempt(db *gorm.DB, id int64) (quiz.Attempt, error) {
	// Scanned by hand (scanAttempt): the quiz page loads an attempt on every view.
	r, err := scanAttempt(db.Raw("SELECT "+attemptColumns+" FROM attempts WHERE id = ?", id).Row())
	if errors.Is(err, sql.ErrNoRows) {
		return quiz.Attempt{}, failure.ErrNotFound
	} else if err != nil {
		return quiz.Attempt{}, err
	}
	a := r.attempt()
	rows, err := db.Raw(`SELECT attempt_id, position, question_key, layout, response, fraction, correct, needs_grading, feedback
		FROM attempt_items WHERE attempt_id = ? ORDER BY position`, id).Rows()
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var ir itemRow
		if err := rows.Scan(&ir.AttemptID, &ir.Position, &ir.QuestionKey, &ir.Layout, &ir.Response, &ir.Fraction,
			&ir.Correct, &ir.NeedsGrading, &ir.Feedback); err != nil {
			return a, err
		}
		it, err := ir.item()
		if err != nil {
			return a, err
		}
		a.Items = append(a.Items, it)
	}
	return a, rows.Err()
}

// AttemptOwner is the person who made an attempt, for the scope check.
func (s *Store) AttemptOwner(ctx context.Context, a quiz.Attempt) (accounts.User, error) {
	return s.UserByID(ctx, a.UserID)
}

// SaveResponses stores answers of an open attempt without grading them. Only the owner may
// save, and only while time is left.
func (s *Store) SaveResponses(ctx context.Context, attemptID, userID int64, rules quiz.AttemptRules, responses map[int]quiz.Response) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := ownOpenAttempt(tx, attemptID, userID)
		if err != nil {
			return err
		}
		if rules.TimeUp(a.Deadline, s.Now()) {
			return quiz.ErrTimeUp
		}
		return saveResponses(tx, attemptID, responses)
	})
}

// ownOpenAttempt loads an attempt for answering: someone else's is "not found", one already
// submitted is a conflict (a replayed or second submit).
func ownOpenAttempt(tx *gorm.DB, attemptID, userID int64) (quiz.Attempt, error) {
	if err := lockRow(tx, "attempts", attemptID); err != nil {
		return quiz.Attempt{}, err
	}
	a, err := loadAttempt(tx, attemptID)
	switch {
	case err != nil:
		return a, err
	case a.UserID != userID:
		return a, failure.ErrNotFound
	case a.State != quiz.Open:
		return a, failure.ErrConflict
	}
	return a, nil
}

func saveResponses(tx *gorm.DB, attemptID int64, responses map[int]quiz.Response) error {
	for pos, r := range responses {
		b, _ := json.Marshal(r)
		if err := tx.Exec("UPDATE attempt_items SET response = ? WHERE attempt_id = ? AND position = ?", string(b), attemptID, pos).Error; err != nil {
			return err
		}
	}
	return nil
}

// SubmitAttempt stores the final answers and grades the attempt in one immediate transaction.
// A second submit of the same attempt (a double click, a replayed request, a second instance)
// finds it no longer open and gets failure.ErrConflict, so it counts once. A submit after the
// time limit and its grace is refused with quiz.ErrTimeUp, and the attempt is closed with the
// answers saved before the limit.
func (s *Store) SubmitAttempt(ctx context.Context, attemptID, userID int64, rules quiz.AttemptRules, responses map[int]quiz.Response, lookup Lookup) (quiz.Attempt, error) {
	var late bool
	err := s.inGroupCommit(ctx, func(tx *gorm.DB) error {
		a, err := ownOpenAttempt(tx, attemptID, userID)
		if err != nil {
			return err
		}
		if late = rules.TimeUp(a.Deadline, s.Now()); late {
			return gradeAndClose(tx, a, lookup, s.Now(), false)
		}
		for i := range a.Items {
			if r, ok := responses[a.Items[i].Position]; ok {
				a.Items[i].Response = r
			}
		}
		return gradeAndClose(tx, a, lookup, s.Now(), true) // stores the answers with their marks
	})
	if err != nil {
		return quiz.Attempt{}, err
	}
	if late {
		return quiz.Attempt{}, quiz.ErrTimeUp
	}
	return s.Attempt(ctx, attemptID)
}

// CloseIfTimeUp grades and closes an open attempt whose time and grace have run out, with the
// answers saved so far; it reports whether it closed it.
func (s *Store) CloseIfTimeUp(ctx context.Context, attemptID int64, rules quiz.AttemptRules, lookup Lookup) (bool, error) {
	// Most views are of attempts with time left (or no limit): a read settles that without
	// taking the writer, which every view of a quiz page would otherwise queue for.
	var open []struct {
		State    string
		Deadline sql.NullTime
	}
	if err := s.r.WithContext(ctx).Raw("SELECT state, deadline FROM attempts WHERE id = ?", attemptID).Scan(&open).Error; err != nil {
		return false, err
	}
	if len(open) == 0 || open[0].State != string(quiz.Open) || !rules.TimeUp(open[0].Deadline.Time, s.Now()) {
		return false, nil
	}
	closed := false
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockRow(tx, "attempts", attemptID); err != nil {
			return err
		}
		a, err := loadAttempt(tx, attemptID)
		if err != nil || a.State != quiz.Open || !rules.TimeUp(a.Deadline, s.Now()) {
			return err
		}
		closed = true
		return gradeAndClose(tx, a, lookup, s.Now(), false)
	})
	return closed, err
}

// gradeAndClose grades every item, stores the marks (and, with withResponses, each item's
// response in the same statement: one UPDATE per item instead of two on the submit path),
// closes the attempt and applies its effects.
func gradeAndClose(tx *gorm.DB, a quiz.Attempt, lookup Lookup, now time.Time, withResponses bool) error {
	marks := make([]quiz.Mark, 0, len(a.Items))
	var answers []reviewAnswer
	for _, it := range a.Items {
		q, ok := lookup(it.Key)
		var m quiz.Mark
		if ok {
			m = quiz.Grade(q, it.Layout, it.Response)
			if quiz.Graded(q.Type) && !m.NeedsGrading {
				answers = append(answers, reviewAnswer{key: it.Key, correct: m.Correct})
			}
		}
		marks = append(marks, m)
		var response *quiz.Response
		if withResponses {
			response = &it.Response
		}
		if err := storeMark(tx, a.ID, it.Position, m, response); err != nil {
			return err
		}
	}
	score, passed, state := quiz.Result(marks, a.Pass)
	// Only an open attempt closes: of two submits racing (two instances), one updates the row
	// and the other finds it closed and gets a conflict, so the attempt counts once.
	res := tx.Exec("UPDATE attempts SET state = ?, submitted_at = ?, score = ?, passed = ? WHERE id = ? AND state = 'open'",
		string(state), now, score, passed, a.ID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return failure.ErrConflict
	}
	// The review queue and assignments change in the grading transaction, so a submitted
	// attempt is never left without its effects (see updateReviewQueue, Assignment). On
	// PostgreSQL the person's row lock makes two of their attempts graded at once (two tabs,
	// two instances) update their review queue one after the other.
	if err := lockRow(tx, "users", a.UserID); err != nil {
		return err
	}
	if err := updateReviewQueue(tx, a.UserID, answers, now); err != nil {
		return err
	}
	return completeAssignments(tx, a.ID, now)
}

func storeMark(tx *gorm.DB, attemptID int64, pos int, m quiz.Mark, response *quiz.Response) error {
	fb, _ := json.Marshal(m.Feedback)
	var fraction any = m.Fraction
	if m.NeedsGrading {
		fraction = nil
	}
	if response != nil {
		r, _ := json.Marshal(*response)
		return tx.Exec("UPDATE attempt_items SET response = ?, fraction = ?, correct = ?, needs_grading = ?, feedback = ? WHERE attempt_id = ? AND position = ?",
			string(r), fraction, m.Correct, m.NeedsGrading, string(fb), attemptID, pos).Error
	}
	return tx.Exec("UPDATE attempt_items SET fraction = ?, correct = ?, needs_grading = ?, feedback = ? WHERE attempt_id = ? AND position = ?",
		fraction, m.Correct, m.NeedsGrading, string(fb), attemptID, pos).Error
}

// Attempts lists a person's attempts, newest first, without their items.
func (s *Store) Attempts(ctx context.Context, userID int64) ([]quiz.Attempt, error) {
	var rows []attemptRow
	if err := s.r.WithContext(ctx).Table("attempts").Where("user_id = ?", userID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]quiz.Attempt, len(rows))
	for i, r := range rows {
		out[i] = r.attempt()
	}
	return out, nil
}

// SeenQuestions is every question key the person was shown in earlier attempts at the quiz,
// so a new draw can prefer questions they have not seen.
func (s *Store) SeenQuestions(ctx context.Context, userID int64, quizID string) (map[string]bool, error) {
	var keys []string
	err := s.r.WithContext(ctx).Raw(`SELECT DISTINCT i.question_key FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id
		WHERE a.user_id = ? AND a.quiz = ?`, userID, quizID).Scan(&keys).Error
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		seen[k] = true
	}
	return seen, err
}
