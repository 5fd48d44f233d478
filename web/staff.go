package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/failure"
	"aftercare/store"
	"aftercare/views"
)

// staffPerson loads the person named by the URL's :user for a supervisor of their store or an
// admin. A person of another store answers exactly like a missing one (404).
func (s *Server) staffPerson(c echo.Context) (viewer, person accounts.User, err error) {
	id, err := strconv.ParseInt(c.Param("user"), 10, 64)
	if err != nil {
		return viewer, person, echo.NewHTTPError(http.StatusBadRequest)
	}
	person, err = s.store.UserByID(c.Request().Context(), id)
	if err != nil {
		return viewer, person, err
	}
	viewer, _ = currentUser(c)
	if !viewer.CanSee(person) {
		return viewer, person, failure.ErrNotFound
	}
	return viewer, person, nil
}

// staff is one person's onboarding as their supervisor (or an admin) sees it: progress,
// measured time, offline hours with the log and sign-off forms, and links to drills and the
// certificate.
func (s *Server) staff(c echo.Context) error {
	viewer, person, err := s.staffPerson(c)
	if err != nil {
		return err
	}
	notice := map[string]string{"logged": "已登记，待签核后计入学时", "signed": "已签核，学时已计入"}[c.QueryParam("done")]
	return s.renderStaff(c, http.StatusOK, viewer, person, views.Form{}, notice)
}

func (s *Server) renderStaff(c echo.Context, status int, viewer, person accounts.User, f views.Form, notice string) error {
	d, err := s.onboarding(c.Request().Context(), person.ID)
	if err != nil {
		return err
	}
	if f.Values == nil {
		f.Values = map[string]string{"on_date": today(s.store.Now())}
	}
	p := s.page(c, person.Name+" 的培训", "store")
	p.Notice = notice
	sd := views.StaffData{Person: person, Progress: d, Form: f, Today: today(s.store.Now()), CanLog: viewer.ID != person.ID}
	return s.render(c, status, views.StaffPage(p, sd))
}

// today is the current date in the display zone, as a form's date value.
func today(now time.Time) string { return now.In(shanghai).Format(time.DateOnly) }

// shanghai is the stores' zone: "today" and "in the future" for dates typed by supervisors.
var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// logOffline records an offline activity a supervisor (or admin) did with the person. Bad
// input re-renders the staff page with a message at each wrong field.
func (s *Server) logOffline(c echo.Context) error {
	viewer, person, err := s.staffPerson(c)
	if err != nil {
		return err
	}
	if viewer.ID == person.ID {
		return failure.ErrForbidden // nobody logs or signs off their own hours
	}
	p, ok := s.catalog.Programme("onboarding")
	if !ok {
		return failure.ErrNotFound
	}
	f := views.Form{Values: map[string]string{"activity": c.FormValue("activity"), "hours": c.FormValue("hours"),
		"on_date": c.FormValue("on_date"), "note": c.FormValue("note")}}
	n, err := parseOfflineEntry(p, f.Values, s.store.Now())
	if err == nil {
		n.UserID, n.ActorID = person.ID, viewer.ID
		_, err = s.store.LogOffline(c.Request().Context(), n)
	}
	var fields failure.Fields
	if errors.As(err, &fields) {
		f.Errors = fields
		return s.renderStaff(c, http.StatusUnprocessableEntity, viewer, person, f, "")
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/"+strconv.FormatInt(person.ID, 10)+"?done=logged#offline")
}

// parseOfflineEntry checks a logged offline activity: one of the programme's activities, a
// number of hours above 0 and at most what the activity credits, a real date not in the
// future, and a short note.
func parseOfflineEntry(p *courses.Programme, v map[string]string, now time.Time) (store.NewOfflineEntry, error) {
	f := failure.Fields{}
	var n store.NewOfflineEntry
	var act *courses.Offline
	for i := range p.Offline {
		if p.Offline[i].Key == v["activity"] {
			act = &p.Offline[i]
		}
	}
	if act == nil {
		f.Add("activity", "请选择活动")
	} else {
		n.Activity = act.Key
	}
	h, err := strconv.ParseFloat(strings.TrimSpace(v["hours"]), 64)
	switch {
	case err != nil || math.IsNaN(h) || math.IsInf(h, 0):
		f.Add("hours", "请输入学时，例如 2 或 1.5")
	case h <= 0:
		f.Add("hours", "学时须大于 0")
	case act != nil && h > act.Hours:
		f.Add("hours", "「"+act.Title+"」最多计 "+views.Hours(act.Hours)+" 学时")
	case h > 12:
		f.Add("hours", "一次登记不超过 12 学时")
	default:
		n.Hours = math.Round(h*100) / 100
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(v["on_date"]))
	switch {
	case err != nil:
		f.Add("on_date", "请输入日期，格式如 2026-03-01")
	case d.Format(time.DateOnly) > today(now):
		f.Add("on_date", "日期不能晚于今天")
	case d.Year() < 2000:
		f.Add("on_date", "日期不正确")
	default:
		n.OnDate = d
	}
	n.Note = strings.TrimSpace(v["note"])
	if utf8.RuneCountInString(n.Note) > 200 {
		f.Add("note", "备注不超过 200 字")
	}
	return n, f.Err()
}

// signOffOffline signs off a logged entry of the person; a second sign-off is a conflict.
// Signing off may complete the person's onboarding, which is then recorded at once.
func (s *Server) signOffOffline(c echo.Context) error {
	viewer, person, err := s.staffPerson(c)
	if err != nil {
		return err
	}
	entryID, err := strconv.ParseInt(c.Param("entry"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	ctx := c.Request().Context()
	e, err := s.store.OfflineEntry(ctx, entryID)
	if err != nil {
		return err
	}
	if e.UserID != person.ID {
		return failure.ErrNotFound
	}
	if viewer.ID == person.ID {
		return failure.ErrForbidden
	}
	if err := s.store.SignOffOffline(ctx, entryID, viewer.ID); err != nil {
		return err
	}
	if _, err := s.onboarding(ctx, person.ID); err != nil { // records the clearance if this completed it
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff/"+strconv.FormatInt(person.ID, 10)+"?done=signed#offline")
}
