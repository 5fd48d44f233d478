package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"aftercare/store"
	"aftercare/tracking"
	"aftercare/views"
)

// The KPI routes in the route × actor matrix of matrix_test.go. Its GETs carry no month (so
// last month is shown) and its POSTs no month, file or signed sheet, which is a bad request
// for everyone allowed past the access rule (an upload without a file re-renders the upload
// page with 422). The tests below check the same routes with real values of both stores.
func init() {
	for k, v := range map[string][6]int{
		"GET /kpis":                 {303, 403, 403, 200, 200, 200},
		"POST /kpis":                {401, 403, 403, 400, 400, 400},
		"GET /kpis/import":          {303, 403, 403, 403, 403, 200},
		"POST /kpis/import":         {401, 403, 403, 403, 403, 422},
		"POST /kpis/import/confirm": {401, 403, 403, 403, 403, 400},
		"GET /kpis/appraisal":       {303, 200, 200, 200, 200, 200},
	} {
		accessMatrix[k] = v
	}
}

// lastMonth is the month the KPI pages default to, by the test clock.
func lastMonth(env *testEnv) string {
	m, _, _ := tracking.Period(tracking.Monthly, env.clock.now(), displayZone)
	return tracking.AddMonths(m, -1)
}

// kpiForm is a filled KPI form for a store's month: values keyed by login and KPI key.
func kpiForm(env *testEnv, month, shop string, values map[string]map[string]string) url.Values {
	f := url.Values{"month": {month}, "shop": {shop}}
	for login, kv := range values {
		for key, v := range kv {
			f.Set(views.KPIField(env.users[login].ID, key), v)
		}
	}
	return f
}

// storedKPIs is everything stored for a month, keyed "login key".
func storedKPIs(t *testing.T, env *testEnv, month string) map[string]float64 {
	t.Helper()
	vals, err := env.store.ShopKPIValues(context.Background(), 0, month, month)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, v := range vals {
		out[v.Login+" "+v.Key] = v.Value
	}
	return out
}

// testKPIDefs is the bundled KPI table as tracking scores it.
func testKPIDefs(t *testing.T, env *testEnv) []tracking.KPI { return env.app.kpiDefs() }

// goodValues meets every target except satisfaction (4.5 < 4.8).
var goodValues = map[string]string{
	"satisfaction": "4.5", "complaints-on-time": "92", "first-contact-resolution": "85",
	"service-cost": "2.5", "response-24h": "90", "return-rate": "1.2",
}

func TestKPIFormSupervisorEntersOwnStore(t *testing.T) {
	env := newTestEnv(t)
	month := lastMonth(env)
	super := env.as("super-a")
	page := super.get("/kpis")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, tracking.MonthLabel(month)) ||
		!strings.Contains(page.body, "学员甲") || strings.Contains(page.body, "学员乙") {
		t.Fatalf("form: %d\n%s", page.StatusCode, page.body)
	}
	if !strings.Contains(page.body, `name="`+views.KPIField(env.users["trainee-a"].ID, "satisfaction")+`"`) {
		t.Fatal("no satisfaction field for trainee A")
	}
	r, _ := super.post("/kpis", kpiForm(env, month, "001", map[string]map[string]string{"trainee-a": goodValues}), super.csrfFrom("/kpis"))
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "saved=6") {
		t.Fatalf("save: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	got := storedKPIs(t, env, month)
	if len(got) != 6 || got["trainee-a satisfaction"] != 4.5 || got["trainee-a service-cost"] != 2.5 {
		t.Errorf("stored = %v", got)
	}
	after := super.get(r.Header.Get("Location"))
	if !strings.Contains(after.body, "已保存 6 项") || !strings.Contains(after.body, `value="4.5"`) {
		t.Errorf("after save:\n%s", after.body)
	}
	// Emptying a field clears the value; the audit log keeps before and after.
	f := kpiForm(env, month, "001", map[string]map[string]string{"trainee-a": goodValues})
	f.Set(views.KPIField(env.users["trainee-a"].ID, "return-rate"), "")
	f.Set(views.KPIField(env.users["trainee-a"].ID, "satisfaction"), "4.6")
	if r, _ := super.post("/kpis", f, super.csrfFrom("/kpis")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save: %d", r.StatusCode)
	}
	got = storedKPIs(t, env, month)
	if _, has := got["trainee-a return-rate"]; has || got["trainee-a satisfaction"] != 4.6 || len(got) != 5 {
		t.Errorf("after clearing: %v", got)
	}
	log, _ := env.store.AuditLog(context.Background(), 5)
	obj := fmt.Sprintf("kpi:%d:%s:", env.users["trainee-a"].ID, month)
	if log[0].Action != "kpi.clear" || log[0].Object != obj+"return-rate" || log[0].Before != "1.2" ||
		log[1].Action != "kpi.set" || log[1].Before != "4.5" || log[1].After != "4.6" || log[1].ActorID != env.users["super-a"].ID {
		t.Errorf("audit = %+v", log[:2])
	}
	// A month that has not begun is refused.
	next := tracking.AddMonths(month, 2)
	if r := super.get("/kpis?month=" + next); r.StatusCode != http.StatusBadRequest {
		t.Errorf("future month: %d", r.StatusCode)
	}
	// An admin picks the store.
	admin := env.as("admin")
	if r := admin.get("/kpis?shop=002&month=" + month); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "学员乙") || strings.Contains(r.body, "学员甲") {
		t.Errorf("admin store 002: %d", r.StatusCode)
	}
	if r := admin.get("/kpis?shop=999"); r.StatusCode != http.StatusNotFound {
		t.Errorf("admin unknown store: %d", r.StatusCode)
	}
}

