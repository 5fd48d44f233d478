package web

import (
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"aftercare/accounts"
	"aftercare/store"
	"aftercare/tracking"
	"aftercare/views"
)

func init() {
	for k, v := range map[string][6]int{
		"GET /staff/:user":                         {303, 403, 403, 400, 400, 400},
		"POST /staff/:user/offline":                {401, 403, 403, 400, 400, 400},
		"POST /staff/:user/offline/:entry/signoff": {401, 403, 403, 400, 400, 400},
		"GET /staff/:user/certificate":             {303, 403, 403, 400, 400, 400},
		"GET /me/certificate":                      {303, 303, 303, 303, 303, 303},
		"GET /verify":                              {200, 200, 200, 200, 200, 200},
		"GET /store":                               {303, 403, 403, 200, 200, 200},
		"GET /store.csv":                           {303, 403, 403, 200, 200, 200},
		"GET /company":                             {303, 403, 403, 403, 403, 200},
		"GET /company.csv":                         {303, 403, 403, 403, 403, 200},
	} {
		accessMatrix[k] = v
	}
}

func staffPath(u accounts.User, suffix string) string {
	return "/staff/" + strconv.FormatInt(u.ID, 10) + suffix
}

// readModule opens a module page and reports activity every 4 minutes of the fake clock until
// its minimum reading time is reached.
func readModule(t *testing.T, env *testEnv, c *client, token, moduleURL string, minutes int) {
	t.Helper()
	c.get(moduleURL)
	for read := 0; read < minutes; read += 4 {
		env.clock.advance(4 * time.Minute)
		if r, _ := c.post(moduleURL+"/activity", url.Values{}, token); r.StatusCode != http.StatusNoContent {
			t.Fatalf("heartbeat on %s: %d", moduleURL, r.StatusCode)
		}
	}
}

// releaseDrill books, rates (every criterion at its top level) and releases a passed drill of
// the scenario for the trainee, through the store as a supervisor would through the pages.
func releaseDrill(t *testing.T, env *testEnv, trainee, rater accounts.User, slug string) {
	t.Helper()
	rp, ok := realCatalog(t).Roleplay(slug)
	if !ok {
		t.Fatalf("no scenario %s", slug)
	}
	ctx := t.Context()
	id, err := env.store.CreateDrill(ctx, store.NewDrill{TraineeID: trainee.ID, Scenario: slug, Pass: rp.Pass, RaterID: rater.ID, StartNow: true})
	if err != nil {
		t.Fatal(err)
	}
	scores := map[string]int{}
	for _, cr := range rp.Rubric {
		scores[cr.Key] = cr.Levels[len(cr.Levels)-1].Score
	}
	if err := env.store.SaveRating(ctx, id, rater.ID, rp.Rubric, store.RatingInput{Scores: scores}, true); err != nil {
		t.Fatal(err)
	}
	if err := env.store.ReleaseDrill(ctx, id, rater.ID); err != nil {
		t.Fatal(err)
	}
}

var codePattern = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

