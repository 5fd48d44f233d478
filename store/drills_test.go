package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/roleplay"
	"aftercare/tracking"
)

// levels0to3 is a four-level scale, scores 0 to 3.
var levels0to3 = []roleplay.Level{{Score: 0, Description: "a"}, {Score: 1, Description: "b"}, {Score: 2, Description: "c"}, {Score: 3, Description: "d"}}

// testRubric has two criteria on a 0–3 scale, weighted 60/40.
var testRubric = roleplay.Rubric{
	{Key: "listening", Title: "倾听", Weight: 60, Levels: levels0to3},
	{Key: "policy", Title: "政策", Weight: 40, Levels: levels0to3},
}

// drillPeople creates two stores with a trainee and a supervisor each, a second supervisor
// in store 001, and an admin.
func drillPeople(t *testing.T, st *Store) map[string]accounts.User {
	t.Helper()
	ctx := context.Background()
	st.EnsureShop(ctx, "001", "一店")
	st.EnsureShop(ctx, "002", "二店")
	out := map[string]accounts.User{}
	for _, n := range []accounts.NewUser{
		{Login: "t1", Name: "学员一", Role: accounts.Trainee, ShopCode: "001"},
		{Login: "t2", Name: "学员二", Role: accounts.Trainee, ShopCode: "002"},
		{Login: "s1", Name: "主管一", Role: accounts.Supervisor, ShopCode: "001"},
		{Login: "s1b", Name: "主管一乙", Role: accounts.Supervisor, ShopCode: "001"},
		{Login: "s2", Name: "主管二", Role: accounts.Supervisor, ShopCode: "002"},
		{Login: "boss", Name: "管理员", Role: accounts.Admin},
	} {
		u, err := st.CreateUser(ctx, n, "x")
		if err != nil {
			t.Fatal(err)
		}
		out[n.Login] = u
	}
	return out
}

func auditActions(t *testing.T, st *Store) []string {
	t.Helper()
	log, err := st.AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(log) - 1; i >= 0; i-- {
		if strings.HasPrefix(log[i].Action, "drill.") {
			out = append(out, log[i].Action+" "+log[i].Before+" -> "+log[i].After)
		}
	}
	return out
}

