package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftercare/failure"
	"aftercare/tracking"
)

// kpiAudit lists the KPI entries of the audit log, oldest first, as "action object before -> after".
func kpiAudit(t *testing.T, st *Store) []string {
	t.Helper()
	log, err := st.AuditLog(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(log) - 1; i >= 0; i-- {
		if strings.HasPrefix(log[i].Action, "kpi.") {
			out = append(out, log[i].Action+" "+log[i].Object+" "+log[i].Before+" -> "+log[i].After)
		}
	}
	return out
}

func TestSaveKPIValuesUpsertsAuditsAndKeepsToTheStore(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	p := drillPeople(t, st)
	t1, t2, s1 := p["t1"], p["t2"], p["s1"]

	saved, err := st.SaveKPIValues(ctx, s1.ID, t1.ShopID, []KPIChange{
		{UserID: t1.ID, Month: "2026-11", Key: "satisfaction", Value: 4.5},
		{UserID: t1.ID, Month: "2026-11", Key: "service-cost", Value: 2},
	})
	if err != nil || saved.Written != 2 || len(saved.People) != 1 || saved.People[0] != (PersonMonth{t1.ID, "2026-11"}) {
		t.Fatalf("first save = %+v, %v", saved, err)
	}
	// Change one, keep one, clear one: only real changes are written and audited.
	saved, err = st.SaveKPIValues(ctx, s1.ID, t1.ShopID, []KPIChange{
		{UserID: t1.ID, Month: "2026-11", Key: "satisfaction", Value: 4.9},
		{UserID: t1.ID, Month: "2026-11", Key: "service-cost", Clear: true},
		{UserID: t1.ID, Month: "2026-11", Key: "return-rate", Clear: true},
	})
	if err != nil || saved.Written != 1 || saved.Cleared != 1 || saved.Unchanged != 1 {
		t.Fatalf("second save = %+v, %v", saved, err)
	}
	vals, err := st.KPIValuesOf(ctx, t1.ID, "2026-11")
	if err != nil || len(vals) != 1 || vals["satisfaction"] != 4.9 {
		t.Errorf("values = %v, %v", vals, err)
	}
	obj := "kpi:" + strconv.FormatInt(t1.ID, 10) + ":2026-11:"
	want := []string{
		"kpi.set " + obj + "satisfaction  -> 4.5",
		"kpi.set " + obj + "service-cost  -> 2",
		"kpi.set " + obj + "satisfaction 4.5 -> 4.9",
		"kpi.clear " + obj + "service-cost 2 -> ",
	}
	if got := kpiAudit(t, st); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A batch reaching into another store is refused whole.
	_, err = st.SaveKPIValues(ctx, s1.ID, t1.ShopID, []KPIChange{
		{UserID: t1.ID, Month: "2026-11", Key: "satisfaction", Value: 1},
		{UserID: t2.ID, Month: "2026-11", Key: "satisfaction", Value: 1},
	})
	if !errors.Is(err, failure.ErrNotFound) {
		t.Errorf("other store: %v", err)
	}
	_, err = st.SaveKPIValues(ctx, s1.ID, 0, []KPIChange{{UserID: 99999, Month: "2026-11", Key: "satisfaction", Value: 1}})
	if !errors.Is(err, failure.ErrNotFound) {
		t.Errorf("missing user: %v", err)
	}
	if vals, _ := st.KPIValuesOf(ctx, t1.ID, "2026-11"); vals["satisfaction"] != 4.9 {
		t.Errorf("refused batch wrote: %v", vals)
	}
	if vals, _ := st.KPIValuesOf(ctx, t2.ID, "2026-11"); len(vals) != 0 {
		t.Errorf("refused batch wrote for t2: %v", vals)
	}
}

func TestImportKPIValuesAllOrNothing(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	p := drillPeople(t, st)
	rows := []tracking.KPIRow{
		{Line: 2, Login: "t1", Month: "2026-10", Values: []tracking.KPIValue{{Login: "t1", Month: "2026-10", Key: "satisfaction", Value: 4.7}}},
		{Line: 3, Login: "t2", Month: "2026-11", Values: []tracking.KPIValue{{Login: "t2", Month: "2026-11", Key: "complaints-on-time", Value: 95}}},
		{Line: 4, Login: "nobody", Month: "2026-10"},
		{Line: 5, Login: "boss", Month: "2026-10"},
		{Line: 6, Login: "t1", Month: "2027-01"},
	}
	users, problems, err := st.CheckKPIImport(ctx, rows, "2026-11")
	if err != nil || users["t2"].ID != p["t2"].ID {
		t.Fatalf("check: %v %v", users, err)
	}
	var lines []int
	for _, pr := range problems {
		lines = append(lines, pr.Line)
	}
	if len(problems) != 3 || lines[0] != 4 || lines[1] != 5 || lines[2] != 6 || !strings.Contains(problems[0].Message, "不存在") {
		t.Errorf("problems = %v", problems)
	}
	problems, _, err = st.ImportKPIValues(ctx, p["boss"].ID, rows, "2026-11")
	if err != nil || len(problems) != 3 {
		t.Fatalf("import bad: %v %v", problems, err)
	}
	if vals, _ := st.ShopKPIValues(ctx, 0, "2000-01", "2099-12"); len(vals) != 0 {
		t.Errorf("refused import wrote %v", vals)
	}
	problems, saved, err := st.ImportKPIValues(ctx, p["boss"].ID, rows[:2], "2026-11")
	if err != nil || len(problems) != 0 || saved.Written != 2 || len(saved.People) != 2 {
		t.Fatalf("import good: %v %+v %v", problems, saved, err)
	}
	all, err := st.ShopKPIValues(ctx, 0, "2026-10", "2026-11")
	if err != nil || len(all) != 2 || all[0].Login != "t1" || all[0].Month != "2026-10" || all[1].Key != "complaints-on-time" ||
		all[1].EnteredBy != p["boss"].ID || all[1].ShopID != p["t2"].ShopID {
		t.Errorf("all = %+v, %v", all, err)
	}
	if one, _ := st.ShopKPIValues(ctx, p["t1"].ShopID, "2026-01", "2026-12"); len(one) != 1 || one[0].UserID != p["t1"].ID {
		t.Errorf("store 001 = %+v", one)
	}
	if nov, _ := st.ShopKPIValues(ctx, 0, "2026-11", "2026-11"); len(nov) != 1 || KPIByPerson(nov)[p["t2"].ID]["complaints-on-time"] != 95 {
		t.Errorf("november = %+v", nov)
	}
	if got := kpiAudit(t, st); len(got) != 3 || !strings.HasPrefix(got[2], "kpi.import kpi_values") {
		t.Errorf("audit = %v", got)
	}
}

func TestTrainingScoresCountTheMonth(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	p := drillPeople(t, st)
	t1 := p["t1"].ID
	nov := time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC)
	for _, a := range []struct {
		quiz, state string
		at          time.Time
		score       float64
	}{
		{"q1", "finished", nov, 60},
		{"q1", "finished", nov.Add(time.Hour), 80}, // best of q1
		{"q2", "finished", nov, 90},
		{"q3", "awaiting_grading", nov, 100},         // not graded yet
		{"q4", "finished", nov.AddDate(0, 1, 0), 10}, // December
	} {
		if err := st.w.Exec(`INSERT INTO attempts (user_id, quiz, number, state, started_at, submitted_at, pass, score)
			VALUES (?, ?, (SELECT COUNT(*) + 1 FROM attempts WHERE user_id = ? AND quiz = ?), ?, ?, ?, 60, ?)`,
			t1, a.quiz, t1, a.quiz, a.state, a.at, a.at, a.score).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []struct {
		state string
		score float64
	}{{"released", 70}, {"released", 90}, {"submitted", 10}} {
		if err := st.w.Exec(`INSERT INTO drills (trainee_id, scenario, state, pass, rater_id, created_by, created_at, submitted_at, score)
			VALUES (?, 'x', ?, 60, ?, ?, ?, ?, ?)`, t1, d.state, p["s1"].ID, p["s1"].ID, nov, nov, d.score).Error; err != nil {
			t.Fatal(err)
		}
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	got, err := st.TrainingScores(ctx, []int64{t1, p["t2"].ID}, from, from.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if ts := got[t1]; ts.Quizzes != 2 || ts.Knowledge != 85 || ts.Drills != 2 || ts.Skills != 80 {
		t.Errorf("t1 = %+v", ts)
	}
	if ts, ok := got[p["t2"].ID]; ok {
		t.Errorf("t2 = %+v", ts)
	}
}

func TestAssignRemedialOncePerMonthWithTheReason(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	p := drillPeople(t, st)
	defs := []tracking.KPI{
		{Key: "satisfaction", Name: "顾客满意度", Unit: "分", Target: 4.8, Direction: tracking.Higher, Weight: 100, Remedial: []string{"a/one", "a/two"}},
		{Key: "service-cost", Name: "服务成本", Unit: "%", Target: 3, Direction: tracking.Lower, Remedial: []string{"a/two", "b/three"}},
	}
	saved, err := st.SaveKPIValues(ctx, p["s1"].ID, 0, []KPIChange{
		{UserID: p["t1"].ID, Month: "2026-11", Key: "satisfaction", Value: 4.5},
		{UserID: p["t1"].ID, Month: "2026-11", Key: "service-cost", Value: 3.5},
		{UserID: p["t2"].ID, Month: "2026-11", Key: "satisfaction", Value: 4.9},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	for round := range 2 {
		n, err := st.AssignRemedial(ctx, defs, saved.People, now, now.AddDate(0, 0, 14))
		if err != nil || n != 1-round {
			t.Fatalf("round %d: created %d, %v", round, n, err)
		}
	}
	as, err := st.UserAssignments(ctx, p["t1"].ID)
	if err != nil || len(as) != 1 {
		t.Fatalf("assignments = %+v, %v", as, err)
	}
	a := as[0]
	if a.Kind != KindRemedial || a.Programme != RemedialProgramme || a.Period != "2026-11" ||
		strings.Join(a.Modules, " ") != "a/one a/two b/three" ||
		a.Reason != "2026年11月未达标：顾客满意度 4.5分，目标 ≥ 4.8分；服务成本 3.5%，目标 ≤ 3%" {
		t.Errorf("assignment = %+v", a)
	}
	if as, _ := st.UserAssignments(ctx, p["t2"].ID); len(as) != 0 {
		t.Errorf("t2 met the target but got %+v", as)
	}
}
