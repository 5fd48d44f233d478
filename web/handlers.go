package web

import (
	"crypto/rand"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/tracking"
	"aftercare/views"
)

func (s *Server) healthz(c echo.Context) error {
	if _, err := s.store.SchemaVersion(c.Request().Context()); err != nil {
		return err
	}
	return c.String(http.StatusOK, "ok")
}

func (s *Server) loginForm(c echo.Context) error {
	if _, ok := currentUser(c); ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	f := views.Form{Values: map[string]string{"next": c.QueryParam("next")}}
	return s.render(c, http.StatusOK, views.LoginPage(s.page(c, "登录", "login"), f))
}

// safeNext keeps redirects after login on this site: only local absolute paths are followed.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) login(c echo.Context) error {
	ctx := c.Request().Context()
	f := views.Form{Values: map[string]string{"login": c.FormValue("login"), "next": c.FormValue("next")}, Errors: failure.Fields{}}
	password := c.FormValue("password")
	if strings.TrimSpace(f.Values["login"]) == "" {
		f.Errors.Add("login", "请输入登录名")
	}
	if password == "" {
		f.Errors.Add("password", "请输入密码")
	}
	if len(f.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, views.LoginPage(s.page(c, "登录", "login"), f))
	}
	account := "login:" + strings.ToLower(strings.TrimSpace(f.Values["login"]))
	address := "ip:" + c.RealIP()
	failures, err := s.store.LoginFailures(ctx, lockout, account, address)
	if err != nil {
		return err
	}
	if failures[account] >= maxAccountFailures || failures[address] >= maxAddressFailures {
		_ = s.store.Audit(ctx, store.AuditEntry{Action: "login.locked", Object: account, After: c.RealIP()})
		f.Problem = "登录失败次数过多，已暂时锁定。请 15 分钟后再试，或联系管理员重设密码。"
		return s.render(c, http.StatusTooManyRequests, views.LoginPage(s.page(c, "登录", "login"), f))
	}
	u, hash, err := s.store.UserByLogin(ctx, f.Values["login"])
	if err != nil && !errors.Is(err, failure.ErrNotFound) {
		return err
	}
	if err != nil {
		accounts.CheckPassword(s.dummyHash(), password)
	}
	if err != nil || !accounts.CheckPassword(hash, password) || !u.Active {
		if err := s.store.RecordLoginFailure(ctx, account, address); err != nil {
			return err
		}
		_ = s.store.Audit(ctx, store.AuditEntry{ActorID: u.ID, Action: "login.failed", Object: account, After: c.RealIP()})
		f.Problem = "登录名或密码不正确。"
		return s.render(c, http.StatusUnauthorized, views.LoginPage(s.page(c, "登录", "login"), f))
	}
	if err := s.store.ClearLoginFailures(ctx, account); err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	_ = s.store.Audit(ctx, store.AuditEntry{ActorID: u.ID, Action: "login", Object: "user:" + u.Login, After: c.RealIP()})
	return c.Redirect(http.StatusSeeOther, safeNext(f.Values["next"]))
}

// Login throttling: an account locks after 5 failures in 15 minutes, a client address after
// 20 (someone trying many accounts). The address is the connection's, so a forged
// X-Forwarded-For does not reset it.
const (
	lockout            = 15 * time.Minute
	maxAccountFailures = 5
	maxAddressFailures = 20
)

func (s *Server) logout(c echo.Context) error {
	if token, ok := c.Get(ctxSession).(string); ok {
		if err := s.store.DeleteSession(c.Request().Context(), hashToken(token)); err != nil {
			return err
		}
	}
	c.SetCookie(s.cookie(sessionCookie, "", -1))
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (s *Server) catalogue(c echo.Context) error {
	u, _ := currentUser(c)
	progress, err := s.store.ModuleProgress(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.CataloguePage(s.page(c, "课程", "courses"), views.CatalogueData{Courses: s.catalog.Courses, Progress: progress}))
}

func (s *Server) course(c echo.Context) error {
	co, ok := s.catalog.Course(c.Param("course"))
	if !ok {
		return failure.ErrNotFound
	}
	u, _ := currentUser(c)
	progress, err := s.store.ModuleProgress(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.CoursePage(s.page(c, co.Title, "courses"), co, progress))
}

func (s *Server) module(c echo.Context) error {
	m, ok := s.catalog.Module(c.Param("course") + "/" + c.Param("module"))
	if !ok {
		return failure.ErrNotFound
	}
	u, _ := currentUser(c)
	if err := s.store.RecordModuleVisit(c.Request().Context(), u.ID, m.ID); err != nil {
		return err
	}
	if err := s.recordActivity(c, m.ID); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ModulePage(s.page(c, m.Title, "courses"), m))
}

