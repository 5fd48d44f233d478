package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/roleplay"
	"aftercare/tracking"
)

// Role-play drills: a supervisor books a drill for a trainee on a scenario, runs it, scores
// each criterion of the scenario's rubric and releases the result (roleplay's marking
// workflow). A drill may be rated by a second supervisor independently for calibration; the
// drill's own result is always the primary rater's (the one who ran it). Every change to a
// score, and every change of state, is written to the audit log in the same transaction.

type drillRow struct {
	ID          int64
	TraineeID   int64
	Scenario    string
	State       string
	Pass        int
	Calibrate   bool
	RaterID     int64
	CreatedBy   int64
	CreatedAt   time.Time
	ScheduledAt sql.NullTime
	StartedAt   sql.NullTime
	SubmittedAt sql.NullTime
	ReleasedAt  sql.NullTime
	Score       sql.NullFloat64
	Passed      bool
}

type ratingRow struct {
	ID          int64
	DrillID     int64
	RaterID     int64
	State       string
	Notes       string
	Score       sql.NullFloat64
	Passed      bool
	StartedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt sql.NullTime
}

type scoreRow struct {
	RatingID  int64
	Criterion string
	Score     sql.NullInt64
	Comment   string
}

// The states of one rater's rating, as stored.
const (
	ratingDraft     = "draft"
	ratingSubmitted = "submitted"
)

// Drill is a role-play drill with its ratings, as the web layer shows it. Score and Passed
// are the primary rater's result and mean something only when Scored (the primary rating was
// submitted); the trainee sees them once State is roleplay.Released.
type Drill struct {
	ID        int64
	Trainee   accounts.User
	Scenario  string
	State     roleplay.State
	Pass      int
	Calibrate bool
	// RaterID is the primary rater: the supervisor who runs the drill and whose rating
	// becomes the drill's result.
	RaterID     int64
	RaterName   string
	CreatedBy   int64
	CreatedAt   time.Time
	ScheduledAt time.Time
	StartedAt   time.Time
	SubmittedAt time.Time
	ReleasedAt  time.Time
	Score       float64
	Scored      bool
	Passed      bool
	// Ratings are the primary rating and, for a calibration drill, the second one, in the
	// order they were started.
	Ratings []Rating
}

// Rating is one rater's scores of a drill: a level score and a comment per criterion and
// overall notes. A draft may leave criteria unscored; a submitted rating scores them all,
// and only then are Score and Passed (computed on the server with roleplay.Rubric.Score) set.
type Rating struct {
	ID          int64
	RaterID     int64
	RaterName   string
	Submitted   bool
	Notes       string
	Score       float64
	Scored      bool
	Passed      bool
	Scores      map[string]int
	Comments    map[string]string
	StartedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt time.Time
}

// Rating returns the rating of the given rater, if they have one.
func (d Drill) Rating(raterID int64) (Rating, bool) {
	for _, r := range d.Ratings {
		if r.RaterID == raterID {
			return r, true
		}
	}
	return Rating{}, false
}

// Primary returns the primary rater's rating, the one that becomes the drill's result.
func (d Drill) Primary() (Rating, bool) { return d.Rating(d.RaterID) }

// SubmittedRatings counts the ratings that are submitted: a calibration drill is complete
// when two are, and only then may the raters see each other's scores.
func (d Drill) SubmittedRatings() int {
	n := 0
	for _, r := range d.Ratings {
		if r.Submitted {
			n++
		}
	}
	return n
}

// CalibrationPending reports whether a calibration drill still waits for one of its two
// independent ratings; while it does, no rater may see another's scores.
func (d Drill) CalibrationPending() bool { return d.Calibrate && d.SubmittedRatings() < 2 }

// NewDrill is what a supervisor books: whom, on which scenario, when, and whether a second
// supervisor should rate it independently. Pass is the scenario's pass mark, fixed when the
// drill is booked so a later content change does not change a result.
type NewDrill struct {
	TraineeID   int64
	Scenario    string
	Pass        int
	RaterID     int64
	ScheduledAt time.Time
	Calibrate   bool
	// StartNow books and starts the drill in one step, for a drill run on the spot.
	StartNow bool
}

