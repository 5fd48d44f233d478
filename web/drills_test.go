package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"aftercare/accounts"
	"aftercare/roleplay"
	"aftercare/views"
)

// The routes of drills and self-practice in the route × actor matrix of matrix_test.go, with
// that test's fixtures: it has no drill, user or practice run to put in :drill, :user and
// :session, so those paths carry the literal parameter, which is not a number, and answer
// 400 to everyone allowed past the access rule (its form has no scenario either). TestDrillRoutesWithRealObjects below checks the same routes against
// real objects of both stores.
func init() {
	for k, v := range map[string][6]int{
		"GET /drills":                    {303, 200, 200, 200, 200, 200},
		"GET /drills/new":                {303, 403, 403, 200, 200, 200},
		"POST /drills":                   {401, 403, 403, 422, 422, 422},
		"GET /drills/calibration":        {303, 403, 403, 200, 200, 200},
		"GET /drills/:drill":             {303, 400, 400, 400, 400, 400},
		"POST /drills/:drill/start":      {401, 403, 403, 400, 400, 400},
		"GET /drills/:drill/rate":        {303, 403, 403, 400, 400, 400},
		"POST /drills/:drill/rate":       {401, 403, 403, 400, 400, 400},
		"POST /drills/:drill/release":    {401, 403, 403, 400, 400, 400},
		"POST /drills/:drill/reopen":     {401, 403, 403, 400, 400, 400},
		"GET /staff/:user/drills":        {303, 403, 403, 400, 400, 400},
		"GET /practice":                  {303, 200, 200, 200, 200, 200},
		"POST /practice":                 {401, 400, 400, 400, 400, 400},
		"GET /practice/:session":         {303, 400, 400, 400, 400, 400},
		"POST /practice/:session/choose": {401, 400, 400, 400, 400, 400},
	} {
		accessMatrix[k] = v
	}
}

const tileScenario = "tile-colour-difference"

// criterionKeys are the standard criteria, in the order of the tile scenario's rubric.
var criterionKeys = []string{"listening", "no-arguing", "diagnosis", "policy", "options", "follow-up"}

// levels maps the standard criteria to the given levels, in criterionKeys order.
func levels(v ...int) map[string]int {
	m := map[string]int{}
	for i, k := range criterionKeys {
		m[k] = v[i]
	}
	return m
}