// moduleActivity is the heartbeat a module page sends while it is visible and in use.
func (s *Server) moduleActivity(c echo.Context) error {
	m, ok := s.catalog.Module(c.Param("course") + "/" + c.Param("module"))
	if !ok {
		return failure.ErrNotFound
	}
	if err := s.recordActivity(c, m.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// recordActivity credits seat time by the platform's seat rules; moduleID "" stops the clock
// (the person left the lesson, e.g. for its quiz).
func (s *Server) recordActivity(c echo.Context, moduleID string) error {
	u, _ := currentUser(c)
	return s.store.RecordActivity(c.Request().Context(), u.ID, moduleID, tracking.DefaultSeatRules, func(id string) time.Duration {
		if m, ok := s.catalog.Module(id); ok {
			return tracking.DefaultSeatRules.ModuleCap(m.Minutes)
		}
		return 0
	})
}

func (s *Server) progress(c echo.Context) error {
	u, _ := currentUser(c)
	d, err := s.onboarding(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ProgressPage(s.page(c, "我的进度", "progress"), d))
}

func passedAny(attempts []quiz.Attempt, quizID string) bool {
	for _, a := range attempts {
		if a.Quiz == quizID && a.Passed {
			return true
		}
	}
	return false
}

func allModules(cat *courses.Catalog) []*courses.Module {
	var out []*courses.Module
	for _, co := range cat.Courses {
		out = append(out, co.Modules...)
	}
	return out
}

func (s *Server) users(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, views.Form{}, c.QueryParam("created"))
}

func (s *Server) renderUsers(c echo.Context, status int, f views.Form, created string) error {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	shop, _ := scope(u)
	list, err := s.store.Users(ctx, shop)
	if err != nil {
		return err
	}
	shops, err := s.store.Shops(ctx)
	if err != nil {
		return err
	}
	p := s.page(c, "人员管理", "users")
	if created != "" {
		p.Notice = "已添加 " + created
	}
	return s.render(c, status, views.UsersPage(p, views.UsersData{Users: list, Shops: shops, Form: f, CanEdit: u.Role == accounts.Admin}))
}

func (s *Server) createUser(c echo.Context) error {
	ctx := c.Request().Context()
	actor, _ := currentUser(c)
	n := accounts.NewUser{
		Login: c.FormValue("login"), Name: c.FormValue("name"), Role: accounts.Role(c.FormValue("role")),
		ShopCode: c.FormValue("shop"), HiredOn: c.FormValue("hired_on"), Password: c.FormValue("password"),
	}
	form := views.Form{Values: map[string]string{"login": n.Login, "name": n.Name, "role": string(n.Role), "shop": n.ShopCode, "hired_on": n.HiredOn}}
	err := n.Validate()
	if err == nil {
		var hash string
		if hash, err = accounts.HashPassword(n.Password, s.cfg.PasswordCost); err != nil {
			return err
		}
		var created accounts.User
		if created, err = s.store.CreateUser(ctx, n, hash); err == nil {
			_ = s.store.Audit(ctx, store.AuditEntry{ActorID: actor.ID, Action: "user.create", Object: "user:" + created.Login, After: string(created.Role) + " " + n.ShopCode})
			return c.Redirect(http.StatusSeeOther, "/admin/users?created="+created.Login)
		}
	}
	var fields failure.Fields
	if errors.As(err, &fields) {
		form.Errors = fields
		return s.renderUsers(c, http.StatusUnprocessableEntity, form, "")
	}
	return err
}

// importUsers creates the staff of an uploaded CSV list, all or none.
func (s *Server) importUsers(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return s.render(c, http.StatusUnprocessableEntity, views.ImportResultPage(s.page(c, "导入员工", "users"),
			views.ImportResult{File: "上传", Problems: []string{"请选择要导入的 CSV 文件"}}))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 2<<20))
	if err != nil {
		return err
	}
	creds, problems, err := s.store.ImportStaffCSV(c.Request().Context(), data, s.cfg.PasswordCost, randomPassword)
	if err != nil {
		return err
	}
	r := views.ImportResult{File: fh.Filename}
	for _, p := range problems {
		r.Problems = append(r.Problems, p.Error())
	}
	for _, cr := range creds {
		r.Created = append(r.Created, [3]string{cr.Login, cr.Name, cr.Password})
	}
	status := http.StatusOK
	if len(r.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, views.ImportResultPage(s.page(c, "导入员工", "users"), r))
}

// randomPassword is an initial password: 12 characters from an alphabet without look-alikes.
func randomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 12)
	for i := range b {
		b[i] = alphabet[randIntN(len(alphabet))]
	}
	return string(b)
}

func randIntN(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err)
	}
	return int(v.Int64())
}
