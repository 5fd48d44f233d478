package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/tracking"
)

// Assignment kinds: a monthly refresher, a quarterly assessment (both from recurring
// programmes, named by the programme's kind) and remedial work set when a KPI is missed.
const (
	KindRefresher  = "refresher"
	KindAssessment = "assessment"
	KindRemedial   = "remedial"
)

// RemedialProgramme is the programme name of every remedial assignment: remedial work belongs
// to no programme file, it lists its modules itself.
const RemedialProgramme = "remedial"

// Assignment is one piece of assigned recurring or remedial training.
//
// Completion is marked by the store in the transaction that grades the attempt that completes
// it, so lists and dashboards only read completed_at:
//   - a refresher or assessment is completed by the first submitted attempt (passed or not) of
//     its programme's assessment for its period (quiz id ProgrammeQuiz(programme, period));
//     AttemptID then follows the latest graded attempt of that period, so a retake shows;
//   - a remedial assignment is completed when every listed module's quiz has a passed attempt
//     submitted at or after AssignedAt; AttemptID is the attempt that completed it. Passes
//     from before the assignment do not count: the point is to study the modules again.
//
// A completion is never taken back (a regrade that fails an attempt leaves it completed).
type Assignment struct {
	ID, UserID                      int64
	Programme, Kind, Period, Reason string
	Modules                         []string
	AssignedAt, DueAt               time.Time
	CompletedAt                     *time.Time
	AttemptID                       *int64
}

// ProgrammeQuiz is the quiz id of attempts at a programme's assessment: "programme:<slug>" for
// onboarding's final, "programme:<slug>:<period>" for a recurring programme, so attempts and
// their limit are counted per period and reports list each period on its own.
func ProgrammeQuiz(slug, period string) string {
	if period == "" {
		return "programme:" + slug
	}
	return "programme:" + slug + ":" + period
}

// programmeOfQuiz reverses ProgrammeQuiz for a recurring programme's quiz id.
func programmeOfQuiz(quizID string) (slug, period string, ok bool) {
	rest, found := strings.CutPrefix(quizID, "programme:")
	if !found {
		return "", "", false
	}
	slug, period, ok = strings.Cut(rest, ":")
	return slug, period, ok && slug != "" && period != ""
}

type assignmentRow struct {
	ID          int64
	UserID      int64
	Programme   string
	Kind        string
	Period      string
	Reason      string
	Modules     string
	AssignedAt  time.Time
	DueAt       time.Time
	CompletedAt sql.NullTime
	AttemptID   sql.NullInt64
}

func (r assignmentRow) assignment() Assignment {
	a := Assignment{ID: r.ID, UserID: r.UserID, Programme: r.Programme, Kind: r.Kind, Period: r.Period, Reason: r.Reason,
		AssignedAt: r.AssignedAt.UTC(), DueAt: r.DueAt.UTC()}
	if r.Modules != "" {
		a.Modules = strings.Split(r.Modules, ",")
	}
	if r.CompletedAt.Valid {
		t := r.CompletedAt.Time.UTC()
		a.CompletedAt = &t
	}
	if r.AttemptID.Valid {
		id := r.AttemptID.Int64
		a.AttemptID = &id
	}
	return a
}

const assignmentColumns = "a.id, a.user_id, a.programme, a.kind, a.period, a.reason, a.modules, a.assigned_at, a.due_at, a.completed_at, a.attempt_id"

func validAssignment(a Assignment) error {
	switch {
	case a.UserID == 0 || a.Programme == "" || a.Period == "":
		return errors.New("assign: user, programme and period are required")
	case a.Kind != KindRefresher && a.Kind != KindAssessment && a.Kind != KindRemedial:
		return fmt.Errorf("assign: unknown kind %q", a.Kind)
	case a.Kind == KindRemedial && len(a.Modules) == 0:
		return errors.New("assign: remedial work must list its modules")
	case a.AssignedAt.IsZero() || a.DueAt.IsZero():
		return errors.New("assign: assigned and due times are required")
	}
	for _, m := range a.Modules {
		if m == "" || strings.Contains(m, ",") {
			return fmt.Errorf("assign: bad module id %q", m)
		}
	}
	return nil
}

// Assign stores new assignments in one transaction and returns how many were created. An
// assignment whose user, programme and period already has one is skipped (ON CONFLICT DO
// NOTHING), so schedulers running twice, or on two servers sharing the database, assign each
// person once per period. ID, CompletedAt and AttemptID of the input are ignored.
func (s *Store) Assign(ctx context.Context, as []Assignment) (created int, err error) {
	made, err := s.AssignNew(ctx, as)
	return len(made), err
}