func TestDayOneToClearedWithCertificate(t *testing.T) {
	env := newTestEnv(t)
	cat := realCatalog(t)
	p, _ := cat.Programme("onboarding")
	trainee, super := env.as("trainee-a"), env.as("super-a")
	me, boss := env.users["trainee-a"], env.users["super-a"]
	token := trainee.csrfFrom("/me/progress")

	// A module page left open without activity credits nothing, even with a passed quiz.
	first, _ := cat.Module(p.Modules[0])
	trainee.get(first.URL())
	env.clock.advance(40 * time.Minute)
	trainee.post(first.URL()+"/activity", url.Values{}, token)
	takeQuiz(t, env, trainee, first.URL(), true)
	if pr, _ := env.store.ModuleProgress(t.Context(), me.ID); pr[first.ID].ActiveSeconds != 0 {
		t.Fatalf("an idle open page earned %d s", pr[first.ID].ActiveSeconds)
	}
	if page := trainee.get("/me/progress"); !strings.Contains(page.body, "已获学时 0 / 40") || !strings.Contains(page.body, "0 / "+hoursText(first.Hours)) {
		t.Fatal("the idle module was credited")
	}

	// Read every module (the breaks between modules are idle gaps that do not count) and pass
	// its quiz.
	for i, id := range p.Modules {
		m, _ := cat.Module(id)
		readModule(t, env, trainee, token, m.URL(), m.Minutes)
		if i > 0 {
			takeQuiz(t, env, trainee, m.URL(), true)
		}
		env.clock.advance(10 * time.Minute) // a break: does not count
	}
	// Drills are run and released by the supervisor.
	for _, slug := range p.Drills {
		releaseDrill(t, env, me, boss, slug)
	}
	// The final assessment, passed.
	r, _ := trainee.post("/programmes/onboarding/assessment", url.Values{}, token)
	final := attemptID(t, r)
	a, _ := env.store.Attempt(t.Context(), final)
	trainee.post("/attempts/"+strconv.FormatInt(final, 10)+"/submit", rightAnswers(t, env, a), token)
	if a, _ = env.store.Attempt(t.Context(), final); !a.Passed {
		t.Fatalf("final assessment not passed: %.1f %s", a.Score, a.State)
	}
	// Modules (35.5) and drills (4) are not 40 hours: not cleared before offline hours.
	page := trainee.get("/me/progress")
	if strings.Contains(page.body, "可上岗</strong>") || !strings.Contains(page.body, "还差 0.5 学时") {
		t.Fatalf("cleared without offline hours:\n%s", page.body)
	}
	if !strings.Contains(page.body, "实测合计") || !strings.Contains(page.body, "课程 35.5，演练 4，") {
		t.Fatal("progress page lacks the measured time or the credited split")
	}
	if r := trainee.get("/me/certificate"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/me/progress#clearance" {
		t.Fatalf("certificate before clearance: %d", r.StatusCode)
	}

	// The supervisor logs shadowing; pending hours do not count.
	staffPage := staffPath(me, "")
	stoken := super.csrfFrom(staffPage)
	form := url.Values{"activity": {"shadowing"}, "hours": {"2"}, "on_date": {today(env.clock.now())}, "note": {"跟岗第一天"}}
	if r, _ := super.post(staffPath(me, "/offline"), form, stoken); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("log offline: %d\n%s", r.StatusCode, r.body)
	}
	if page := trainee.get("/me/progress"); strings.Contains(page.body, "可上岗</strong>") || !strings.Contains(page.body, "待签核") {
		t.Fatal("pending offline hours counted or not shown")
	}
	entries, _ := env.store.OfflineEntries(t.Context(), []int64{me.ID})
	if len(entries[me.ID]) != 1 || entries[me.ID][0].SignedOff {
		t.Fatalf("entries: %+v", entries)
	}
	entry := entries[me.ID][0].ID
	signoff := staffPath(me, "/offline/"+strconv.FormatInt(entry, 10)+"/signoff")
	if r, _ := super.post(signoff, url.Values{}, stoken); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign off: %d", r.StatusCode)
	}
	if r, _ := super.post(signoff, url.Values{}, stoken); r.StatusCode != http.StatusConflict {
		t.Fatalf("second sign-off: %d, want 409", r.StatusCode)
	}
	page = trainee.get("/me/progress")
	if !strings.Contains(page.body, "可上岗</strong>") || !strings.Contains(page.body, "已获学时 41.5 / 40") {
		t.Fatalf("not cleared after sign-off:\n%s", page.body)
	}
	log, _ := env.store.AuditLog(t.Context(), 200)
	actions := map[string]bool{}
	for _, e := range log {
		actions[e.Action] = true
	}
	for _, want := range []string{"offline.log", "offline.signoff", "clearance.record"} {
		if !actions[want] {
			t.Errorf("no %s in the audit log", want)
		}
	}

	// The certificate shows a code that /verify accepts, typed sloppily too; it never changes.
	cert := trainee.get("/me/certificate")
	code := codePattern.FindString(cert.body)
	if cert.StatusCode != http.StatusOK || code == "" || !strings.Contains(cert.body, "学员甲") || !strings.Contains(cert.body, "人民路店") {
		t.Fatalf("certificate: %d\n%s", cert.StatusCode, cert.body)
	}
	env.clock.advance(time.Hour)
	if again := super.get(staffPath(me, "/certificate")); codePattern.FindString(again.body) != code {
		t.Fatal("the certificate code changed")
	}
	anon := env.anonymous()
	v := anon.get("/verify?code=" + url.QueryEscape(strings.ToLower(strings.ReplaceAll(code, "-", " "))))
	if !strings.Contains(v.body, "有效") || !strings.Contains(v.body, "学员甲") || !strings.Contains(v.body, "人民路店") {
		t.Fatalf("verify: %d\n%s", v.StatusCode, v.body)
	}
	wrong := []byte(code)
	wrong[0] = map[bool]byte{true: '1', false: '0'}[wrong[0] == '0']
	if v := anon.get("/verify?code=" + string(wrong)); !strings.Contains(v.body, "无效") || strings.Contains(v.body, "学员甲") {
		t.Fatal("a wrong code verifies or reveals a name")
	}
	if v := anon.get("/verify?code=hello"); !strings.Contains(v.body, "无效") {
		t.Fatal("garbage is not refused")
	}

	// The store dashboard lists the trainee as ready for the floor today.
	dash := super.get("/store")
	if dash.StatusCode != http.StatusOK || !strings.Contains(dash.body, "今日可上岗") ||
		!regexp.MustCompile(`<ul class="ready"><li>学员甲</li>`).MatchString(dash.body) || !strings.Contains(dash.body, "<svg") {
		t.Fatalf("store dashboard:\n%s", dash.body)
	}
}