// bookDrill books a drill through the form and returns its ID.
func bookDrill(t *testing.T, env *testEnv, c *client, trainee, scenario string, calibrate, now bool) int64 {
	t.Helper()
	form := url.Values{"trainee": {strconv.FormatInt(env.users[trainee].ID, 10)}, "scenario": {scenario}}
	if calibrate {
		form.Set("calibrate", "1")
	}
	if now {
		form.Set("now", "1")
	}
	r, _ := c.post("/drills", form, c.csrfFrom("/drills/new"))
	m := regexp.MustCompile(`^/drills/(\d+)`).FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("book drill: %d to %q\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// rateDrill posts the rating form with the given levels and one comment per criterion.
func rateDrill(t *testing.T, c *client, id int64, scores map[string]int, comment, notes, action string) response {
	t.Helper()
	path := "/drills/" + strconv.FormatInt(id, 10) + "/rate"
	form := url.Values{"action": {action}, "notes": {notes}}
	for k, v := range scores {
		form.Set("score-"+k, strconv.Itoa(v))
		form.Set("comment-"+k, comment+"："+k)
	}
	r, _ := c.post(path, form, c.csrfFrom(path))
	return r
}

func drillPath(id int64, suffix string) string {
	return "/drills/" + strconv.FormatInt(id, 10) + suffix
}

// addSupervisor creates a second supervisor in the given store.
func addSupervisor(t *testing.T, env *testEnv, login, name, shop string) {
	t.Helper()
	hash, _ := accounts.HashPassword(testPassword, bcrypt.MinCost)
	u, err := env.store.CreateUser(t.Context(), accounts.NewUser{Login: login, Name: name, Role: accounts.Supervisor, ShopCode: shop}, hash)
	if err != nil {
		t.Fatal(err)
	}
	env.users[login] = u
}

func TestSupervisorRunsScoresAndReleasesADrillAndTheTraineeSeesIt(t *testing.T) {
	env := newTestEnv(t)
	rp, _ := realCatalog(t).Roleplay(tileScenario)
	super, trainee := env.as("super-a"), env.as("trainee-a")

	id := bookDrill(t, env, super, "trainee-a", tileScenario, false, true)
	form := super.get(drillPath(id, "/rate"))
	if form.StatusCode != http.StatusOK || !strings.Contains(form.body, "倾听与共情") || !strings.Contains(form.body, "提交评分") {
		t.Fatalf("rating form: %d", form.StatusCode)
	}
	// A draft with a 0 keeps the 0.
	if r := rateDrill(t, super, id, map[string]int{"listening": 0}, "草稿", "", "save"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save draft: %d", r.StatusCode)
	}
	if f := super.get(drillPath(id, "/rate")); !strings.Contains(f.body, `name="score-listening" value="0" checked`) {
		t.Fatal("the saved 0 is not checked on the form")
	}
	// The trainee sees the drill but no score while it is being rated.
	page := trainee.get(drillPath(id, ""))
	if page.StatusCode != http.StatusOK || strings.Contains(page.body, "草稿：listening") || !strings.Contains(page.body, "主管评分并发布后") {
		t.Fatalf("trainee during rating: %d", page.StatusCode)
	}
	// Submitting with a criterion left out re-renders the form with the message and the input.
	partial := levels(3, 2, 2, 0, 3, 1)
	delete(partial, "options")
	r := rateDrill(t, super, id, partial, "评语", "总评内容", "submit")
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="score-options-error"`) ||
		!strings.Contains(r.body, "总评内容") || !strings.Contains(r.body, "评语：diagnosis") ||
		!strings.Contains(r.body, `name="score-diagnosis" value="2" checked`) {
		t.Fatalf("incomplete submit: %d\n%s", r.StatusCode, r.body)
	}
	// A level the rubric does not have is refused the same way.
	if r := rateDrill(t, super, id, levels(3, 2, 9, 0, 3, 1), "评语", "", "submit"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="score-diagnosis-error"`) {
		t.Fatalf("level 9: %d", r.StatusCode)
	}
	scores := levels(3, 2, 2, 0, 3, 1)
	want, err := rp.Rubric.Score(scores)
	if err != nil {
		t.Fatal(err)
	}
	// A score in the form is ignored: the server computes it.
	path := drillPath(id, "/rate")
	vals := url.Values{"action": {"submit"}, "notes": {"整体不错，政策部分要加强"}, "score": {"100"}, "passed": {"true"}}
	for k, v := range scores {
		vals.Set("score-"+k, strconv.Itoa(v))
		vals.Set("comment-"+k, "评语："+k)
	}
	if r, _ := super.post(path, vals, super.csrfFrom(path)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", r.StatusCode, r.body)
	}
	d, _ := env.store.Drill(t.Context(), id)
	if d.State != roleplay.Submitted || d.Score != want || d.Passed != roleplay.Passed(want, rp.Pass) {
		t.Fatalf("stored drill: %s %v passed %v; want %v", d.State, d.Score, d.Passed, want)
	}
	if page := trainee.get(drillPath(id, "")); strings.Contains(page.body, views.Score1(want)) || strings.Contains(page.body, "评语：policy") {
		t.Fatal("the trainee sees a submitted but unreleased score")
	}
	// Only a supervisor releases; then the trainee sees everything.
	if r, _ := trainee.post(drillPath(id, "/release"), url.Values{}, trainee.csrfFrom("/drills")); r.StatusCode != http.StatusForbidden {
		t.Fatalf("trainee releases: %d", r.StatusCode)
	}
	if r, _ := super.post(drillPath(id, "/release"), url.Values{}, super.csrfFrom(drillPath(id, ""))); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("release: %d", r.StatusCode)
	}
	page = trainee.get(drillPath(id, ""))
	for _, s := range []string{views.Score1(want), "未通过", "评语：policy", "整体不错，政策部分要加强", "示范话术", "0 / 3"} {
		if !strings.Contains(page.body, s) {
			t.Errorf("released drill page lacks %q", s)
		}
	}
	if strings.Contains(page.body, "顾客角色说明") {
		t.Error("the trainee is shown the customer's brief")
	}
	// Their drills page charts the criteria over time, with a text table.
	mine := trainee.get("/drills")
	if !strings.Contains(mine.body, "<svg") || !strings.Contains(mine.body, "<path") || !strings.Contains(mine.body, "倾听与共情") || !strings.Contains(mine.body, "3/3") {
		t.Fatalf("trainee drills page has no chart:\n%s", mine.body)
	}
	log, _ := env.store.AuditLog(t.Context(), 50)
	var actions []string
	for _, e := range log {
		if strings.HasPrefix(e.Action, "drill.") {
			actions = append(actions, e.Action)
		}
	}
	if got := strings.Join(actions, ","); got != "drill.release,drill.rating.submit,drill.rating.save,drill.start,drill.create" {
		t.Fatalf("audit trail %s", got)
	}
	// Only an admin may withdraw a released result.
	if r, _ := super.post(drillPath(id, "/reopen"), url.Values{}, super.csrfFrom(drillPath(id, ""))); r.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor reopens a released drill: %d", r.StatusCode)
	}
	admin := env.as("admin")
	if r, _ := admin.post(drillPath(id, "/reopen"), url.Values{}, admin.csrfFrom(drillPath(id, ""))); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin reopens: %d", r.StatusCode)
	}
	if page := trainee.get(drillPath(id, "")); strings.Contains(page.body, views.Score1(want)) {
		t.Fatal("a reopened drill still shows its score to the trainee")
	}
}