// AssignNew is Assign returning the assignments it created, with their ids, for the
// scheduler's report.
func (s *Store) AssignNew(ctx context.Context, as []Assignment) ([]Assignment, error) {
	for _, a := range as {
		if err := validAssignment(a); err != nil {
			return nil, err
		}
	}
	var made []Assignment
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		made = made[:0]
		for _, a := range as {
			res := tx.Exec(`INSERT INTO assignments (user_id, programme, kind, period, reason, modules, assigned_at, due_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, programme, period) DO NOTHING`,
				a.UserID, a.Programme, a.Kind, a.Period, a.Reason, strings.Join(a.Modules, ","), a.AssignedAt.UTC(), a.DueAt.UTC())
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				continue
			}
			if err := tx.Raw("SELECT id FROM assignments WHERE user_id = ? AND programme = ? AND period = ?",
				a.UserID, a.Programme, a.Period).Scan(&a.ID).Error; err != nil {
				return err
			}
			a.AssignedAt, a.DueAt, a.CompletedAt, a.AttemptID = a.AssignedAt.UTC(), a.DueAt.UTC(), nil, nil
			made = append(made, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return made, nil
}

// UserAssignments lists a person's assignments, earliest due first.
func (s *Store) UserAssignments(ctx context.Context, userID int64) ([]Assignment, error) {
	return s.assignments(s.r.WithContext(ctx).Table("assignments a").Where("a.user_id = ?", userID))
}

// ShopAssignments lists the assignments of a store's staff (shopID 0: every store), earliest
// due first, for the supervisors' dashboard. Inactive staff's assignments are included; the
// caller decides whether to show them.
func (s *Store) ShopAssignments(ctx context.Context, shopID int64) ([]Assignment, error) {
	q := s.r.WithContext(ctx).Table("assignments a")
	if shopID != 0 {
		q = q.Joins("JOIN users u ON u.id = a.user_id").Where("u.shop_id = ?", shopID)
	}
	return s.assignments(q)
}

// UserAssignment is a person's assignment for a programme and period, or failure.ErrNotFound:
// only someone assigned a period may start that period's refresher or assessment.
func (s *Store) UserAssignment(ctx context.Context, userID int64, programme, period string) (Assignment, error) {
	list, err := s.assignments(s.r.WithContext(ctx).Table("assignments a").
		Where("a.user_id = ? AND a.programme = ? AND a.period = ?", userID, programme, period))
	if err != nil {
		return Assignment{}, err
	}
	if len(list) == 0 {
		return Assignment{}, failure.ErrNotFound
	}
	return list[0], nil
}

// AssignedUsers is the set of people who already have an assignment for the programme and
// period, so the scheduler need not evaluate them again every hour.
func (s *Store) AssignedUsers(ctx context.Context, programme, period string) (map[int64]bool, error) {
	var ids []int64
	err := s.r.WithContext(ctx).Raw("SELECT user_id FROM assignments WHERE programme = ? AND period = ?", programme, period).Scan(&ids).Error
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

func (s *Store) assignments(q *gorm.DB) ([]Assignment, error) {
	var rows []assignmentRow
	if err := q.Select(assignmentColumns).Order("a.due_at, a.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Assignment, len(rows))
	for i, r := range rows {
		out[i] = r.assignment()
	}
	return out, nil
}

// completeAssignments marks what a graded attempt completes (see Assignment), inside the
// transaction that graded it. GradeManually and ApplyRegrade call it too: a module quiz with
// an essay passes only when a supervisor grades it.
func completeAssignments(tx *gorm.DB, attemptID int64, now time.Time) error {
	var a attemptRow
	if err := tx.Table("attempts").Where("id = ?", attemptID).Take(&a).Error; err != nil {
		return err
	}
	if a.State == string(quiz.Open) {
		return nil
	}
	if slug, period, ok := programmeOfQuiz(a.Quiz); ok {
		return tx.Exec(`UPDATE assignments SET completed_at = COALESCE(completed_at, ?),
				attempt_id = CASE WHEN attempt_id IS NULL OR attempt_id < ? THEN ? ELSE attempt_id END
			WHERE user_id = ? AND programme = ? AND period = ? AND kind <> ?`,
			now.UTC(), a.ID, a.ID, a.UserID, slug, period, KindRemedial).Error
	}
	if !a.Passed || !strings.HasPrefix(a.Quiz, "module:") {
		return nil
	}
	var open []assignmentRow
	if err := tx.Raw("SELECT id, modules, assigned_at FROM assignments WHERE user_id = ? AND kind = ? AND completed_at IS NULL",
		a.UserID, KindRemedial).Scan(&open).Error; err != nil {
		return err
	}
	for _, r := range open {
		done := true
		for _, m := range strings.Split(r.Modules, ",") {
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM attempts WHERE user_id = ? AND quiz = ? AND passed = ? AND submitted_at >= ?`,
				a.UserID, "module:"+m, true, r.AssignedAt).Scan(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				done = false
				break
			}
		}
		if done {
			if err := tx.Exec("UPDATE assignments SET completed_at = ?, attempt_id = ? WHERE id = ? AND completed_at IS NULL",
				now.UTC(), a.ID, r.ID).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// reviewAnswer is one graded answer as the review queue sees it.
type reviewAnswer struct {
	key     string
	correct bool
}

// updateReviewQueue applies a graded attempt to the person's spaced-repetition queue, inside
// the grading transaction: a missed question (less than full marks) enters the queue or starts
// again from the first step (tracking.Missed); a right answer to a question in the queue that
// is due advances it (tracking.Answered) and, after tracking.RetireAfter in a row, retires it.
// A right answer before the question is due again changes nothing, so retaking a module quiz
// straight after a mistake cannot retire the question the same day. Essays waiting for a
// person are left out.
func updateReviewQueue(tx *gorm.DB, userID int64, answers []reviewAnswer, now time.Time) error {
	if len(answers) == 0 {
		return nil
	}
	keys := make([]string, len(answers))
	for i, a := range answers {
		keys[i] = a.key
	}
	var rows []reviewRow
	if err := tx.Raw(`SELECT question_key, step, correct_streak, due_at, retired FROM review_items
		WHERE user_id = ? AND question_key IN ?`, userID, keys).Scan(&rows).Error; err != nil {
		return err
	}
	queued := make(map[string]tracking.ReviewItem, len(rows))
	for _, r := range rows {
		queued[r.QuestionKey] = r.item()
	}
	// One multi-row upsert for the whole attempt: a statement per question was a third of the
	// submit's time in the writer (BENCHMARKS.md).
	var q strings.Builder
	var args []any
	written := map[string]bool{}
	for _, a := range answers {
		item, inQueue := queued[a.key]
		switch {
		case written[a.key]: // a key twice in one attempt: one row can be upserted once per statement
			continue
		case !a.correct:
			item.QuestionKey = a.key
			item = tracking.Missed(item, now)
		case inQueue && !item.Retired && !item.Due.After(now):
			item = tracking.Answered(item, true, now)
		default:
			continue
		}
		written[a.key] = true
		if len(args) > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?)")
		args = append(args, userID, item.QuestionKey, item.Step, item.CorrectStreak, item.Due.UTC(), item.Retired)
	}
	if len(args) == 0 {
		return nil
	}
	return tx.Exec(`INSERT INTO review_items (user_id, question_key, step, correct_streak, due_at, retired) VALUES `+q.String()+`
		ON CONFLICT (user_id, question_key) DO UPDATE SET step = excluded.step,
			correct_streak = excluded.correct_streak, due_at = excluded.due_at, retired = excluded.retired`, args...).Error
}

type reviewRow struct {
	QuestionKey   string
	Step          int
	CorrectStreak int
	DueAt         time.Time
	Retired       bool
}

func (r reviewRow) item() tracking.ReviewItem {
	return tracking.ReviewItem{QuestionKey: r.QuestionKey, Step: r.Step, CorrectStreak: r.CorrectStreak, Due: r.DueAt.UTC(), Retired: r.Retired}
}

// ReviewItems is a person's whole review queue, retired questions included; pick the ones to
// draw with tracking.DueItems.
func (s *Store) ReviewItems(ctx context.Context, userID int64) ([]tracking.ReviewItem, error) {
	var rows []reviewRow
	if err := s.r.WithContext(ctx).Raw(`SELECT question_key, step, correct_streak, due_at, retired FROM review_items
		WHERE user_id = ? ORDER BY due_at, question_key`, userID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]tracking.ReviewItem, len(rows))
	for i, r := range rows {
		out[i] = r.item()
	}
	return out, nil
}

// SeenProgrammeQuestions is every question the person was shown in any attempt at the
// programme's assessment, in every period, so a refresher prefers questions not seen before.
func (s *Store) SeenProgrammeQuestions(ctx context.Context, userID int64, slug string) (map[string]bool, error) {
	var keys []string
	err := s.r.WithContext(ctx).Raw(`SELECT DISTINCT i.question_key FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id
		WHERE a.user_id = ? AND (a.quiz = ? OR a.quiz LIKE ?)`, userID, ProgrammeQuiz(slug, ""), ProgrammeQuiz(slug, "")+":%").Scan(&keys).Error
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		seen[k] = true
	}
	return seen, err
}