func TestDrillWorkflowScoresOnTheServerAndAuditsEveryChange(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	who := drillPeople(t, st)
	id, err := st.CreateDrill(ctx, NewDrill{TraineeID: who["t1"].ID, Scenario: "tiles", Pass: 60, RaterID: who["s1"].ID})
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.Drill(ctx, id)
	if err != nil || d.State != roleplay.Scheduled || d.Trainee.Login != "t1" || d.RaterName != "主管一" || len(d.Ratings) != 0 {
		t.Fatalf("new drill: %+v, %v", d, err)
	}
	// Rating before the drill starts is refused by the workflow.
	if err := st.SaveRating(ctx, id, who["s1"].ID, testRubric, RatingInput{}, false); !errors.Is(err, failure.ErrConflict) || !errors.Is(err, roleplay.ErrTransition) {
		t.Fatalf("save while scheduled: %v, want a conflict", err)
	}
	if err := st.StartDrill(ctx, id, who["s1"].ID); err != nil {
		t.Fatal(err)
	}
	if err := st.StartDrill(ctx, id, who["s1"].ID); !errors.Is(err, failure.ErrConflict) {
		t.Fatalf("second start: %v, want a conflict", err)
	}
	// A draft with a 0 keeps the 0 (not dropped as a zero value) and no total.
	in := RatingInput{Scores: map[string]int{"listening": 0}, Comments: map[string]string{"listening": " 打断了顾客 "}, Notes: "草稿"}
	if err := st.SaveRating(ctx, id, who["s1"].ID, testRubric, in, false); err != nil {
		t.Fatal(err)
	}
	d, _ = st.Drill(ctx, id)
	r, ok := d.Primary()
	if !ok || r.Submitted || r.Scored || d.State != roleplay.InProgress {
		t.Fatalf("after draft: %+v in state %s", r, d.State)
	}
	if v, ok := r.Scores["listening"]; !ok || v != 0 || r.Comments["listening"] != "打断了顾客" || r.Notes != "草稿" {
		t.Fatalf("draft scores %v comments %v notes %q", r.Scores, r.Comments, r.Notes)
	}
	if _, ok := r.Scores["policy"]; ok {
		t.Fatal("an unscored criterion came back scored")
	}
	// A level that does not exist and a submit with a criterion left out are field errors.
	var fields failure.Fields
	err = st.SaveRating(ctx, id, who["s1"].ID, testRubric, RatingInput{Scores: map[string]int{"listening": 7}}, false)
	if !errors.As(err, &fields) || fields["score-listening"] == "" {
		t.Fatalf("level 7: %v", err)
	}
	err = st.SaveRating(ctx, id, who["s1"].ID, testRubric, RatingInput{Scores: map[string]int{"listening": 3}}, true)
	if !errors.As(err, &fields) || fields["score-policy"] == "" {
		t.Fatalf("submit without policy: %v", err)
	}
	// Submit: 60×3/3 + 40×0/3 = 60, exactly the pass mark, so passed.
	in = RatingInput{Scores: map[string]int{"listening": 3, "policy": 0}, Notes: "整体不错"}
	if err := st.SaveRating(ctx, id, who["s1"].ID, testRubric, in, true); err != nil {
		t.Fatal(err)
	}
	d, _ = st.Drill(ctx, id)
	if d.State != roleplay.Submitted || !d.Scored || d.Score != 60 || !d.Passed {
		t.Fatalf("submitted drill: state %s score %v (%v) passed %v", d.State, d.Score, d.Scored, d.Passed)
	}
	if r, _ := d.Primary(); !r.Submitted || r.Score != 60 || r.Scores["policy"] != 0 {
		t.Fatalf("submitted rating %+v", r)
	}
	if err := st.SaveRating(ctx, id, who["s1"].ID, testRubric, in, false); !errors.Is(err, failure.ErrConflict) {
		t.Fatalf("saving a submitted rating: %v", err)
	}
	if err := st.ReleaseDrill(ctx, id, who["s1"].ID); err != nil {
		t.Fatal(err)
	}
	if err := st.ReleaseDrill(ctx, id, who["s1"].ID); !errors.Is(err, failure.ErrConflict) {
		t.Fatalf("second release: %v", err)
	}
	// Reopening checks the state the caller authorised.
	if err := st.ReopenDrill(ctx, id, who["boss"].ID, roleplay.Submitted); !errors.Is(err, failure.ErrConflict) {
		t.Fatalf("reopen from a stale state: %v", err)
	}
	if err := st.ReopenDrill(ctx, id, who["boss"].ID, roleplay.Released); err != nil {
		t.Fatal(err)
	}
	d, _ = st.Drill(ctx, id)
	if r, _ := d.Primary(); d.State != roleplay.InProgress || d.Scored || r.Submitted || r.Scores["listening"] != 3 {
		t.Fatalf("reopened: state %s scored %v rating %+v", d.State, d.Scored, r)
	}
	// Correct to zero and submit again: 0 % sticks and fails.
	if err := st.SaveRating(ctx, id, who["s1"].ID, testRubric, RatingInput{Scores: map[string]int{"listening": 0, "policy": 0}}, true); err != nil {
		t.Fatal(err)
	}
	d, _ = st.Drill(ctx, id)
	if !d.Scored || d.Score != 0 || d.Passed {
		t.Fatalf("regraded to zero: %v (%v) passed %v", d.Score, d.Scored, d.Passed)
	}
	want := []string{
		"drill.create  -> scenario=tiles trainee=1 calibrate=false",
		"drill.start scheduled -> in_progress",
		"drill.rating.save listening=- policy=- -> listening=0 policy=-",
		"drill.rating.submit listening=0 policy=- -> listening=3 policy=0 total=60.00",
		"drill.release submitted 60.00% passed=true -> released 60.00% passed=true",
		"drill.reopen released 60.00% passed=true -> in_progress unscored",
		"drill.rating.submit listening=3 policy=0 -> listening=0 policy=0 total=0.00",
	}
	if got := auditActions(t, st); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSecondRatingsAndScope(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	who := drillPeople(t, st)
	plain, _ := st.CreateDrill(ctx, NewDrill{TraineeID: who["t1"].ID, Scenario: "tiles", Pass: 60, RaterID: who["s1"].ID, StartNow: true})
	calib, _ := st.CreateDrill(ctx, NewDrill{TraineeID: who["t1"].ID, Scenario: "tiles", Pass: 60, RaterID: who["s1"].ID, Calibrate: true})
	other, _ := st.CreateDrill(ctx, NewDrill{TraineeID: who["t2"].ID, Scenario: "gold", Pass: 60, RaterID: who["s2"].ID, StartNow: true})
	full := RatingInput{Scores: map[string]int{"listening": 2, "policy": 1}}

	if d, _ := st.Drill(ctx, plain); d.State != roleplay.InProgress || len(d.Ratings) != 1 {
		t.Fatalf("booked and started at once: %s with %d ratings", d.State, len(d.Ratings))
	}
	if err := st.SaveRating(ctx, plain, who["s1b"].ID, testRubric, full, false); !errors.Is(err, failure.ErrForbidden) {
		t.Fatalf("second rating of a drill without calibration: %v", err)
	}
	if err := st.SaveRating(ctx, calib, who["s1b"].ID, testRubric, full, false); !errors.Is(err, failure.ErrConflict) {
		t.Fatalf("second rating before the drill started: %v", err)
	}
	if err := st.StartDrill(ctx, calib, who["s1"].ID); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveRating(ctx, calib, who["s1b"].ID, testRubric, full, true); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveRating(ctx, calib, who["boss"].ID, testRubric, full, false); !errors.Is(err, failure.ErrConflict) {
		t.Fatalf("a third rating: %v", err)
	}
	if err := st.SaveRating(ctx, calib, who["s1b"].ID, testRubric, full, true); !errors.Is(err, failure.ErrConflict) {
		t.Fatalf("changing a submitted second rating: %v", err)
	}
	d, _ := st.Drill(ctx, calib)
	if d.State != roleplay.InProgress || d.Scored || !d.CalibrationPending() || d.SubmittedRatings() != 1 {
		t.Fatalf("a second rating does not move the drill: %s scored %v pending %v", d.State, d.Scored, d.CalibrationPending())
	}
	if r, ok := d.Rating(who["s1b"].ID); !ok || !r.Submitted || r.Score != 60*2/3.0+40*1/3.0 {
		t.Fatalf("second rating %+v", r)
	}

	queue, err := st.DrillQueue(ctx, who["s1"].ShopID)
	if err != nil || len(queue) != 2 || queue[0].ID != plain || queue[1].ID != calib {
		t.Fatalf("store 001 queue: %v, %v", ids(queue), err)
	}
	all, _ := st.DrillQueue(ctx, 0)
	none, _ := st.DrillQueue(ctx, -1)
	if len(all) != 3 || len(none) != 0 {
		t.Fatalf("queue of every store %v, of no store %v", ids(all), ids(none))
	}
	if double, _ := st.DoubleRatedDrills(ctx, 0); len(double) != 0 {
		t.Fatalf("double-rated before both submitted: %v", ids(double))
	}
	// The primary submits and releases: the calibration drill stays in the queue until both
	// ratings are in, which they now are.
	if err := st.SaveRating(ctx, calib, who["s1"].ID, testRubric, RatingInput{Scores: map[string]int{"listening": 3, "policy": 1}}, true); err != nil {
		t.Fatal(err)
	}
	if err := st.ReleaseDrill(ctx, calib, who["s1"].ID); err != nil {
		t.Fatal(err)
	}
	double, _ := st.DoubleRatedDrills(ctx, who["s1"].ShopID)
	if len(double) != 1 || double[0].ID != calib || double[0].CalibrationPending() {
		t.Fatalf("double-rated: %v", ids(double))
	}
	if q, _ := st.DrillQueue(ctx, who["s1"].ShopID); len(q) != 1 || q[0].ID != plain {
		t.Fatalf("queue after calibration and release: %v", ids(q))
	}
	if rel, _ := st.ReleasedDrills(ctx, who["s2"].ShopID, 10); len(rel) != 0 {
		t.Fatalf("store 002 sees store 001's released drills: %v", ids(rel))
	}
	mine, _ := st.TraineeDrills(ctx, who["t1"].ID)
	if len(mine) != 2 {
		t.Fatalf("trainee drills %v", ids(mine))
	}
	_ = other
}

func ids(ds []Drill) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

const testDialogue = `== start
顾客：你好。
* [3] 您好，请讲。 -> good
  反馈：好。
* [0] 干嘛？ -> bad
== good
顾客：谢谢。
结局：满意。
== bad
顾客：哼。
结局：不满意。`

func TestPracticeReplaysThePathAndCountsEachStepOnce(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	who := drillPeople(t, st)
	now := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	d, errs := roleplay.ParseDialogue(testDialogue)
	if errs != nil {
		t.Fatal(errs)
	}
	id, err := st.StartPractice(ctx, who["t1"].ID, "tiles")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ChoosePractice(ctx, id, who["t2"].ID, 0, 0, d, tracking.DefaultSeatRules); !errors.Is(err, failure.ErrNotFound) {
		t.Fatalf("someone else's run: %v", err)
	}
	if _, err := st.ChoosePractice(ctx, id, who["t1"].ID, 0, 5, d, tracking.DefaultSeatRules); !errors.Is(err, roleplay.ErrPath) {
		t.Fatalf("choice 5: %v", err)
	}
	now = now.Add(90 * time.Second)
	p, err := st.ChoosePractice(ctx, id, who["t1"].ID, 0, 0, d, tracking.DefaultSeatRules)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Finished || p.Points != 3 || p.MaxPoints != 3 || len(p.Path) != 1 || p.ActiveSeconds != 90 || !p.FinishedAt.Equal(now) {
		t.Fatalf("finished run: %+v", p)
	}
	// A replayed form for the same step, or any step after the end, changes nothing.
	now = now.Add(time.Minute)
	p, err = st.ChoosePractice(ctx, id, who["t1"].ID, 0, 1, d, tracking.DefaultSeatRules)
	if err != nil || p.Points != 3 || len(p.Path) != 1 || p.ActiveSeconds != 90 {
		t.Fatalf("replayed choice: %+v, %v", p, err)
	}
	// A second run with a long pause: the idle gap earns nothing.
	id2, _ := st.StartPractice(ctx, who["t1"].ID, "tiles")
	now = now.Add(time.Hour)
	p, _ = st.ChoosePractice(ctx, id2, who["t1"].ID, 0, 1, d, tracking.DefaultSeatRules)
	if !p.Finished || p.Points != 0 || p.ActiveSeconds != 0 {
		t.Fatalf("idle run: %+v", p)
	}
	total, err := st.PracticeTime(ctx, who["t1"].ID)
	if err != nil || total != 90*time.Second {
		t.Fatalf("practice time %v, %v", total, err)
	}
	list, _ := st.PracticeSessions(ctx, who["t1"].ID)
	if len(list) != 2 || list[0].ID != id2 {
		t.Fatalf("sessions newest first: %+v", list)
	}
}
