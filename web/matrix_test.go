package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// actors, in the order of the expected statuses in accessMatrix.
var actors = []string{"anonymous", "trainee-a", "trainee-b", "super-a", "super-b", "admin"}

// accessMatrix is the expected status of every route for every actor, with the fixtures of
// TestEveryRouteHasAnAccessPolicy: :attempt is trainee A's submitted attempt (store 001).
// A route missing here fails the test, so no route ships without a decided policy.
// 303 for anonymous GETs is the redirect to the login page; 401 for anonymous POSTs.
var accessMatrix = map[string][6]int{
	"GET /healthz":                           {200, 200, 200, 200, 200, 200},
	"GET /login":                             {200, 303, 303, 303, 303, 303},
	"POST /login":                            {422, 422, 422, 422, 422, 422},
	"POST /logout":                           {401, 303, 303, 303, 303, 303},
	"GET /":                                  {303, 200, 200, 200, 200, 200},
	"GET /courses":                           {303, 200, 200, 200, 200, 200},
	"GET /courses/:course":                   {303, 200, 200, 200, 200, 200},
	"GET /courses/:course/:module":           {303, 200, 200, 200, 200, 200},
	"POST /courses/:course/:module/quiz":     {401, 303, 303, 303, 303, 303},
	"POST /courses/:course/:module/activity": {401, 204, 204, 204, 204, 204},
	"POST /programmes/:programme/assessment": {401, 303, 303, 303, 303, 303},
	"GET /attempts/:attempt":                 {303, 200, 404, 200, 404, 200},
	"POST /attempts/:attempt/save":           {401, 409, 404, 404, 404, 404},
	"POST /attempts/:attempt/submit":         {401, 409, 404, 404, 404, 404},
	"GET /me/progress":                       {303, 200, 200, 200, 200, 200},
	"GET /reports/quizzes":                   {303, 403, 403, 200, 200, 200},
	"GET /reports/quiz":                      {303, 403, 403, 200, 200, 200},
	"GET /reports/quiz.csv":                  {303, 403, 403, 200, 200, 200},
	"POST /reports/quiz/regrade":             {401, 403, 403, 403, 403, 200},
	"GET /reports/essays":                    {303, 403, 403, 200, 200, 200},
	"GET /attempts/:attempt/grade":           {303, 403, 403, 200, 404, 200},
	"POST /attempts/:attempt/grade":          {401, 403, 403, 400, 404, 400},
	"GET /admin/users":                       {303, 403, 403, 200, 200, 200},
	"POST /admin/users":                      {401, 403, 403, 403, 403, 422},
	"POST /admin/users/import":               {401, 403, 403, 403, 403, 422},
}

func TestEveryRouteHasAnAccessPolicy(t *testing.T) {
	env := newTestEnv(t)
	cat := realCatalog(t)
	m := cat.Courses[0].Modules[0]
	attempt := takeQuiz(t, env, env.as("trainee-a"), m.URL(), true)
	params := map[string]string{
		":course": m.Course.Slug, ":module": m.Slug, ":programme": "onboarding",
		":attempt": strconv.FormatInt(attempt, 10),
	}
	query := "quiz=" + url.QueryEscape("module:"+m.ID)
	checked := 0
	for _, r := range env.app.routes() {
		key := r.method + " " + r.path
		want, ok := accessMatrix[key]
		if !ok {
			t.Errorf("route %s has no entry in accessMatrix: decide who may call it", key)
			continue
		}
		path := r.path
		for p, v := range params {
			path = strings.ReplaceAll(path, p, v)
		}
		for i, actor := range actors {
			var c *client
			if actor == "anonymous" {
				c = env.anonymous()
			} else {
				c = env.as(actor)
			}
			var got response
			if r.method == http.MethodGet {
				got = c.get(path + "?" + query)
			} else {
				form := "/me/progress"
				if actor == "anonymous" {
					form = "/login"
				}
				token := c.csrfFrom(form)
				got, _ = c.post(path, url.Values{"quiz": {"module:" + m.ID}}, token)
			}
			checked++
			if got.StatusCode != want[i] {
				t.Errorf("%s as %s: %d, want %d", key, actor, got.StatusCode, want[i])
			}
			if got.StatusCode == http.StatusNotFound && strings.Contains(got.body, "学员甲") {
				t.Errorf("%s as %s: the 404 page shows the owner's name", key, actor)
			}
		}
	}
	for key := range accessMatrix {
		found := false
		for _, r := range env.app.routes() {
			found = found || r.method+" "+r.path == key
		}
		if !found {
			t.Errorf("accessMatrix lists %s, which is not a route", key)
		}
	}
	t.Logf("checked %d route × actor pairs", checked)
}
