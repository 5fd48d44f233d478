package web

import (
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"aftercare/static"
)

// access is who may call a route. Store scope (a supervisor sees only their store) is checked
// by the handler against the object it loads.
type access int

const (
	public access = iota
	signedIn
	supervisorOrAdmin
	adminOnly
)

// route is one entry of the route list.
type route struct {
	method string
	path   string
	access access
	handle echo.HandlerFunc
}

// routes is every route of the platform, with who may call it. A route that is not here does
// not exist; the access matrix test walks this list.
func (s *Server) routes() []route {
	return []route{
		{http.MethodGet, "/healthz", public, s.healthz},
		{http.MethodGet, "/login", public, s.loginForm},
		{http.MethodPost, "/login", public, s.login},
		{http.MethodPost, "/logout", signedIn, s.logout},
		{http.MethodGet, "/", signedIn, s.home},
		{http.MethodGet, "/courses", signedIn, s.catalogue},
		{http.MethodGet, "/courses/:course", signedIn, s.course},
		{http.MethodGet, "/courses/:course/:module", signedIn, s.module},
		{http.MethodPost, "/courses/:course/:module/quiz", signedIn, s.startModuleQuiz},
		{http.MethodPost, "/courses/:course/:module/activity", signedIn, s.moduleActivity},
		{http.MethodPost, "/programmes/:programme/assessment", signedIn, s.startAssessment},
		{http.MethodGet, "/attempts/:attempt", signedIn, s.attempt},
		{http.MethodPost, "/attempts/:attempt/save", signedIn, s.saveAttempt},
		{http.MethodPost, "/attempts/:attempt/submit", signedIn, s.submitAttempt},
		{http.MethodGet, "/drills", signedIn, s.drills},
		{http.MethodGet, "/drills/new", supervisorOrAdmin, s.newDrillForm},
		{http.MethodPost, "/drills", supervisorOrAdmin, s.createDrill},
		{http.MethodGet, "/drills/calibration", supervisorOrAdmin, s.calibration},
		{http.MethodGet, "/drills/:drill", signedIn, s.drill},
		{http.MethodPost, "/drills/:drill/start", supervisorOrAdmin, s.startDrill},
		{http.MethodGet, "/drills/:drill/rate", supervisorOrAdmin, s.rateForm},
		{http.MethodPost, "/drills/:drill/rate", supervisorOrAdmin, s.rate},
		{http.MethodPost, "/drills/:drill/release", supervisorOrAdmin, s.releaseDrill},
		{http.MethodPost, "/drills/:drill/reopen", supervisorOrAdmin, s.reopenDrill},
		{http.MethodGet, "/staff/:user/drills", supervisorOrAdmin, s.staffDrills},
		{http.MethodGet, "/staff/:user", supervisorOrAdmin, s.staff},
		{http.MethodPost, "/staff/:user/offline", supervisorOrAdmin, s.logOffline},
		{http.MethodPost, "/staff/:user/offline/:entry/signoff", supervisorOrAdmin, s.signOffOffline},
		{http.MethodGet, "/staff/:user/certificate", supervisorOrAdmin, s.staffCertificate},
		{http.MethodGet, "/me/certificate", signedIn, s.myCertificate},
		{http.MethodGet, "/verify", public, s.verify},
		{http.MethodGet, "/store", supervisorOrAdmin, s.storeDashboard},
		{http.MethodGet, "/store.csv", supervisorOrAdmin, s.storeCSV},
		{http.MethodGet, "/company", adminOnly, s.companyDashboard},
		{http.MethodGet, "/company.csv", adminOnly, s.companyCSV},
		{http.MethodGet, "/practice", signedIn, s.practiceList},
		{http.MethodPost, "/practice", signedIn, s.startPractice},
		{http.MethodGet, "/practice/:session", signedIn, s.practiceRun},
		{http.MethodPost, "/practice/:session/choose", signedIn, s.choosePractice},
		{http.MethodGet, "/me/progress", signedIn, s.progress},
		{http.MethodGet, "/reports/quizzes", supervisorOrAdmin, s.quizzesReport},
		{http.MethodGet, "/reports/quiz", supervisorOrAdmin, s.quizReport},
		{http.MethodGet, "/reports/quiz.csv", supervisorOrAdmin, s.quizCSV},
		{http.MethodPost, "/reports/quiz/regrade", adminOnly, s.regrade},
		{http.MethodGet, "/reports/essays", supervisorOrAdmin, s.essays},
		{http.MethodGet, "/attempts/:attempt/grade", supervisorOrAdmin, s.gradeForm},
		{http.MethodPost, "/attempts/:attempt/grade", supervisorOrAdmin, s.grade},
		{http.MethodGet, "/admin/users", supervisorOrAdmin, s.users},
		{http.MethodPost, "/admin/users", adminOnly, s.createUser},
		{http.MethodPost, "/admin/users/import", adminOnly, s.importUsers},
		{http.MethodGet, "/kpis", supervisorOrAdmin, s.kpiForm},
		{http.MethodPost, "/kpis", supervisorOrAdmin, s.saveKPIs},
		{http.MethodGet, "/kpis/import", adminOnly, s.kpiImportForm},
		{http.MethodPost, "/kpis/import", adminOnly, s.kpiImportPreview},
		{http.MethodPost, "/kpis/import/confirm", adminOnly, s.kpiImportConfirm},
		{http.MethodGet, "/kpis/appraisal", signedIn, s.kpiAppraisal},
	}
}

func (s *Server) registerRoutes(e *echo.Echo) {
	for _, r := range s.routes() {
		e.Add(r.method, r.path, r.handle, s.require(r.access))
	}
	assets := http.StripPrefix("/static/", http.FileServer(http.FS(static.FS)))
	e.GET("/static/*", echo.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || path.Clean(r.URL.Path) != r.URL.Path {
			http.NotFound(w, r) // no folder listings, no dot segments (not even ones that stay inside)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		assets.ServeHTTP(w, r)
	})))
}