func TestAnotherStoresDrillIsNotFound(t *testing.T) {
	env := newTestEnv(t)
	superA := env.as("super-a")
	id := bookDrill(t, env, superA, "trainee-a", tileScenario, true, true)
	rateDrill(t, superA, id, levels(3, 3, 3, 3, 3, 3), "好", "", "submit")

	superB, traineeB := env.as("super-b"), env.as("trainee-b")
	token := superB.csrfFrom("/drills")
	for _, path := range []string{drillPath(id, ""), drillPath(id, "/rate"), "/staff/" + strconv.FormatInt(env.users["trainee-a"].ID, 10) + "/drills"} {
		r := superB.get(path)
		if r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "学员甲") {
			t.Errorf("super-b GET %s: %d", path, r.StatusCode)
		}
	}
	for _, action := range []string{"/start", "/rate", "/release", "/reopen"} {
		if r, _ := superB.post(drillPath(id, action), url.Values{"action": {"submit"}}, token); r.StatusCode != http.StatusNotFound {
			t.Errorf("super-b POST %s: %d", action, r.StatusCode)
		}
	}
	if r := traineeB.get(drillPath(id, "")); r.StatusCode != http.StatusNotFound {
		t.Errorf("trainee-b opens trainee-a's drill: %d", r.StatusCode)
	}
	if r := superB.get(drillPath(id+1000, "")); r.StatusCode != http.StatusNotFound {
		t.Errorf("missing drill: %d", r.StatusCode)
	}
	// A supervisor cannot book a drill for another store's trainee: the form refuses it.
	form := url.Values{"trainee": {strconv.FormatInt(env.users["trainee-a"].ID, 10)}, "scenario": {tileScenario}, "when": {"2025-13-01T10:00"}}
	r, _ := superB.post("/drills", form, superB.csrfFrom("/drills/new"))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="trainee-error"`) || !strings.Contains(r.body, `id="when-error"`) ||
		!strings.Contains(r.body, "2025-13-01T10:00") || strings.Contains(r.body, "学员甲") {
		t.Fatalf("booking another store's trainee: %d", r.StatusCode)
	}
	// Store B's queue and lists do not mention store A's drill.
	if q := superB.get("/drills"); strings.Contains(q.body, "学员甲") || strings.Contains(q.body, drillPath(id, "")) {
		t.Fatal("store B's queue shows store A's drill")
	}
	if q := env.as("admin").get("/drills"); !strings.Contains(q.body, drillPath(id, "")) {
		t.Fatal("the admin's queue lacks the drill")
	}
}

// TestDrillRoutesWithRealObjects is the access matrix of the drill and practice routes with
// real objects: trainee A's calibration drill (in progress, rated by supervisor A), trainee
// A's finished practice run and trainee A as :user. Every row is read-only or refused, so
// the order of the checks does not matter.
func TestDrillRoutesWithRealObjects(t *testing.T) {
	env := newTestEnv(t)
	superA := env.as("super-a")
	drill := bookDrill(t, env, superA, "trainee-a", tileScenario, true, true)
	trainee := env.as("trainee-a")
	run := startRun(t, trainee, tileScenario)
	playToEnd(t, trainee, run, 0)
	ids := map[string]string{":drill": strconv.FormatInt(drill, 10), ":session": strconv.FormatInt(run, 10),
		":user": strconv.FormatInt(env.users["trainee-a"].ID, 10)}
	rows := []struct {
		method, path string
		want         [6]int
	}{
		{"GET", "/drills/:drill", [6]int{303, 200, 404, 200, 404, 200}},
		{"GET", "/drills/:drill/rate", [6]int{303, 403, 403, 200, 404, 200}},
		{"POST", "/drills/:drill/start", [6]int{401, 403, 403, 409, 404, 409}},
		{"POST", "/drills/:drill/release", [6]int{401, 403, 403, 409, 404, 409}},
		{"POST", "/drills/:drill/reopen", [6]int{401, 403, 403, 409, 404, 409}},
		{"GET", "/staff/:user/drills", [6]int{303, 403, 403, 200, 404, 200}},
		{"GET", "/practice/:session", [6]int{303, 200, 404, 200, 404, 200}},
		{"POST", "/practice/:session/choose", [6]int{401, 303, 404, 404, 404, 404}},
	}
	for _, row := range rows {
		path := row.path
		for k, v := range ids {
			path = strings.ReplaceAll(path, k, v)
		}
		for i, actor := range actors {
			c := env.anonymous()
			if actor != "anonymous" {
				c = env.as(actor)
			}
			var got response
			if row.method == "GET" {
				got = c.get(path)
			} else {
				token := ""
				if actor == "anonymous" {
					token = c.csrfFrom("/login")
				} else {
					token = c.csrfFrom("/me/progress")
				}
				got, _ = c.post(path, url.Values{"step": {"99"}, "choice": {"0"}}, token)
			}
			if got.StatusCode != row.want[i] {
				t.Errorf("%s %s as %s: %d, want %d", row.method, row.path, actor, got.StatusCode, row.want[i])
			}
		}
	}
}

func TestCalibrationIsBlindAndReportsAgreement(t *testing.T) {
	env := newTestEnv(t)
	addSupervisor(t, env, "super-a2", "主管丙", "001")
	superA, superA2 := env.as("super-a"), env.as("super-a2")
	rounds := []struct{ a, b map[string]int }{
		{levels(3, 2, 2, 0, 3, 1), levels(3, 1, 2, 1, 3, 1)},
		{levels(2, 2, 1, 1, 2, 2), levels(3, 2, 1, 0, 2, 3)},
	}
	for n, round := range rounds {
		id := bookDrill(t, env, superA, "trainee-a", tileScenario, true, true)
		// Supervisor A (primary) submits first; the second rater has a draft.
		if r := rateDrill(t, superA2, id, map[string]int{"listening": 1}, fmt.Sprintf("丙的草稿%d", n), "", "save"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("second rater's draft: %d\n%s", r.StatusCode, r.body)
		}
		if r := rateDrill(t, superA, id, round.a, fmt.Sprintf("甲的评语%d", n), "", "submit"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("primary submit: %d", r.StatusCode)
		}
		// Neither sees the other's scores before both have submitted.
		for _, c := range []struct {
			who    *client
			secret string
		}{{superA2, fmt.Sprintf("甲的评语%d", n)}, {superA, fmt.Sprintf("丙的草稿%d", n)}} {
			for _, path := range []string{drillPath(id, ""), drillPath(id, "/rate"), "/drills", "/staff/" + strconv.FormatInt(env.users["trainee-a"].ID, 10) + "/drills"} {
				if page := c.who.get(path); strings.Contains(page.body, c.secret) {
					t.Fatalf("%s shows %q before both ratings are in", path, c.secret)
				}
			}
		}
		primaryScore, _ := env.store.Drill(t.Context(), id)
		if page := superA2.get(drillPath(id, "")); strings.Contains(page.body, views.Score1(primaryScore.Score)+" · ") || !strings.Contains(page.body, "暂不显示") {
			t.Fatal("the second rater sees the primary's score, or no notice that it is hidden")
		}
		if page := superA2.get("/staff/" + strconv.FormatInt(env.users["trainee-a"].ID, 10) + "/drills"); strings.Contains(page.body, views.Score1(primaryScore.Score)+" · ") {
			t.Fatal("the second rater sees the primary's score in the trainee's history")
		}
		if r := rateDrill(t, superA2, id, round.b, fmt.Sprintf("丙的评语%d", n), "", "submit"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("second submit: %d", r.StatusCode)
		}
		if r := rateDrill(t, superA2, id, round.b, "再改", "", "submit"); r.StatusCode != http.StatusConflict {
			t.Fatalf("second rater resubmits: %d", r.StatusCode)
		}
		for _, c := range []*client{superA, superA2} {
			page := c.get(drillPath(id, ""))
			if !strings.Contains(page.body, "两位评分人的差异") || !strings.Contains(page.body, fmt.Sprintf("甲的评语%d", n)) || !strings.Contains(page.body, fmt.Sprintf("丙的评语%d", n)) {
				t.Fatalf("after both submitted the comparison is missing")
			}
		}
	}
	// The figures are roleplay.Agree's over the twelve pairs.
	var pairs []roleplay.RatingPair
	byKey := map[string][]roleplay.RatingPair{}
	for _, round := range rounds {
		for _, k := range criterionKeys {
			p := roleplay.RatingPair{A: round.a[k], B: round.b[k], Max: 3}
			pairs = append(pairs, p)
			byKey[k] = append(byKey[k], p)
		}
	}
	want := roleplay.Agree(pairs)
	if !want.KappaOK || want.Pairs != 12 {
		t.Fatalf("fixture: %+v", want)
	}
	ds, _ := env.store.DoubleRatedDrills(t.Context(), 0)
	data := env.app.calibrationData(ds, true)
	if len(data.Raters) != 2 || len(data.Drills) != 2 {
		t.Fatalf("calibration data: %+v", data)
	}
	for _, r := range data.Raters {
		if r.Overall.Pairs != 12 || r.Overall.Exact != want.Exact || r.Overall.Adjacent != want.Adjacent ||
			!r.Overall.KappaOK || math.Abs(r.Overall.Kappa-want.Kappa) > 1e-12 || len(r.Months) == 0 {
			t.Errorf("rater %s: %+v, want %+v", r.Name, r.Overall.Agreement, want)
		}
	}
	dis := roleplay.DisagreementByCriterion(byKey)
	if len(data.Criteria) != len(dis) || data.Criteria[0].Key != dis[0].Key || data.Criteria[0].Title == "" {
		t.Fatalf("criteria %+v, want order %+v", data.Criteria, dis)
	}
	// Both supervisors and the admin see the figures; only the admin the criteria table.
	kappa := strconv.FormatFloat(want.Kappa, 'f', 2, 64)
	for _, who := range []string{"super-a", "super-a2", "admin"} {
		page := env.as(who).get("/drills/calibration")
		if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "主管甲") || !strings.Contains(page.body, "主管丙") ||
			!strings.Contains(page.body, views.Percent(want.Exact*100)) || !strings.Contains(page.body, kappa) {
			t.Errorf("%s calibration page: %d, want exact %s and κ %s", who, page.StatusCode, views.Percent(want.Exact*100), kappa)
		}
		if strings.Contains(page.body, "分歧最大的评分项") != (who == "admin") {
			t.Errorf("%s: criteria table shown = %v", who, !(who == "admin"))
		}
	}
	if page := env.as("super-b").get("/drills/calibration"); strings.Contains(page.body, "主管丙") {
		t.Error("store B's calibration page shows store A's raters")
	}
}

// TestAgreeTakesKappaFromOneScale checks the rule for pairs from rubrics of different scales.
func TestAgreeTakesKappaFromOneScale(t *testing.T) {
	var pairs []roleplay.RatingPair
	for i := range 12 {
		pairs = append(pairs, roleplay.RatingPair{A: i % 4, B: (i + i/6) % 4, Max: 3})
	}
	pairs = append(pairs, roleplay.RatingPair{A: 1, B: 1, Max: 4})
	mixed := roleplay.Agree(pairs)
	got := agree(pairs)
	one := roleplay.Agree(pairs[:12])
	if mixed.KappaOK || !got.KappaOK || got.Kappa != one.Kappa || got.Pairs != 13 || got.Exact != mixed.Exact {
		t.Fatalf("agree: %+v; mixed %+v; one scale %+v", got, mixed, one)
	}
}

func TestGradingQueueSectionsCountsAndSort(t *testing.T) {
	env := newTestEnv(t)
	addSupervisor(t, env, "super-a2", "主管丙", "001")
	superA := env.as("super-a")
	scheduled := bookDrill(t, env, superA, "trainee-a", "gold-weight-dispute", false, false)
	calib := bookDrill(t, env, superA, "trainee-a", tileScenario, true, true)
	done := bookDrill(t, env, superA, "trainee-a", "diamond-lost-prong", false, true)
	rateDrill(t, superA, done, levels(1, 1, 1, 1, 1, 1), "好", "", "submit")

	q := superA.get("/drills")
	for _, s := range []string{"待评分 <strong>2</strong>", "待第二评分 <strong>0</strong>", "待发布 <strong>1</strong>", `id="essays"`} {
		if !strings.Contains(q.body, s) {
			t.Errorf("super-a's queue lacks %q", s)
		}
	}
	q2 := env.as("super-a2").get("/drills")
	for _, s := range []string{"待评分 <strong>0</strong>", "待第二评分 <strong>1</strong>", "待发布 <strong>1</strong>", drillPath(calib, "")} {
		if !strings.Contains(q2.body, s) {
			t.Errorf("super-a2's queue lacks %q", s)
		}
	}
	// The order follows the parameter; an unknown order falls back to the default.
	oldest := superA.get("/drills?sort=oldest").body
	newest := superA.get("/drills?sort=newest").body
	first := func(body string) int {
		m := regexp.MustCompile(`href="/drills/(\d+)"`).FindStringSubmatch(body)
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if first(oldest) != int(scheduled) || first(newest) != int(calib) {
		t.Errorf("oldest first #%d, newest first #%d", first(oldest), first(newest))
	}
	if bad := superA.get("/drills?sort=%3Cscript%3E"); bad.StatusCode != http.StatusOK || first(bad.body) != int(scheduled) {
		t.Errorf("unknown sort: %d", bad.StatusCode)
	}
}

func TestChartSVG(t *testing.T) {
	c := views.LineChart{Title: `进步 <"&>`, XLabels: []string{"01-01", "02-01", "03-01"}, YMax: 100, YUnit: "%",
		Series: []views.ChartSeries{{Label: "倾听", Values: []float64{0, math.NaN(), 100}}, {Label: "政策", Values: []float64{50, 75, 100}}}}
	svg := c.SVG()
	if strings.Contains(svg, `<"&>`) || !strings.Contains(svg, "&lt;&#34;&amp;&gt;") {
		t.Error("title not escaped")
	}
	// The gap starts a new segment instead of drawing through it.
	if !regexp.MustCompile(`<path d="M40.0 190.0 M468.0 10.0"`).MatchString(svg) {
		t.Errorf("series with a gap:\n%s", svg)
	}
	if strings.Count(svg, "<circle") != 5 || strings.Count(svg, "<path") != 2 {
		t.Errorf("points or lines missing:\n%s", svg)
	}
	if !(views.LineChart{Series: []views.ChartSeries{{Values: []float64{math.NaN()}}}}).Empty() || c.Empty() {
		t.Error("Empty")
	}
}