func TestOfflineHoursFormScopeAndSelf(t *testing.T) {
	env := newTestEnv(t)
	me := env.users["trainee-a"]
	superA, superB, admin := env.as("super-a"), env.as("super-b"), env.as("admin")
	token := superA.csrfFrom(staffPath(me, ""))

	// Bad input re-renders with a message at each field and keeps what was typed.
	bad := url.Values{"activity": {"sleeping"}, "hours": {"-1"}, "on_date": {"2999-01-01"}, "note": {"记下的话"}}
	r, _ := superA.post(staffPath(me, "/offline"), bad, token)
	for _, id := range []string{"activity-error", "hours-error", "on_date-error"} {
		if !strings.Contains(r.body, `id="`+id+`"`) {
			t.Errorf("no %s", id)
		}
	}
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "记下的话") {
		t.Fatalf("bad form: %d", r.StatusCode)
	}
	tooMuch := url.Values{"activity": {"complaint-observation"}, "hours": {"3"}, "on_date": {"2026-01-05"}}
	if r, _ := superA.post(staffPath(me, "/offline"), tooMuch, token); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "最多计 2 学时") {
		t.Fatalf("hours above the activity's: %d", r.StatusCode)
	}
	good := url.Values{"activity": {"complaint-observation"}, "hours": {"1"}, "on_date": {"2026-01-05"}}
	if r, _ := superA.post(staffPath(me, "/offline"), good, token); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("log: %d", r.StatusCode)
	}
	entries, _ := env.store.OfflineEntries(t.Context(), []int64{me.ID})
	signoff := staffPath(me, "/offline/"+strconv.FormatInt(entries[me.ID][0].ID, 10)+"/signoff")

	// Another store's supervisor: every staff route of this person is a 404, like a missing one.
	btoken := superB.csrfFrom("/store")
	for _, path := range []string{staffPath(me, ""), staffPath(me, "/certificate")} {
		if r := superB.get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "学员甲") {
			t.Errorf("%s as another store's supervisor: %d", path, r.StatusCode)
		}
	}
	if r, _ := superB.post(staffPath(me, "/offline"), good, btoken); r.StatusCode != http.StatusNotFound {
		t.Errorf("log for another store: %d", r.StatusCode)
	}
	if r, _ := superB.post(signoff, url.Values{}, btoken); r.StatusCode != http.StatusNotFound {
		t.Errorf("sign off for another store: %d", r.StatusCode)
	}
	// The entry under another (visible) person's URL is not found either.
	other := staffPath(env.users["trainee-b"], "/offline/"+strconv.FormatInt(entries[me.ID][0].ID, 10)+"/signoff")
	if r, _ := superB.post(other, url.Values{}, btoken); r.StatusCode != http.StatusNotFound {
		t.Errorf("entry under the wrong person: %d", r.StatusCode)
	}
	// Nobody logs their own hours.
	self := staffPath(env.users["super-a"], "/offline")
	if r, _ := superA.post(self, good, token); r.StatusCode != http.StatusForbidden {
		t.Errorf("own hours: %d", r.StatusCode)
	}
	// An admin may sign off.
	if r, _ := admin.post(signoff, url.Values{}, admin.csrfFrom("/company")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin sign-off: %d", r.StatusCode)
	}
	page := superA.get(staffPath(me, ""))
	if !strings.Contains(page.body, "已签核") || !strings.Contains(page.body, "管理员") || !strings.Contains(page.body, "跟岗等线下 1）") {
		t.Fatalf("staff page after sign-off:\n%s", page.body)
	}
	if !strings.Contains(page.body, `href="/staff/`+strconv.FormatInt(me.ID, 10)+`/drills"`) {
		t.Error("no drills link on the staff page")
	}
}