// RatingInput is a rating form as submitted: level scores of the criteria scored so far
// (keyed by criterion key), a comment per criterion and overall notes.
type RatingInput struct {
	Scores   map[string]int
	Comments map[string]string
	Notes    string
}

// conflict marks a workflow refusal (roleplay.ErrTransition) or a state clash as
// failure.ErrConflict, which the web layer answers with 409, keeping the cause for the log.
func conflict(err error) error { return fmt.Errorf("%w: %w", failure.ErrConflict, err) }

// CreateDrill books a drill and, with StartNow, starts it at once, in one transaction. The
// caller has checked that the rater may drill this trainee.
func (s *Store) CreateDrill(ctx context.Context, n NewDrill) (int64, error) {
	var id int64
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		row := drillRow{TraineeID: n.TraineeID, Scenario: n.Scenario, State: string(roleplay.Scheduled), Pass: n.Pass,
			Calibrate: n.Calibrate, RaterID: n.RaterID, CreatedBy: n.RaterID, CreatedAt: now}
		if !n.ScheduledAt.IsZero() {
			row.ScheduledAt = sql.NullTime{Time: n.ScheduledAt.UTC(), Valid: true}
		}
		if err := tx.Table("drills").Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		if err := audit(tx, now, AuditEntry{ActorID: n.RaterID, Action: "drill.create", Object: drillObject(id),
			After: fmt.Sprintf("scenario=%s trainee=%d calibrate=%v", n.Scenario, n.TraineeID, n.Calibrate)}); err != nil {
			return err
		}
		if n.StartNow {
			return startDrill(tx, now, id, n.RaterID)
		}
		return nil
	})
	return id, err
}

func drillObject(id int64) string { return "drill:" + strconv.FormatInt(id, 10) }

// StartDrill moves a scheduled drill to in progress (roleplay.Start) and makes the actor its
// primary rater, with an empty draft rating. Starting a drill that is not scheduled is
// failure.ErrConflict.
func (s *Store) StartDrill(ctx context.Context, drillID, actorID int64) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return startDrill(tx, s.Now(), drillID, actorID)
	})
}