func TestKPIFormFieldErrorsKeepWhatWasTyped(t *testing.T) {
	env := newTestEnv(t)
	month := lastMonth(env)
	super := env.as("super-a")
	bad := map[string]string{"satisfaction": "48", "complaints-on-time": "abc", "first-contact-resolution": "101",
		"service-cost": "-1", "response-24h": "88", "return-rate": "2.5"}
	r, _ := super.post("/kpis", kpiForm(env, month, "001", map[string]map[string]string{"trainee-a": bad}), super.csrfFrom("/kpis"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", r.StatusCode, r.body)
	}
	body := html.UnescapeString(r.body)
	for _, want := range []string{"有 4 处需要修改", "「48」超过满分 5分", "「abc」不是数字", "「101」超过 100%", "「-1」不能为负数",
		`value="48"`, `value="abc"`, `value="88"`, `value="2.5"`} {
		if !strings.Contains(body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	id := env.users["trainee-a"].ID
	if !strings.Contains(body, `id="`+views.KPIField(id, "satisfaction")+`-error"`) ||
		!regexp.MustCompile(`name="`+views.KPIField(id, "satisfaction")+`"[^>]*aria-invalid="true"`).MatchString(body) {
		t.Error("the wrong field is not marked")
	}
	if got := storedKPIs(t, env, month); len(got) != 0 {
		t.Errorf("a refused form wrote %v", got)
	}
}

func TestKPIFormOtherStoreIs404AndWritesNothing(t *testing.T) {
	env := newTestEnv(t)
	month := lastMonth(env)
	super := env.as("super-a")
	token := super.csrfFrom("/kpis")
	for name, values := range map[string]map[string]map[string]string{
		"other store's trainee":  {"trainee-a": goodValues, "trainee-b": {"satisfaction": "4.9"}},
		"other store's manager":  {"trainee-a": goodValues, "super-b": {"satisfaction": "4.9"}},
		"own supervisor, no row": {"trainee-a": goodValues, "super-a": {"satisfaction": "4.9"}},
	} {
		r, _ := super.post("/kpis", kpiForm(env, month, "001", values), token)
		if r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "学员乙") {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
	}
	// Naming store 002 in the form does not move a supervisor out of their own store.
	r, _ := super.post("/kpis", kpiForm(env, month, "002", map[string]map[string]string{"trainee-b": {"satisfaction": "4.9"}}), token)
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("shop=002: %d", r.StatusCode)
	}
	if got := storedKPIs(t, env, month); len(got) != 0 {
		t.Errorf("wrote %v", got)
	}
	// A trainee may not post the form at all.
	tr := env.as("trainee-a")
	if r, _ := tr.post("/kpis", kpiForm(env, month, "001", map[string]map[string]string{"trainee-a": goodValues}), tr.csrfFrom("/courses")); r.StatusCode != http.StatusForbidden {
		t.Errorf("trainee: %d", r.StatusCode)
	}
}

var hiddenInput = regexp.MustCompile(`name="(data|mac|file)" value="([^"]*)"`)

// previewAndConfirm uploads a sheet, expects a clean preview and confirms it.
func previewAndConfirm(t *testing.T, env *testEnv, name string, data []byte) (preview, done response) {
	t.Helper()
	admin := env.as("admin")
	token := admin.csrfFrom("/kpis/import")
	preview = admin.upload(t, "/kpis/import", token, name, data)
	if preview.StatusCode != http.StatusOK || !strings.Contains(preview.body, "检查通过，尚未写入") {
		t.Fatalf("preview of %s: %d\n%s", name, preview.StatusCode, preview.body)
	}
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(preview.body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	done, _ = admin.post("/kpis/import/confirm", form, token)
	return preview, done
}

func TestKPIImportGBKAndBOMFiles(t *testing.T) {
	env := newTestEnv(t)
	month := lastMonth(env)
	sheet := "登录名,月份,顾客满意度,投诉按时处理率(%),首次解决率,service-cost\r\n" +
		"trainee-a," + month + ",4.9,92%,85,2.5\r\n" +
		"trainee-b," + strings.Replace(month, "-", "年", 1) + "月,4.2,88,,3.6\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(sheet))
	if err != nil {
		t.Fatal(err)
	}
	preview, done := previewAndConfirm(t, env, "十一月指标.csv", gbk)
	for _, want := range []string{"GBK", "学员甲", "学员乙", "92%", "3.6%"} {
		if !strings.Contains(preview.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if done.StatusCode != http.StatusSeeOther || !strings.Contains(done.Header.Get("Location"), "imported=2") {
		t.Fatalf("confirm: %d %s\n%s", done.StatusCode, done.Header.Get("Location"), done.body)
	}
	got := storedKPIs(t, env, month)
	if len(got) != 7 || got["trainee-a complaints-on-time"] != 92 || got["trainee-b satisfaction"] != 4.2 || got["trainee-b service-cost"] != 3.6 {
		t.Errorf("stored = %v", got)
	}
	admin := env.as("admin")
	if r := admin.get(done.Header.Get("Location")); !strings.Contains(r.body, "已导入 2 行，写入 7 个数值") {
		t.Errorf("notice missing:\n%s", r.body)
	}

	// The same people a month earlier from Excel's "CSV UTF-8" (with a byte-order mark).
	earlier := tracking.AddMonths(month, -1)
	bom := append([]byte("\xef\xbb\xbf"), []byte("login,month,satisfaction\ntrainee-a,"+earlier+",4.8\n")...)
	preview, done = previewAndConfirm(t, env, "bom.csv", bom)
	if !strings.Contains(preview.body, "UTF-8 BOM") || done.StatusCode != http.StatusSeeOther {
		t.Fatalf("BOM file: %d", done.StatusCode)
	}
	if got := storedKPIs(t, env, earlier); len(got) != 1 || got["trainee-a satisfaction"] != 4.8 {
		t.Errorf("BOM stored = %v", got)
	}
}

func TestKPIImportWithABadRowImportsNothing(t *testing.T) {
	env := newTestEnv(t)
	month := lastMonth(env)
	admin := env.as("admin")
	token := admin.csrfFrom("/kpis/import")
	sheet := "登录名,月份,顾客满意度\ntrainee-a," + month + ",4.9\nnobody," + month + ",4.7\ntrainee-b," + month + ",4.8分\n"
	r := admin.upload(t, "/kpis/import", token, "bad.csv", []byte(sheet))
	body := html.UnescapeString(r.body)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "整份文件都不会导入") ||
		!strings.Contains(body, "第 3 行「登录名」：登录名「nobody」不存在") || !strings.Contains(body, "第 4 行「顾客满意度」") {
		t.Fatalf("bad sheet: %d\n%s", r.StatusCode, body)
	}
	if strings.Contains(body, `name="mac"`) {
		t.Error("a refused sheet offers a confirmation")
	}
	// A confirmation nobody previewed (no or a forged signature) is refused.
	data := url.Values{"file": {"bad.csv"}, "data": {"bG9naW4sbW9udGgsc2F0aXNmYWN0aW9uCnRyYWluZWUtYSwyMDI2LTEwLDEK"}, "mac": {"forged"}}
	if r, _ := admin.post("/kpis/import/confirm", data, token); r.StatusCode != http.StatusBadRequest {
		t.Errorf("forged confirm: %d", r.StatusCode)
	}
	if got := storedKPIs(t, env, month); len(got) != 0 {
		t.Fatalf("wrote %v", got)
	}

	// A clean preview is checked again at confirmation: trainee B left every store meanwhile.
	good := "登录名,月份,顾客满意度\ntrainee-a," + month + ",4.9\ntrainee-b," + month + ",4.7\n"
	preview := admin.upload(t, "/kpis/import", token, "good.csv", []byte(good))
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(preview.body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	if err := env.store.SetShop(context.Background(), env.users["trainee-b"].ID, ""); err != nil {
		t.Fatal(err)
	}
	// The signature is bound to the admin's session: another session cannot replay it.
	other := env.as("admin")
	if r, _ := other.post("/kpis/import/confirm", form, other.csrfFrom("/kpis/import")); r.StatusCode != http.StatusBadRequest {
		t.Errorf("replay in another session: %d", r.StatusCode)
	}
	r, _ = admin.post("/kpis/import/confirm", form, token)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.body), "第 3 行「登录名」") {
		t.Fatalf("re-check at confirm: %d\n%s", r.StatusCode, r.body)
	}
	if got := storedKPIs(t, env, month); len(got) != 0 {
		t.Fatalf("wrote %v", got)
	}
}

func TestKPIAppraisalNumbersAreTrackingAppraise(t *testing.T) {
	env := newTestEnv(t)
	month := lastMonth(env)
	values := map[string]string{"satisfaction": "4.5", "complaints-on-time": "81", "first-contact-resolution": "80", "service-cost": "3.6"}
	super := env.as("super-a")
	if r, _ := super.post("/kpis", kpiForm(env, month, "001", map[string]map[string]string{"trainee-a": values}), super.csrfFrom("/kpis")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	nums := map[string]float64{}
	for k, v := range values {
		nums[k], _ = strconv.ParseFloat(v, 64)
	}
	defs := testKPIDefs(t, env)
	want := tracking.Appraise(defs, nums)
	id := strconv.FormatInt(env.users["trainee-a"].ID, 10)
	for _, viewer := range []string{"trainee-a", "super-a", "admin"} {
		path := "/kpis/appraisal?month=" + month + "&user=" + id
		if viewer == "trainee-a" {
			path = "/kpis/appraisal?month=" + month
		}
		r := env.as(viewer).get(path)
		body := html.UnescapeString(r.body)
		if r.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf("%.1f 分", want.Total)) {
			t.Fatalf("%s: %d, want total %.1f\n%s", viewer, r.StatusCode, want.Total, body)
		}
		for _, row := range want.Rows {
			if !strings.Contains(body, row.KPI.Rule()) {
				t.Errorf("%s: rule of %s missing", viewer, row.KPI.Key)
			}
			if row.HasValue && (!strings.Contains(body, fmt.Sprintf("<td>%.1f</td>", row.Score)) || !strings.Contains(body, fmt.Sprintf("<td>%.1f</td>", row.Points))) {
				t.Errorf("%s: score %.1f / points %.1f of %s missing", viewer, row.Score, row.Points, row.KPI.Key)
			}
		}
		if !strings.Contains(body, want.Note) || !strings.Contains(body, views.KnowledgeRule) {
			t.Errorf("%s: note or knowledge rule missing", viewer)
		}
	}
	// The store table shows the same total.
	table := super.get("/kpis/appraisal?month=" + month)
	if table.StatusCode != http.StatusOK || !strings.Contains(table.body, fmt.Sprintf("<td>%.1f</td>", want.Total)) || strings.Contains(table.body, "学员乙") {
		t.Errorf("store table: %d\n%s", table.StatusCode, table.body)
	}
	if all := env.as("admin").get("/kpis/appraisal?month=" + month); !strings.Contains(all.body, "学员乙") || !strings.Contains(all.body, "学员甲") {
		t.Error("admin's table of every store lacks someone")
	}
}

func TestKPITrainingScoresBesideTheAppraisal(t *testing.T) {
	env := newTestEnv(t)
	cat := realCatalog(t)
	tr := env.as("trainee-a")
	takeQuiz(t, env, tr, cat.Courses[0].Modules[0].URL(), true)
	this, _, _ := tracking.Period(tracking.Monthly, env.clock.now(), displayZone)
	r := tr.get("/kpis/appraisal?month=" + this)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "100.0 分</strong>（1 个测验）") {
		t.Errorf("knowledge score: %d\n%s", r.StatusCode, r.body)
	}
	if r := tr.get("/kpis/appraisal?month=" + tracking.AddMonths(this, -1)); !strings.Contains(r.body, "本月没有完成的测验") {
		t.Error("last month counts this month's quiz")
	}
}

func TestKPIRemedialAssignedOnceWithTheReason(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	month := lastMonth(env)
	super := env.as("super-a")
	before := env.clock.now()
	r, _ := super.post("/kpis", kpiForm(env, month, "001", map[string]map[string]string{"trainee-a": goodValues}), super.csrfFrom("/kpis"))
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "remedial=1") {
		t.Fatalf("save: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	as, err := env.store.UserAssignments(ctx, env.users["trainee-a"].ID)
	if err != nil || len(as) != 1 {
		t.Fatalf("assignments = %+v, %v", as, err)
	}
	a := as[0]
	if a.Kind != store.KindRemedial || a.Programme != store.RemedialProgramme || a.Period != month ||
		!strings.Contains(a.Reason, "顾客满意度 4.5分，目标 ≥ 4.8分") || strings.Contains(a.Reason, "投诉") {
		t.Errorf("assignment = %+v", a)
	}
	if want := tracking.Remedial(testKPIDefs(t, env), map[string]float64{"satisfaction": 4.5}); strings.Join(a.Modules, " ") != strings.Join(want, " ") {
		t.Errorf("modules = %v, want %v", a.Modules, want)
	}
	if a.DueAt.Before(before.Add(14*24*time.Hour)) || a.DueAt.After(before.Add(15*24*time.Hour)) {
		t.Errorf("due %v, saved at %v", a.DueAt, before)
	}
	// Saving the month again, or importing it, assigns nothing twice.
	f := kpiForm(env, month, "001", map[string]map[string]string{"trainee-a": goodValues})
	f.Set(views.KPIField(env.users["trainee-a"].ID, "complaints-on-time"), "70")
	if r, _ := super.post("/kpis", f, super.csrfFrom("/kpis")); !strings.Contains(r.Header.Get("Location"), "remedial=0") {
		t.Errorf("second save: %s", r.Header.Get("Location"))
	}
	previewAndConfirm(t, env, "again.csv", []byte("登录名,月份,顾客满意度\ntrainee-a,"+month+",4.1\n"))
	if as, _ := env.store.UserAssignments(ctx, env.users["trainee-a"].ID); len(as) != 1 {
		t.Errorf("assignments after saving again = %d", len(as))
	}
	// The person sees it on their appraisal, with the modules to study.
	page := env.as("trainee-a").get("/kpis/appraisal?month=" + month)
	if !strings.Contains(page.body, "已分配补训") || !strings.Contains(page.body, "补训课程") {
		t.Errorf("appraisal lacks the assignment:\n%s", page.body)
	}
	// Everyone who met every target gets nothing.
	admin := env.as("admin")
	met := map[string]string{"satisfaction": "4.9", "complaints-on-time": "95"}
	if r, _ := admin.post("/kpis", kpiForm(env, month, "002", map[string]map[string]string{"trainee-b": met}), admin.csrfFrom("/kpis")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin save: %d", r.StatusCode)
	}
	if as, _ := env.store.UserAssignments(ctx, env.users["trainee-b"].ID); len(as) != 0 {
		t.Errorf("trainee B met the targets but got %+v", as)
	}
}

func TestKPIAppraisalTraineeSeesOwnOnly(t *testing.T) {
	env := newTestEnv(t)
	month := lastMonth(env)
	id := func(login string) string { return strconv.FormatInt(env.users[login].ID, 10) }
	tests := []struct {
		viewer, user string
		status       int
	}{
		{"trainee-a", "trainee-a", 200},
		{"trainee-a", "trainee-b", 404},
		{"trainee-a", "super-a", 404},
		{"trainee-b", "trainee-a", 404},
		{"super-a", "trainee-a", 200},
		{"super-a", "trainee-b", 404},
		{"super-b", "trainee-a", 404},
		{"admin", "trainee-b", 200},
	}
	for _, tt := range tests {
		r := env.as(tt.viewer).get("/kpis/appraisal?month=" + month + "&user=" + id(tt.user))
		if r.StatusCode != tt.status {
			t.Errorf("%s → %s: %d, want %d", tt.viewer, tt.user, r.StatusCode, tt.status)
		}
		if tt.status == 404 && strings.Contains(r.body, env.users[tt.user].Name) {
			t.Errorf("%s → %s: the 404 page names them", tt.viewer, tt.user)
		}
	}
	own := env.as("trainee-a").get("/kpis/appraisal")
	if own.StatusCode != http.StatusOK || !strings.Contains(own.body, "学员甲 · "+tracking.MonthLabel(month)) || strings.Contains(own.body, "返回门店考核表") {
		t.Errorf("trainee's own page: %d", own.StatusCode)
	}
	if r := env.as("trainee-a").get("/kpis/appraisal?user=abc"); r.StatusCode != http.StatusNotFound {
		t.Errorf("bad user id: %d", r.StatusCode)
	}
}

// TestBrowserKPIEntry is a supervisor's month-end on a phone: type the store's figures, get
// a wrong one back with its message and the rest kept, fix it, save, and read the appraisal.
func TestBrowserKPIEntry(t *testing.T) {
	env := newTestEnv(t)
	ctx := browser(t)
	month := lastMonth(env)
	field := func(key string) string { return "#" + views.KPIField(env.users["trainee-a"].ID, key) }
	var alert, kept, notice, total string
	err := chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/login"),
		chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#login`, "super-a", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, testPassword, chromedp.ByQuery),
		follow(`#password`, `nav.main`),
		follow(`nav.main a[href="/kpis"]`, field("satisfaction")),
		chromedp.SendKeys(field("satisfaction"), "45", chromedp.ByQuery),
		chromedp.SendKeys(field("complaints-on-time"), "92", chromedp.ByQuery),
		chromedp.SendKeys(field("service-cost"), "2.5", chromedp.ByQuery),
		follow(`form[action="/kpis"] button[type=submit]`, `.alert`),
		chromedp.Text(`.alert`, &alert, chromedp.ByQuery),
		chromedp.Value(field("complaints-on-time"), &kept, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(alert, "有 1 处需要修改") || kept != "92" {
		t.Fatalf("refused form: alert %q, kept %q", alert, kept)
	}
	screenshot(t, ctx, "kpi-entry-error")
	err = chromedp.Run(ctx,
		chromedp.SetValue(field("satisfaction"), "4.5", chromedp.ByQuery),
		follow(`form[action="/kpis"] button[type=submit]`, `.notice`),
		chromedp.Text(`.notice`, &notice, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(notice, "已保存 3 项") || !strings.Contains(notice, "补训 1 人") {
		t.Fatalf("saved: %q, %v", notice, err)
	}
	screenshot(t, ctx, "kpi-entry-saved")
	err = chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/kpis/appraisal?month="+month+"&user="+strconv.FormatInt(env.users["trainee-a"].ID, 10)),
		chromedp.WaitVisible(`p.score`, chromedp.ByQuery),
		chromedp.Text(`p.score`, &total, chromedp.ByQuery),
	)
	want := tracking.Appraise(env.app.kpiDefs(), map[string]float64{"satisfaction": 4.5, "complaints-on-time": 92, "service-cost": 2.5})
	if err != nil || total != fmt.Sprintf("%.1f 分", want.Total) {
		t.Fatalf("appraisal total %q, want %.1f (%v)", total, want.Total, err)
	}
	screenshot(t, ctx, "kpi-appraisal")
	var row string
	err = chromedp.Run(ctx,
		follow(`a[href^="/kpis/appraisal?month="]`, `table.data tbody tr`),
		chromedp.Text(`table.data tbody tr`, &row, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(row, "学员甲") || !strings.Contains(row, fmt.Sprintf("%.1f", want.Total)) {
		t.Fatalf("store table row %q (%v)", row, err)
	}
	screenshot(t, ctx, "kpi-table")
}