func TestOfflineHoursAddUpPerActivityToTheProgrammesHours(t *testing.T) {
	env := newTestEnv(t)
	me, boss := env.users["trainee-a"], env.users["super-a"]
	for _, h := range []float64{2, 2, 2, 2} { // 8 hours of shadowing logged; the programme credits 6
		id, err := env.store.LogOffline(t.Context(), store.NewOfflineEntry{UserID: me.ID, Activity: "shadowing", Hours: h, OnDate: time.Now(), ActorID: boss.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := env.store.SignOffOffline(t.Context(), id, boss.ID); err != nil {
			t.Fatal(err)
		}
	}
	d, err := env.app.onboarding(t.Context(), me.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Clearance.OfflineHours != 6 {
		t.Fatalf("offline hours %v, want 6 (capped at the programme's)", d.Clearance.OfflineHours)
	}
}

func TestDashboardsScopeCSVAndCompany(t *testing.T) {
	env := newTestEnv(t)
	hash, _ := accounts.HashPassword(testPassword, bcrypt.MinCost)
	if _, err := env.store.CreateUser(t.Context(), accounts.NewUser{Login: "formula", Name: "=HYPERLINK(1)", Role: accounts.Trainee, ShopCode: "001"}, hash); err != nil {
		t.Fatal(err)
	}
	superA, admin := env.as("super-a"), env.as("admin")
	dash := superA.get("/store?shop=002") // a supervisor's ?shop= is ignored: own store only
	if !strings.Contains(dash.body, "学员甲") || strings.Contains(dash.body, "学员乙") || strings.Contains(dash.body, "滨江店") {
		t.Fatalf("supervisor dashboard shows another store:\n%s", dash.body)
	}
	csv := superA.get("/store.csv")
	if !strings.HasPrefix(csv.body, "\ufeff") || !strings.Contains(csv.body, "学员甲") || strings.Contains(csv.body, "学员乙") ||
		!strings.Contains(csv.body, "'=HYPERLINK(1)") || !strings.Contains(csv.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("store CSV:\n%s", csv.body)
	}
	if d := admin.get("/store?shop=002"); !strings.Contains(d.body, "学员乙") || strings.Contains(d.body, "学员甲") {
		t.Fatal("admin's store selector")
	}
	if d := admin.get("/store?shop=999"); d.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown store: %d", d.StatusCode)
	}
	company := admin.get("/company")
	if !strings.Contains(company.body, "人民路店") || !strings.Contains(company.body, "滨江店") || !strings.Contains(company.body, "<svg") {
		t.Fatalf("company:\n%s", company.body)
	}
	if c := admin.get("/company.csv"); !strings.HasPrefix(c.body, "\ufeff") || !strings.Contains(c.body, "滨江店") {
		t.Fatalf("company CSV:\n%s", c.body)
	}
	if r := superA.get("/company"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor on /company: %d", r.StatusCode)
	}
}

// TestStoreDashboardQueriesDoNotGrowWithStaff holds the store dashboard to a fixed query budget:
// 60 staff with reading, quizzes, drills and offline hours cost the same few batch queries.
func TestStoreDashboardQueriesDoNotGrowWithStaff(t *testing.T) {
	env := newTestEnv(t)
	ctx := t.Context()
	boss := env.users["super-a"]
	cat := realCatalog(t)
	p, _ := cat.Programme("onboarding")
	m, _ := cat.Module(p.Modules[0])
	for i := 0; i < 60; i++ {
		u, err := env.store.CreateUser(ctx, accounts.NewUser{Login: "staff" + strconv.Itoa(i), Name: "员工" + strconv.Itoa(i), Role: accounts.Trainee, ShopCode: "001"}, "x")
		if err != nil {
			t.Fatal(err)
		}
		if err := env.store.RecordModuleVisit(ctx, u.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.store.LogOffline(ctx, store.NewOfflineEntry{UserID: u.ID, Activity: "shadowing", Hours: 2, OnDate: time.Now(), ActorID: boss.ID}); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			releaseDrill(t, env, u, boss, p.Drills[0])
		}
	}
	c := env.as("super-a")
	if err := env.store.FlushActivity(ctx); err != nil { // the queued visits are written before counting
		t.Fatal(err)
	}
	count := env.store.CountStatements()
	page := c.get("/store")
	n := count()
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "员工59") {
		t.Fatalf("dashboard: %d", page.StatusCode)
	}
	t.Logf("GET /store with %d staff: %d SQL statements", 62, n)
	if n > 20 {
		t.Fatalf("GET /store ran %d statements for 62 staff; the dashboard must batch its queries", n)
	}
}

func TestVerificationCodeNeedsTheServersSecret(t *testing.T) {
	env := newTestEnv(t)
	me := env.users["trainee-a"]
	at := time.Now().UTC().Truncate(time.Second)
	// A clearance row whose code was made with another key (a forged or stale row) is invalid.
	forged := tracking.VerificationCode([]byte("somebody else's key of 32 bytes!!"), me.ID, at)
	if _, err := env.store.RecordClearance(t.Context(), store.Clearance{UserID: me.ID, ClearedAt: at, Hours: 40, FinalScore: 90, Code: forged}); err != nil {
		t.Fatal(err)
	}
	if v := env.anonymous().get("/verify?code=" + forged); !strings.Contains(v.body, "无效") || strings.Contains(v.body, "学员甲") {
		t.Fatal("a code not made with the server's key verifies")
	}
}

// TestCompanyRollupAddsUpLikeTheStaffRows: the company view sums current summaries in the
// database and evaluates only the stale people; each store's line must equal the one summed
// person by person from the staff rows the store pages show, when every summary is stale, when
// all are current, and when some changed since.
func TestCompanyRollupAddsUpLikeTheStaffRows(t *testing.T) {
	env := newTestEnv(t)
	ctx := t.Context()
	boss := env.users["super-a"]
	cat := realCatalog(t)
	p, _ := cat.Programme("onboarding")
	month := lastMonth(env)
	var staff []accounts.User
	for i := 0; i < 24; i++ {
		shop := []string{"001", "002"}[i%2]
		u, err := env.store.CreateUser(ctx, accounts.NewUser{Login: "roll" + strconv.Itoa(i), Name: "员工" + strconv.Itoa(i), Role: accounts.Trainee, ShopCode: shop}, "x")
		if err != nil {
			t.Fatal(err)
		}
		staff = append(staff, u)
		if _, err := env.store.LogOffline(ctx, store.NewOfflineEntry{UserID: u.ID, Activity: "shadowing", Hours: float64(i%5 + 1), OnDate: time.Now(), ActorID: boss.ID}); err != nil {
			t.Fatal(err)
		}
		if i%4 == 0 {
			releaseDrill(t, env, u, boss, p.Drills[0])
		}
		if i%3 == 0 {
			if _, err := env.store.SaveKPIValues(ctx, boss.ID, u.ShopID, []store.KPIChange{{UserID: u.ID, Month: month, Key: "satisfaction", Value: 4 + float64(i%10)/10}}); err != nil {
				t.Fatal(err)
			}
		}
		if i%5 == 0 { // an overdue assignment, and one still due
			past, future := env.clock.now().Add(-48*time.Hour), env.clock.now().Add(48*time.Hour)
			if _, err := env.store.AssignNew(ctx, []store.Assignment{
				{UserID: u.ID, Programme: "monthly-refresher", Kind: "refresher", Period: "2020-01", AssignedAt: past.Add(-time.Hour), DueAt: past},
				{UserID: u.ID, Programme: "monthly-refresher", Kind: "refresher", Period: "2020-02", AssignedAt: past, DueAt: future},
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	at := env.clock.now().UTC().Truncate(time.Second)
	code := tracking.VerificationCode([]byte("a key of thirty-two bytes or more!!"), staff[2].ID, at)
	if _, err := env.store.RecordClearance(ctx, store.Clearance{UserID: staff[2].ID, ClearedAt: at, Hours: 40, FinalScore: 90, Code: code}); err != nil {
		t.Fatal(err)
	}
	if err := env.store.SetActive(ctx, staff[7].ID, false); err != nil { // left: counted nowhere
		t.Fatal(err)
	}
	// The same line summed person by person, as before the roll-up moved into the database.
	expected := func() map[int64]views.CompanyRow {
		t.Helper()
		rows, err := env.app.staffRecords(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		type sums struct{ hours, kpi float64 }
		out, total := map[int64]views.CompanyRow{}, map[int64]sums{}
		for _, r := range rows {
			row, s := out[r.ShopID], total[r.ShopID]
			row.Staff++
			if r.Cleared {
				row.Cleared++
			}
			row.Overdue += r.Overdue
			s.hours += r.Credited
			if r.HasKPI {
				row.KPIStaff++
				s.kpi += r.KPI
			}
			out[r.ShopID], total[r.ShopID] = row, s
		}
		for id, row := range out {
			row.ClearedPct = float64(row.Cleared) / float64(row.Staff) * 100
			row.AvgHours = math.Round(total[id].hours/float64(row.Staff)*10) / 10
			if row.KPIStaff > 0 {
				row.MeanKPI = total[id].kpi / float64(row.KPIStaff)
			}
			out[id] = row
		}
		return out
	}
	check := func(when string) {
		t.Helper()
		got, err := env.app.companyRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := expected()
		for _, row := range got {
			w := want[row.Shop.ID]
			w.Shop = row.Shop
			if math.Abs(row.MeanKPI-w.MeanKPI) < 1e-9 {
				w.MeanKPI = row.MeanKPI // summed in another order
			}
			if row != w {
				t.Fatalf("%s: store %s\n got %+v\nwant %+v", when, row.Shop.Code, row, w)
			}
			delete(want, row.Shop.ID)
		}
		if len(want) != 0 {
			t.Fatalf("%s: stores missing from the company view: %v", when, want)
		}
		env.store.FlushOnboardingSummaries()
	}
	check("every summary stale")
	check("every summary current")
	for _, u := range staff[:6] {
		if _, err := env.store.LogOffline(ctx, store.NewOfflineEntry{UserID: u.ID, Activity: "shadowing", Hours: 3, OnDate: time.Now(), ActorID: boss.ID}); err != nil {
			t.Fatal(err)
		}
	}
	releaseDrill(t, env, staff[1], boss, p.Drills[0])
	check("some summaries changed since")
	got, _ := env.app.companyRows(ctx)
	var staffed, cleared, overdue, kpi int
	for _, row := range got {
		staffed, cleared, overdue, kpi = staffed+row.Staff, cleared+row.Cleared, overdue+row.Overdue, kpi+row.KPIStaff
	}
	if staffed < 23 || cleared == 0 || overdue == 0 || kpi == 0 {
		t.Fatalf("the test set must exercise every column: %d staff, %d cleared, %d overdue, %d with KPIs", staffed, cleared, overdue, kpi)
	}
}