func startDrill(tx *gorm.DB, now time.Time, drillID, actorID int64) error {
	row, err := loadDrillRow(tx, drillID)
	if err != nil {
		return err
	}
	to, err := roleplay.Next(roleplay.State(row.State), roleplay.Start)
	if err != nil {
		return conflict(err)
	}
	if err := tx.Exec("UPDATE drills SET state = ?, rater_id = ?, started_at = ? WHERE id = ?", string(to), actorID, now, drillID).Error; err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO drill_ratings (drill_id, rater_id, state, started_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(drill_id, rater_id) DO NOTHING`, drillID, actorID, ratingDraft, now, now).Error; err != nil {
		return err
	}
	return audit(tx, now, AuditEntry{ActorID: actorID, Action: "drill.start", Object: drillObject(drillID), Before: row.State, After: string(to)})
}

// loadDrillRow loads a drill for a change: on PostgreSQL it locks the row first, so two
// changes of one drill (two instances, two raters) happen one after the other.
func loadDrillRow(db *gorm.DB, id int64) (drillRow, error) {
	if err := lockRow(db, "drills", id); err != nil {
		return drillRow{}, err
	}
	var row drillRow
	err := db.Table("drills").Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, failure.ErrNotFound
	}
	return row, err
}

// SaveRating stores the actor's rating of a drill as a draft or, with submit, as final, in one
// immediate transaction that also appends the change of scores to the audit log.
//
// The primary rater's rating follows the drill's workflow: Save and Submit are allowed only
// while the drill is in progress, and submitting moves the drill to submitted with the
// weighted score and pass decision computed here (never taken from the form). Anyone else may
// add the second, independent rating of a calibration drill once it has started: at most two
// ratings per drill, one per rater (a UNIQUE constraint), and a submitted second rating is
// final. Scores that are not one of a criterion's levels, or a submit that leaves a criterion
// unscored, come back as failure.Fields keyed "score-<criterion>"; a rating the workflow does
// not allow is failure.ErrConflict, and rating a drill that takes no second rating is
// failure.ErrForbidden.
func (s *Store) SaveRating(ctx context.Context, drillID, actorID int64, rubric roleplay.Rubric, in RatingInput, submit bool) error {
	if err := checkLevels(rubric, in.Scores); err != nil {
		return err
	}
	var score float64
	if submit {
		var err error
		if score, err = rubric.Score(in.Scores); err != nil {
			var se *roleplay.ScoreError
			if errors.As(err, &se) {
				return failure.Fields{"score-" + se.Key: "提交前请为这一项评分"}
			}
			return err
		}
	}
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		row, err := loadDrillRow(tx, drillID)
		if err != nil {
			return err
		}
		ratings, err := loadRatings(tx, []int64{drillID})
		if err != nil {
			return err
		}
		var mine *ratingRow
		for i := range ratings {
			if ratings[i].RaterID == actorID {
				mine = &ratings[i]
			}
		}
		primary := row.RaterID == actorID
		drillTo := roleplay.State(row.State)
		switch {
		case primary:
			action := roleplay.Save
			if submit {
				action = roleplay.Submit
			}
			if drillTo, err = roleplay.Next(roleplay.State(row.State), action); err != nil {
				return conflict(err)
			}
		case !row.Calibrate:
			return failure.ErrForbidden
		case row.State == string(roleplay.Scheduled):
			return conflict(errors.New("a second rating needs a drill that has started"))
		case mine == nil && len(ratings) >= 2:
			return conflict(errors.New("the drill already has two ratings"))
		}
		if mine != nil && mine.State == ratingSubmitted {
			return conflict(errors.New("the rating is already submitted"))
		}
		before := "(none)"
		if mine == nil {
			res := tx.Exec("INSERT INTO drill_ratings (drill_id, rater_id, state, started_at, updated_at) VALUES (?, ?, ?, ?, ?)",
				drillID, actorID, ratingDraft, now, now)
			if res.Error != nil {
				return res.Error
			}
			var id int64
			if err := tx.Raw("SELECT id FROM drill_ratings WHERE drill_id = ? AND rater_id = ?", drillID, actorID).Scan(&id).Error; err != nil {
				return err
			}
			mine = &ratingRow{ID: id, DrillID: drillID, RaterID: actorID, State: ratingDraft}
		} else {
			old, err := loadScores(tx, []int64{mine.ID})
			if err != nil {
				return err
			}
			before = scoresText(rubric, scoreMap(old[mine.ID]), mine.Score)
		}
		// Every column is written explicitly, so a score of 0 is stored as 0.
		if err := tx.Exec("DELETE FROM drill_scores WHERE rating_id = ?", mine.ID).Error; err != nil {
			return err
		}
		for _, c := range rubric {
			var v any
			if sc, ok := in.Scores[c.Key]; ok {
				v = sc
			}
			if err := tx.Exec("INSERT INTO drill_scores (rating_id, criterion, score, comment) VALUES (?, ?, ?, ?)",
				mine.ID, c.Key, v, strings.TrimSpace(in.Comments[c.Key])).Error; err != nil {
				return err
			}
		}
		var newScore sql.NullFloat64
		passed := false
		state := ratingDraft
		var submittedAt any
		if submit {
			newScore = sql.NullFloat64{Float64: score, Valid: true}
			passed = roleplay.Passed(score, row.Pass)
			state, submittedAt = ratingSubmitted, now
		}
		if err := tx.Exec("UPDATE drill_ratings SET state = ?, notes = ?, score = ?, passed = ?, updated_at = ?, submitted_at = ? WHERE id = ?",
			state, strings.TrimSpace(in.Notes), newScore, passed, now, submittedAt, mine.ID).Error; err != nil {
			return err
		}
		if primary && drillTo != roleplay.State(row.State) {
			if err := tx.Exec("UPDATE drills SET state = ?, score = ?, passed = ?, submitted_at = ? WHERE id = ?",
				string(drillTo), newScore, passed, submittedAt, drillID).Error; err != nil {
				return err
			}
		}
		after := scoresText(rubric, in.Scores, newScore)
		if before == after && !submit {
			return nil // only comments or notes changed: no score changed
		}
		action := "drill.rating.save"
		if submit {
			action = "drill.rating.submit"
		}
		return audit(tx, now, AuditEntry{ActorID: actorID, Action: action,
			Object: drillObject(drillID) + "/rater:" + strconv.FormatInt(actorID, 10), Before: before, After: after})
	})
}

// checkLevels refuses a score that is not one of its criterion's levels, or a criterion the
// rubric does not have, with a message for that criterion's field.
func checkLevels(rubric roleplay.Rubric, scores map[string]int) error {
	f := failure.Fields{}
	for key, v := range scores {
		i := slices.IndexFunc(rubric, func(c roleplay.Criterion) bool { return c.Key == key })
		if i < 0 {
			f.Add("score-"+key, "评分表中没有这一项")
			continue
		}
		if !slices.ContainsFunc(rubric[i].Levels, func(l roleplay.Level) bool { return l.Score == v }) {
			f.Add("score-"+key, "请选择评分表中的一个等级")
		}
	}
	return f.Err()
}

// scoresText is a rating's scores in rubric order for the audit log: "listening=2
// no-arguing=- … total=72.50" ("-" for unscored).
func scoresText(rubric roleplay.Rubric, scores map[string]int, total sql.NullFloat64) string {
	parts := make([]string, 0, len(rubric)+1)
	for _, c := range rubric {
		v := "-"
		if sc, ok := scores[c.Key]; ok {
			v = strconv.Itoa(sc)
		}
		parts = append(parts, c.Key+"="+v)
	}
	if total.Valid {
		parts = append(parts, fmt.Sprintf("total=%.2f", total.Float64))
	}
	return strings.Join(parts, " ")
}

func scoreMap(rows []scoreRow) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		if r.Score.Valid {
			m[r.Criterion] = int(r.Score.Int64)
		}
	}
	return m
}

// ReleaseDrill shows a submitted drill's result to the trainee (roleplay.Release).
func (s *Store) ReleaseDrill(ctx context.Context, drillID, actorID int64) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		row, err := loadDrillRow(tx, drillID)
		if err != nil {
			return err
		}
		to, err := roleplay.Next(roleplay.State(row.State), roleplay.Release)
		if err != nil {
			return conflict(err)
		}
		if err := tx.Exec("UPDATE drills SET state = ?, released_at = ? WHERE id = ?", string(to), now, drillID).Error; err != nil {
			return err
		}
		return audit(tx, now, AuditEntry{ActorID: actorID, Action: "drill.release", Object: drillObject(drillID),
			Before: row.State + " " + resultText(row), After: string(to) + " " + resultText(row)})
	})
}

func resultText(row drillRow) string {
	if !row.Score.Valid {
		return "unscored"
	}
	return scoreText(row.Score.Float64, row.Passed)
}

// ReopenDrill takes a submitted or released drill back to in progress (roleplay.Reopen) so
// its primary rater can correct the scores: the primary rating becomes a draft again and the
// drill's result is withdrawn. from is the state the caller authorised the reopen for (a
// rater may reopen a submitted drill, only an admin a released one); if the drill has moved
// on since, the reopen is failure.ErrConflict.
func (s *Store) ReopenDrill(ctx context.Context, drillID, actorID int64, from roleplay.State) error {
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		row, err := loadDrillRow(tx, drillID)
		if err != nil {
			return err
		}
		if roleplay.State(row.State) != from {
			return conflict(fmt.Errorf("drill is %s, not %s", row.State, from))
		}
		to, err := roleplay.Next(from, roleplay.Reopen)
		if err != nil {
			return conflict(err)
		}
		if err := tx.Exec("UPDATE drills SET state = ?, score = NULL, passed = FALSE, submitted_at = NULL, released_at = NULL WHERE id = ?",
			string(to), drillID).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE drill_ratings SET state = ?, score = NULL, passed = FALSE, submitted_at = NULL, updated_at = ? WHERE drill_id = ? AND rater_id = ?",
			ratingDraft, now, drillID, row.RaterID).Error; err != nil {
			return err
		}
		return audit(tx, now, AuditEntry{ActorID: actorID, Action: "drill.reopen", Object: drillObject(drillID),
			Before: row.State + " " + resultText(row), After: string(to) + " unscored"})
	})
}

// Drill loads a drill with its trainee and ratings; a missing drill is failure.ErrNotFound.
// Callers check who may see it (accounts.User.CanSee on the trainee).
func (s *Store) Drill(ctx context.Context, id int64) (Drill, error) {
	ds, err := s.drills(ctx, s.r.WithContext(ctx).Table("drills d").Where("d.id = ?", id))
	if err != nil {
		return Drill{}, err
	}
	if len(ds) == 0 {
		return Drill{}, failure.ErrNotFound
	}
	return ds[0], nil
}

// scoped restricts a drills query to the trainees of a store (shopID 0: every store).
func scoped(q *gorm.DB, shopID int64) *gorm.DB {
	q = q.Joins("JOIN users u ON u.id = d.trainee_id")
	if shopID != 0 {
		q = q.Where("u.shop_id = ?", shopID)
	}
	return q
}

// DrillQueue lists the drills in scope (shopID 0: every store) that still need a supervisor:
// not yet released, or a calibration drill whose two ratings are not both submitted. Oldest
// booking first; the web layer sorts and splits it into the grading queue's sections.
func (s *Store) DrillQueue(ctx context.Context, shopID int64) ([]Drill, error) {
	q := scoped(s.r.WithContext(ctx).Table("drills d"), shopID).
		Where(`d.state <> 'released' OR (d.calibrate AND
			(SELECT COUNT(*) FROM drill_ratings r WHERE r.drill_id = d.id AND r.state = 'submitted') < 2)`).
		Order("COALESCE(d.scheduled_at, d.created_at), d.id")
	return s.drills(ctx, q)
}

// ReleasedDrills lists the most recently released drills in scope, newest first.
func (s *Store) ReleasedDrills(ctx context.Context, shopID int64, limit int) ([]Drill, error) {
	q := scoped(s.r.WithContext(ctx).Table("drills d"), shopID).
		Where("d.state = 'released'").Order("d.released_at DESC, d.id DESC").Limit(limit)
	return s.drills(ctx, q)
}

// TraineeDrills lists a trainee's drills, oldest first, for their history and progress chart.
func (s *Store) TraineeDrills(ctx context.Context, traineeID int64) ([]Drill, error) {
	q := s.r.WithContext(ctx).Table("drills d").Where("d.trainee_id = ?", traineeID).
		Order("COALESCE(d.scheduled_at, d.created_at), d.id")
	return s.drills(ctx, q)
}

// DoubleRatedDrills lists the drills in scope that two raters have both rated and submitted,
// oldest first: the material of calibration (rater agreement).
func (s *Store) DoubleRatedDrills(ctx context.Context, shopID int64) ([]Drill, error) {
	q := scoped(s.r.WithContext(ctx).Table("drills d"), shopID).
		Where("(SELECT COUNT(*) FROM drill_ratings r WHERE r.drill_id = d.id AND r.state = 'submitted') >= 2").
		Order("d.id")
	return s.drills(ctx, q)
}

// drills runs a query on "drills d" and loads the drills with their trainees and ratings: one
// query for the drills, one for the ratings, one for the scores.
func (s *Store) drills(ctx context.Context, q *gorm.DB) ([]Drill, error) {
	var rows []drillRow
	if err := q.Select("d.*").Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	db := s.r.WithContext(ctx)
	ratings, err := loadRatings(db, ids)
	if err != nil {
		return nil, err
	}
	ratingIDs := make([]int64, len(ratings))
	for i, r := range ratings {
		ratingIDs[i] = r.ID
	}
	scores, err := loadScores(db, ratingIDs)
	if err != nil {
		return nil, err
	}
	users := map[int64]accounts.User{}
	user := func(id int64) (accounts.User, error) {
		if u, ok := users[id]; ok {
			return u, nil
		}
		u, err := s.UserByID(ctx, id)
		if err != nil {
			return u, err
		}
		users[id] = u
		return u, nil
	}
	byDrill := map[int64][]Rating{}
	for _, r := range ratings {
		rater, err := user(r.RaterID)
		if err != nil {
			return nil, err
		}
		rt := Rating{ID: r.ID, RaterID: r.RaterID, RaterName: rater.Name, Submitted: r.State == ratingSubmitted, Notes: r.Notes,
			Score: r.Score.Float64, Scored: r.Score.Valid, Passed: r.Passed, Scores: map[string]int{}, Comments: map[string]string{},
			StartedAt: r.StartedAt, UpdatedAt: r.UpdatedAt, SubmittedAt: r.SubmittedAt.Time}
		for _, sc := range scores[r.ID] {
			if sc.Score.Valid {
				rt.Scores[sc.Criterion] = int(sc.Score.Int64)
			}
			if sc.Comment != "" {
				rt.Comments[sc.Criterion] = sc.Comment
			}
		}
		byDrill[r.DrillID] = append(byDrill[r.DrillID], rt)
	}
	out := make([]Drill, 0, len(rows))
	for _, r := range rows {
		trainee, err := user(r.TraineeID)
		if err != nil {
			return nil, err
		}
		rater, err := user(r.RaterID)
		if err != nil {
			return nil, err
		}
		out = append(out, Drill{ID: r.ID, Trainee: trainee, Scenario: r.Scenario, State: roleplay.State(r.State), Pass: r.Pass,
			Calibrate: r.Calibrate, RaterID: r.RaterID, RaterName: rater.Name, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
			ScheduledAt: r.ScheduledAt.Time, StartedAt: r.StartedAt.Time, SubmittedAt: r.SubmittedAt.Time, ReleasedAt: r.ReleasedAt.Time,
			Score: r.Score.Float64, Scored: r.Score.Valid, Passed: r.Passed, Ratings: byDrill[r.ID]})
	}
	return out, nil
}

func loadRatings(db *gorm.DB, drillIDs []int64) ([]ratingRow, error) {
	var rows []ratingRow
	err := db.Table("drill_ratings").Where("drill_id IN ?", drillIDs).Order("started_at, id").Find(&rows).Error
	return rows, err
}

func loadScores(db *gorm.DB, ratingIDs []int64) (map[int64][]scoreRow, error) {
	out := map[int64][]scoreRow{}
	if len(ratingIDs) == 0 {
		return out, nil
	}
	var rows []scoreRow
	if err := db.Table("drill_scores").Where("rating_id IN ?", ratingIDs).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.RatingID] = append(out[r.RatingID], r)
	}
	return out, nil
}

// PracticeSession is one self-practice run through a scenario's dialogue. Path is the
// choices made (one index per node passed); points and the transcript are always recomputed
// from it with roleplay.Dialogue.Play. Points and MaxPoints are stored when the run ends.
// ActiveSeconds is the time spent between steps by tracking's seat rules (long idle gaps do
// not count), the practice time credited.
type PracticeSession struct {
	ID            int64
	UserID        int64
	Scenario      string
	Path          []int
	StartedAt     time.Time
	LastAt        time.Time
	FinishedAt    time.Time
	Finished      bool
	ActiveSeconds int
	Points        int
	MaxPoints     int
}

type practiceRow struct {
	ID            int64
	UserID        int64
	Scenario      string
	Path          string
	StartedAt     time.Time
	LastAt        time.Time
	FinishedAt    sql.NullTime
	ActiveSeconds int
	Points        sql.NullInt64
	MaxPoints     sql.NullInt64
}

func (r practiceRow) session() (PracticeSession, error) {
	p := PracticeSession{ID: r.ID, UserID: r.UserID, Scenario: r.Scenario, StartedAt: r.StartedAt, LastAt: r.LastAt,
		FinishedAt: r.FinishedAt.Time, Finished: r.FinishedAt.Valid, ActiveSeconds: r.ActiveSeconds,
		Points: int(r.Points.Int64), MaxPoints: int(r.MaxPoints.Int64)}
	if err := json.Unmarshal([]byte(r.Path), &p.Path); err != nil {
		return p, fmt.Errorf("practice %d path: %w", r.ID, err)
	}
	return p, nil
}

// StartPractice opens a new practice run of a scenario's dialogue for the user.
func (s *Store) StartPractice(ctx context.Context, userID int64, scenario string) (int64, error) {
	now := s.Now()
	row := practiceRow{UserID: userID, Scenario: scenario, Path: "[]", StartedAt: now, LastAt: now}
	err := s.w.WithContext(ctx).Table("practice_sessions").Create(&row).Error
	return row.ID, err
}

// Practice loads a practice run; a missing one is failure.ErrNotFound. Callers check who may
// see it.
func (s *Store) Practice(ctx context.Context, id int64) (PracticeSession, error) {
	return loadPractice(s.w.WithContext(ctx), id)
}

func loadPractice(db *gorm.DB, id int64) (PracticeSession, error) {
	var row practiceRow
	err := db.Table("practice_sessions").Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return PracticeSession{}, failure.ErrNotFound
	} else if err != nil {
		return PracticeSession{}, err
	}
	return row.session()
}

// ChoosePractice records the user's choice at step (the number of choices made so far) of
// their practice run and credits the active time since their previous step by rules. The
// extended path is replayed with d.Play in the transaction; an invalid choice is an error
// wrapping roleplay.ErrPath and changes nothing. When the path reaches an ending, the run is
// finished with the points Play computed. A choice for a step already taken (a double click,
// a replayed form) or on a finished run changes nothing, so each step counts once. Only the
// run's owner may choose; anyone else gets failure.ErrNotFound.
func (s *Store) ChoosePractice(ctx context.Context, id, userID int64, step, choice int, d *roleplay.Dialogue, rules tracking.SeatRules) (PracticeSession, error) {
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockRow(tx, "practice_sessions", id); err != nil {
			return err
		}
		p, err := loadPractice(tx, id)
		switch {
		case err != nil:
			return err
		case p.UserID != userID:
			return failure.ErrNotFound
		case p.Finished || step != len(p.Path):
			return nil
		}
		path := append(slices.Clone(p.Path), choice)
		play, err := d.Play(path)
		if err != nil {
			return err
		}
		now := s.Now()
		credit := int(rules.Credit(p.LastAt, now, time.Duration(p.ActiveSeconds)*time.Second, 0) / time.Second)
		b, _ := json.Marshal(path)
		if err := tx.Exec("UPDATE practice_sessions SET path = ?, last_at = ?, active_seconds = active_seconds + ? WHERE id = ?",
			string(b), now, credit, id).Error; err != nil {
			return err
		}
		if !play.Ended {
			return nil
		}
		return tx.Exec("UPDATE practice_sessions SET finished_at = ?, points = ?, max_points = ? WHERE id = ?",
			now, play.Points, d.MaxPoints(), id).Error
	})
	if err != nil {
		return PracticeSession{}, err
	}
	return s.Practice(ctx, id)
}

// PracticeSessions lists a person's practice runs, newest first.
func (s *Store) PracticeSessions(ctx context.Context, userID int64) ([]PracticeSession, error) {
	var rows []practiceRow
	if err := s.r.WithContext(ctx).Table("practice_sessions").Where("user_id = ?", userID).Order("started_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]PracticeSession, 0, len(rows))
	for _, r := range rows {
		p, err := r.session()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// PracticeTime is a person's total active self-practice time, which counts toward their
// practice hours.
func (s *Store) PracticeTime(ctx context.Context, userID int64) (time.Duration, error) {
	var secs int64
	err := s.r.WithContext(ctx).Raw("SELECT COALESCE(SUM(active_seconds), 0) FROM practice_sessions WHERE user_id = ?", userID).Scan(&secs).Error
	return time.Duration(secs) * time.Second, err
}