// startRun starts a practice run and returns its ID.
func startRun(t *testing.T, c *client, scenario string) int64 {
	t.Helper()
	r, _ := c.post("/practice", url.Values{"scenario": {scenario}}, c.csrfFrom("/practice"))
	m := regexp.MustCompile(`^/practice/(\d+)$`).FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("start practice: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// playToEnd always picks the choice with the given index (or the last one if there are
// fewer) until the dialogue ends, and returns the path taken.
func playToEnd(t *testing.T, c *client, id int64, pick int) []int {
	t.Helper()
	path := "/practice/" + strconv.FormatInt(id, 10)
	choice := regexp.MustCompile(`name="choice" value="(\d+)"`)
	var taken []int
	for step := 0; step < 20; step++ {
		page := c.get(path)
		all := choice.FindAllStringSubmatch(page.body, -1)
		if len(all) == 0 {
			return taken
		}
		i := min(pick, len(all)-1)
		token := csrfInput.FindStringSubmatch(page.body)[1]
		r, _ := c.post(path+"/choose", url.Values{"step": {strconv.Itoa(step)}, "choice": {strconv.Itoa(i)}, "points": {"999"}}, token)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("choose %d at step %d: %d", i, step, r.StatusCode)
		}
		taken = append(taken, i)
	}
	t.Fatal("the dialogue did not end in 20 steps")
	return nil
}

func TestPracticeIsPlayedAndScoredOnTheServer(t *testing.T) {
	env := newTestEnv(t)
	rp, _ := realCatalog(t).Roleplay(tileScenario)
	trainee := env.as("trainee-a")
	list := trainee.get("/practice")
	if !strings.Contains(list.body, rp.Title) || !strings.Contains(list.body, "满分 "+strconv.Itoa(rp.Dialogue.MaxPoints())) {
		t.Fatalf("practice list lacks the scenario")
	}
	id := startRun(t, trainee, tileScenario)
	path := "/practice/" + strconv.FormatInt(id, 10)
	first := trainee.get(path)
	start, _ := rp.Dialogue.Node(rp.Dialogue.Start)
	if !strings.Contains(first.body, start.Customer[0]) || !strings.Contains(first.body, start.Choices[0].Text) {
		t.Fatal("the first node is not shown")
	}
	// While in progress the run is the trainee's alone.
	if r := env.as("super-a").get(path); r.StatusCode != http.StatusNotFound {
		t.Fatalf("supervisor sees a run in progress: %d", r.StatusCode)
	}
	token := csrfInput.FindStringSubmatch(first.body)[1]
	for _, bad := range []url.Values{{"step": {"0"}, "choice": {"7"}}, {"step": {"0"}, "choice": {"-1"}}, {"step": {"x"}, "choice": {"0"}}} {
		if r, _ := trainee.post(path+"/choose", bad, token); r.StatusCode != http.StatusBadRequest {
			t.Errorf("choice %v: %d", bad, r.StatusCode)
		}
	}
	traineeB := env.as("trainee-b")
	if r, _ := traineeB.post(path+"/choose", url.Values{"step": {"0"}, "choice": {"0"}}, traineeB.csrfFrom("/practice")); r.StatusCode != http.StatusNotFound {
		t.Errorf("another trainee plays the run: %d", r.StatusCode)
	}
	// The best first choice, then always the first: a double-posted step counts once.
	r, _ := trainee.post(path+"/choose", url.Values{"step": {"0"}, "choice": {"0"}}, token)
	r2, _ := trainee.post(path+"/choose", url.Values{"step": {"0"}, "choice": {"2"}}, token)
	if r.StatusCode != http.StatusSeeOther || r2.StatusCode != http.StatusSeeOther {
		t.Fatalf("choose: %d, replay: %d", r.StatusCode, r2.StatusCode)
	}
	rest := playToEnd(t, trainee, id, 0)
	taken := append([]int{0}, rest[1:]...)
	if rest[0] != 0 {
		t.Fatalf("the replayed step changed the path: %v", rest)
	}
	play, err := rp.Dialogue.Play(taken)
	if err != nil || !play.Ended {
		t.Fatalf("path %v: %v, ended %v", taken, err, play.Ended)
	}
	run, _ := env.store.Practice(t.Context(), id)
	if !run.Finished || run.Points != play.Points || fmt.Sprint(run.Path) != fmt.Sprint(taken) || run.StartedAt.IsZero() || run.FinishedAt.Before(run.StartedAt) {
		t.Fatalf("stored run %+v; want path %v and %d points", run, taken, play.Points)
	}
	end := trainee.get(path)
	want := fmt.Sprintf("%d / %d 分", play.Points, rp.Dialogue.MaxPoints())
	if !strings.Contains(end.body, want) || !strings.Contains(end.body, play.Node.Outcome) || !strings.Contains(end.body, "示范话术") ||
		!strings.Contains(end.body, start.Choices[0].Feedback) || strings.Contains(end.body, `name="choice"`) {
		t.Fatalf("end page lacks %q, the outcome, the model lines or the feedback", want)
	}
	// Finished, the run is visible to the trainee's supervisor and an admin, not to store B.
	for who, status := range map[string]int{"super-a": 200, "admin": 200, "super-b": 404, "trainee-b": 404} {
		if r := env.as(who).get(path); r.StatusCode != status {
			t.Errorf("%s opens the finished run: %d, want %d", who, r.StatusCode, status)
		}
	}
	// It is practice, not a drill.
	if ds, _ := env.store.TraineeDrills(t.Context(), env.users["trainee-a"].ID); len(ds) != 0 {
		t.Fatalf("practice created drills: %v", ds)
	}
	if r, _ := trainee.post("/practice", url.Values{"scenario": {"no-such-scenario"}}, token); r.StatusCode != http.StatusNotFound {
		t.Errorf("practice of a missing scenario: %d", r.StatusCode)
	}
}

// TestPracticeTimeIsActiveTime checks that practice time counts the gaps between steps by the
// seat rules: a long pause counts nothing.
func TestPracticeTimeIsActiveTime(t *testing.T) {
	env := newTestEnv(t)
	trainee := env.as("trainee-a")
	id := startRun(t, trainee, tileScenario)
	path := "/practice/" + strconv.FormatInt(id, 10)
	token := trainee.csrfFrom(path)
	env.clock.advance(2 * 60e9)
	trainee.post(path+"/choose", url.Values{"step": {"0"}, "choice": {"0"}}, token)
	env.clock.advance(60 * 60e9)
	trainee.post(path+"/choose", url.Values{"step": {"1"}, "choice": {"0"}}, token)
	run, _ := env.store.Practice(context.Background(), id)
	if run.ActiveSeconds < 119 || run.ActiveSeconds > 125 {
		t.Fatalf("active seconds %d, want about 120", run.ActiveSeconds)
	}
	if list := trainee.get("/practice"); !strings.Contains(list.body, "累计 2 分钟") {
		t.Fatal("practice page does not show the practice time")
	}
}
