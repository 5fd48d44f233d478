package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/store"
	"aftercare/tracking"
	"aftercare/views"
)

// Service KPIs: supervisors enter their store's monthly values on a form, admins import a
// sheet (preview first, then confirm), and everyone sees the appraisal their role allows. Every
// save gives the people who missed a target a remedial assignment for the month.

// remedialDays is how long remedial work may take: due at the end of the day 14 days after the
// values were saved (Asia/Shanghai).
const remedialDays = 14

// errBadRequest answers a request no page of ours sends (a tampered hidden field, a month that
// is not one) with 400.
var errBadRequest = echo.NewHTTPError(http.StatusBadRequest)

// kpiDefs is the catalogue's KPI table as tracking scores it.
func (s *Server) kpiDefs() []tracking.KPI {
	out := make([]tracking.KPI, len(s.catalog.KPIs))
	for i, k := range s.catalog.KPIs {
		out[i] = tracking.KPI{Key: k.Key, Name: k.Name, Unit: k.Unit, Target: k.Target, Direction: k.Direction,
			Weight: k.Weight, Remedial: k.Remedial}
	}
	return out
}

// kpiColumns heads the KPI pages' columns.
func kpiColumns(defs []tracking.KPI) []views.KPIColumn {
	out := make([]views.KPIColumn, len(defs))
	for i, k := range defs {
		col := views.KPIColumn{Key: k.Key, Name: k.Name, Unit: k.Unit, Weight: k.Weight, Rule: k.Rule(),
			Target: k.Comparator() + " " + tracking.FormatKPINumber(k.Target) + k.Unit}
		if top, ok := k.Scale(); ok {
			col.Range = "0–" + tracking.FormatKPINumber(top)
		}
		out[i] = col
	}
	return out
}

// thisMonth is the current month in the stores' calendar ("2026-11").
func (s *Server) thisMonth() string {
	m, _, _ := tracking.Period(tracking.Monthly, s.store.Now(), displayZone)
	return m
}

// kpiMonth reads a month parameter: "" is last month, the one whose figures are entered and
// appraised at the start of a month; anything that is not a month up to this one is 400.
func (s *Server) kpiMonth(raw string) (string, error) {
	current := s.thisMonth()
	if strings.TrimSpace(raw) == "" {
		return tracking.AddMonths(current, -1), nil
	}
	m, ok := tracking.ParseMonth(raw)
	if !ok || m > current {
		return "", errBadRequest
	}
	return m, nil
}

// monthNav is the month links of a KPI page.
func (s *Server) monthNav(month, base string) views.KPIMonthNav {
	n := views.KPIMonthNav{Month: month, Prev: tracking.AddMonths(month, -1), Base: base}
	if next := tracking.AddMonths(month, 1); next <= s.thisMonth() {
		n.Next = next
	}
	return n
}

// kpiShop is the store a KPI form is about: a supervisor's own, or for an admin the store
// with the given code (the first store when none is given). An unknown code, or a supervisor
// without a store, is failure.ErrNotFound. Admins also get the list of stores to pick from.
func (s *Server) kpiShop(c echo.Context, viewer accounts.User, code string) (accounts.Shop, []accounts.Shop, error) {
	ctx := c.Request().Context()
	if viewer.Role != accounts.Admin {
		if viewer.ShopID == 0 {
			return accounts.Shop{}, nil, failure.ErrNotFound
		}
		shops, err := s.store.Shops(ctx)
		if err != nil {
			return accounts.Shop{}, nil, err
		}
		for _, sh := range shops {
			if sh.ID == viewer.ShopID {
				return sh, nil, nil
			}
		}
		return accounts.Shop{}, nil, failure.ErrNotFound
	}
	shops, err := s.store.Shops(ctx)
	if err != nil {
		return accounts.Shop{}, nil, err
	}
	for _, sh := range shops {
		if sh.Code == code || (code == "" && sh.ID == shops[0].ID) {
			return sh, shops, nil
		}
	}
	return accounts.Shop{}, nil, failure.ErrNotFound
}

// kpiStaff is the people whose KPIs a store's form takes: its active trainees.
func (s *Server) kpiStaff(c echo.Context, shopID int64) ([]accounts.User, error) {
	all, err := s.store.Users(c.Request().Context(), shopID)
	if err != nil {
		return nil, err
	}
	var out []accounts.User
	for _, u := range all {
		if u.Role == accounts.Trainee && u.Active {
			out = append(out, u)
		}
	}
	return out, nil
}

func kpiPerson(u accounts.User) views.KPIPerson {
	return views.KPIPerson{ID: u.ID, Name: u.Name, Login: u.Login, Shop: u.ShopName}
}

// kpiForm shows a store's KPI form for a month, filled with the stored values.
func (s *Server) kpiForm(c echo.Context) error {
	month, err := s.kpiMonth(c.QueryParam("month"))
	if err != nil {
		return err
	}
	viewer, _ := currentUser(c)
	shop, shops, err := s.kpiShop(c, viewer, c.QueryParam("shop"))
	if err != nil {
		return err
	}
	form := views.Form{Values: map[string]string{}}
	notice := ""
	if n := c.QueryParam("saved"); n != "" {
		notice = "已保存 " + n + " 项"
		if r := c.QueryParam("remedial"); r != "" && r != "0" {
			notice += "，新分配补训 " + r + " 人"
		}
	}
	return s.renderKPIForm(c, http.StatusOK, month, viewer, shop, shops, form, notice)
}

// renderKPIForm renders the form; fields without a value in form show the stored value.
func (s *Server) renderKPIForm(c echo.Context, status int, month string, viewer accounts.User, shop accounts.Shop, shops []accounts.Shop, form views.Form, notice string) error {
	staff, err := s.kpiStaff(c, shop.ID)
	if err != nil {
		return err
	}
	stored, err := s.store.ShopKPIValues(c.Request().Context(), shop.ID, month, month)
	if err != nil {
		return err
	}
	for _, v := range stored {
		name := views.KPIField(v.UserID, v.Key)
		if _, typed := form.Values[name]; !typed {
			form.Values[name] = tracking.FormatKPINumber(v.Value)
		}
	}
	defs := s.kpiDefs()
	d := views.KPIEntryData{Nav: s.monthNav(month, "/kpis?shop="+url.QueryEscape(shop.Code)), Shops: shops, ShopCode: shop.Code,
		ShopName: shop.Code + " " + shop.Name, KPIs: kpiColumns(defs), Form: form, IsAdmin: viewer.Role == accounts.Admin}
	for _, u := range staff {
		d.Staff = append(d.Staff, kpiPerson(u))
	}
	p := s.page(c, "指标录入", "kpis")
	p.Notice = notice
	return s.render(c, status, views.KPIEntryPage(p, d))
}

// saveKPIs stores a store's KPI form. A field naming someone who is not on the store's form
// is 404 and nothing is written; any wrong value re-renders the form with every message and
// what was typed, and nothing is written either. An emptied field clears a stored value.
func (s *Server) saveKPIs(c echo.Context) error {
	ctx := c.Request().Context()
	month, ok := tracking.ParseMonth(c.FormValue("month"))
	if !ok || month > s.thisMonth() {
		return errBadRequest
	}
	viewer, _ := currentUser(c)
	shop, shops, err := s.kpiShop(c, viewer, c.FormValue("shop"))
	if err != nil {
		return err
	}
	if viewer.Role == accounts.Admin && c.FormValue("shop") == "" {
		return errBadRequest
	}
	staff, err := s.kpiStaff(c, shop.ID)
	if err != nil {
		return err
	}
	onForm := map[int64]bool{}
	for _, u := range staff {
		onForm[u.ID] = true
	}
	defs := s.kpiDefs()
	byKey := map[string]tracking.KPI{}
	order := map[string]int{}
	for i, k := range defs {
		byKey[k.Key], order[k.Key] = k, i
	}
	stored, err := s.store.ShopKPIValues(ctx, shop.ID, month, month)
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, v := range stored {
		has[views.KPIField(v.UserID, v.Key)] = true
	}
	params, err := c.FormParams()
	if err != nil {
		return errBadRequest
	}
	form := views.Form{Values: map[string]string{}, Errors: failure.Fields{}}
	var changes []store.KPIChange
	for name, vs := range params {
		rest, ok := strings.CutPrefix(name, "v-")
		if !ok {
			continue
		}
		idText, key, _ := strings.Cut(rest, "-")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return errBadRequest
		}
		if !onForm[id] {
			return failure.ErrNotFound
		}
		def, known := byKey[key]
		if !known {
			return errBadRequest
		}
		raw := strings.TrimSpace(vs[0])
		form.Values[name] = raw
		if raw == "" {
			if has[name] {
				changes = append(changes, store.KPIChange{UserID: id, Month: month, Key: key, Clear: true})
			}
			continue
		}
		v, msg := tracking.ParseKPIValue(raw, def)
		if msg != "" {
			form.Errors[name] = msg
			continue
		}
		changes = append(changes, store.KPIChange{UserID: id, Month: month, Key: key, Value: v})
	}
	if len(form.Errors) > 0 {
		return s.renderKPIForm(c, http.StatusUnprocessableEntity, month, viewer, shop, shops, form, "")
	}
	slices.SortFunc(changes, func(a, b store.KPIChange) int {
		if a.UserID != b.UserID {
			return int(a.UserID - b.UserID)
		}
		return order[a.Key] - order[b.Key]
	})
	saved, err := s.store.SaveKPIValues(ctx, viewer.ID, shop.ID, changes)
	if err != nil {
		return err
	}
	assigned, err := s.assignRemedial(c, saved.People)
	if err != nil {
		return err
	}
	q := url.Values{"month": {month}, "shop": {shop.Code}, "saved": {strconv.Itoa(saved.Written + saved.Cleared)},
		"remedial": {strconv.Itoa(assigned)}}
	return c.Redirect(http.StatusSeeOther, "/kpis?"+q.Encode())
}

// assignRemedial gives the people whose saved month misses a target their remedial work.
func (s *Server) assignRemedial(c echo.Context, people []store.PersonMonth) (int, error) {
	now := s.store.Now()
	return s.store.AssignRemedial(c.Request().Context(), s.kpiDefs(), people, now,
		tracking.DueDate(now, remedialDays+1, displayZone))
}

// kpiSheetHeader is the header line the import page suggests: login, month and every KPI
// by its Chinese name.
func kpiSheetHeader(defs []tracking.KPI) string {
	cols := []string{"登录名", "月份"}
	for _, k := range defs {
		cols = append(cols, k.Name)
	}
	return strings.Join(cols, ",")
}

// kpiImportForm is the upload form of the KPI import.
func (s *Server) kpiImportForm(c echo.Context) error {
	defs := s.kpiDefs()
	p := s.page(c, "导入服务指标", "kpis")
	if n := c.QueryParam("imported"); n != "" {
		p.Notice = fmt.Sprintf("已导入 %s 行，写入 %s 个数值，新分配补训 %s 人", n, c.QueryParam("values"), c.QueryParam("remedial"))
	}
	return s.render(c, http.StatusOK, views.KPIImportPage(p, views.KPIImportData{Header: kpiSheetHeader(defs), KPIs: kpiColumns(defs)}))
}

// kpiImportPreview reads an uploaded sheet and shows every row it would import and every
// problem, writing nothing. A sheet without problems is carried to the confirm step in a
// hidden field, as normalised UTF-8 text signed with the session key, so any instance can
// take the confirmation and nothing is kept on the server in between.
func (s *Server) kpiImportPreview(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderKPIImport(c, "（未选择文件）", "", nil, []string{"请选择要导入的 CSV 文件"})
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
	text, enc, err := tracking.DecodeText(data)
	if err != nil {
		return s.renderKPIImport(c, fh.Filename, "", nil, []string{err.Error()})
	}
	return s.previewKPISheet(c, fh.Filename, enc, text)
}

// previewKPISheet checks a decoded sheet against the KPI table and the staff list and renders
// the preview: 200 with the confirm form when clean, 422 with the report otherwise.
func (s *Server) previewKPISheet(c echo.Context, file, enc, text string) error {
	defs := s.kpiDefs()
	rows, errs := tracking.ParseKPISheet([]byte(text), defs)
	users, problems, err := s.store.CheckKPIImport(c.Request().Context(), rows, s.thisMonth())
	if err != nil {
		return err
	}
	all := append(errs, problems...)
	slices.SortStableFunc(all, func(a, b tracking.RowError) int { return a.Line - b.Line })
	var report []string
	for _, p := range all {
		report = append(report, p.Error())
	}
	d := s.kpiImportData(defs, file, enc, rows, users, report)
	if len(report) == 0 {
		d.Data = base64.RawURLEncoding.EncodeToString([]byte(text))
		d.MAC = s.kpiSheetMAC(c, file, d.Data)
	}
	status := http.StatusOK
	if len(report) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, views.KPIImportPage(s.page(c, "导入服务指标", "kpis"), d))
}

// renderKPIImport shows a refused upload that could not even be read.
func (s *Server) renderKPIImport(c echo.Context, file, enc string, rows []tracking.KPIRow, report []string) error {
	d := s.kpiImportData(s.kpiDefs(), file, enc, rows, nil, report)
	return s.render(c, http.StatusUnprocessableEntity, views.KPIImportPage(s.page(c, "导入服务指标", "kpis"), d))
}

// kpiImportData lays out a sheet's rows for the preview, one column per KPI.
func (s *Server) kpiImportData(defs []tracking.KPI, file, enc string, rows []tracking.KPIRow, users map[string]accounts.User, report []string) views.KPIImportData {
	d := views.KPIImportData{Header: kpiSheetHeader(defs), KPIs: kpiColumns(defs), File: file, Encoding: enc, Problems: report}
	for _, r := range rows {
		row := views.KPIImportRow{Line: r.Line, Login: r.Login, Month: r.Month, Values: make([]string, len(defs))}
		if u, ok := users[r.Login]; ok {
			row.Name, row.Shop = u.Name, u.ShopName
		}
		for _, v := range r.Values {
			for i, k := range defs {
				if k.Key == v.Key {
					row.Values[i] = tracking.FormatKPINumber(v.Value) + k.Unit
				}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

// kpiSheetMAC signs a previewed sheet for the confirm step: an HMAC under the session key of
// the purpose, the admin's session, the file name and the data, so the confirmation cannot
// carry a sheet nobody previewed, nor one previewed in another session.
func (s *Server) kpiSheetMAC(c echo.Context, file, data string) string {
	m := hmac.New(sha256.New, s.cfg.SessionKey)
	sess, _ := c.Get(ctxSession).(string)
	for _, part := range []string{"kpi-import", hashToken(sess), file, data} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// kpiImportConfirm writes a previewed sheet. The sheet is parsed and checked again, inside
// the write transaction for its people; any problem now refuses it whole with the report.
func (s *Server) kpiImportConfirm(c echo.Context) error {
	file, data, mac := c.FormValue("file"), c.FormValue("data"), c.FormValue("mac")
	if data == "" || !hmac.Equal([]byte(mac), []byte(s.kpiSheetMAC(c, file, data))) {
		return errBadRequest
	}
	raw, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		return errBadRequest
	}
	defs := s.kpiDefs()
	rows, errs := tracking.ParseKPISheet(raw, defs)
	if len(errs) > 0 {
		return s.previewKPISheet(c, file, "", string(raw))
	}
	viewer, _ := currentUser(c)
	problems, saved, err := s.store.ImportKPIValues(c.Request().Context(), viewer.ID, rows, s.thisMonth())
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		var report []string
		for _, p := range problems {
			report = append(report, p.Error())
		}
		return s.renderKPIImport(c, file, "", rows, report)
	}
	assigned, err := s.assignRemedial(c, saved.People)
	if err != nil {
		return err
	}
	q := url.Values{"imported": {strconv.Itoa(len(rows))}, "values": {strconv.Itoa(saved.Written)}, "remedial": {strconv.Itoa(assigned)}}
	return c.Redirect(http.StatusSeeOther, "/kpis/import?"+q.Encode())
}

// kpiAppraisal shows one person's appraisal for a month (?user=, or a trainee's own), or for
// staff without ?user= the table of their store (admins: ?shop=, or every store). Someone the
// viewer may not see answers 404 like someone who does not exist.
func (s *Server) kpiAppraisal(c echo.Context) error {
	month, err := s.kpiMonth(c.QueryParam("month"))
	if err != nil {
		return err
	}
	viewer, _ := currentUser(c)
	if raw := c.QueryParam("user"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return failure.ErrNotFound
		}
		person, err := s.store.UserByID(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if !viewer.CanSee(person) {
			return failure.ErrNotFound
		}
		return s.renderAppraisal(c, viewer, person, month)
	}
	if !viewer.AtLeast(accounts.Supervisor) {
		return s.renderAppraisal(c, viewer, viewer, month)
	}
	return s.renderKPITable(c, viewer, month)
}

// tableURL is the store table of a month for staff.
func tableURL(month, shopCode string) string {
	return "/kpis/appraisal?" + url.Values{"month": {month}, "shop": {shopCode}}.Encode()
}

func (s *Server) renderAppraisal(c echo.Context, viewer, person accounts.User, month string) error {
	ctx := c.Request().Context()
	defs := s.kpiDefs()
	values, err := s.store.KPIValuesOf(ctx, person.ID, month)
	if err != nil {
		return err
	}
	start, end, err := tracking.MonthRange(month, displayZone)
	if err != nil {
		return err
	}
	scores, err := s.store.TrainingScores(ctx, []int64{person.ID}, start, end)
	if err != nil {
		return err
	}
	ts := scores[person.ID]
	base := "/kpis/appraisal?user=" + strconv.FormatInt(person.ID, 10)
	d := views.KPIAppraisalData{Person: kpiPerson(person), Nav: s.monthNav(month, base), Appraisal: tracking.Appraise(defs, values),
		Knowledge: fmt.Sprintf("%.1f 分", ts.Knowledge), Quizzes: ts.Quizzes, Skills: fmt.Sprintf("%.1f 分", ts.Skills), Drills: ts.Drills}
	for _, id := range tracking.Remedial(defs, values) {
		if m, ok := s.catalog.Module(id); ok {
			d.Remedial = append(d.Remedial, views.ModuleLink{Title: m.Course.Title + " · " + m.Title, URL: m.URL()})
		}
	}
	switch a, err := s.store.UserAssignment(ctx, person.ID, store.RemedialProgramme, month); {
	case err == nil:
		d.Assigned = "已分配补训（" + a.Reason + "），截止 " + views.LocalTime(a.DueAt)
		if a.CompletedAt != nil {
			d.Assigned += "，已于 " + views.LocalTime(*a.CompletedAt) + " 完成"
		}
	case !errors.Is(err, failure.ErrNotFound):
		return err
	}
	nav := "kpis"
	if viewer.ID == person.ID && !viewer.AtLeast(accounts.Supervisor) {
		nav = "progress"
	} else {
		d.TableURL = tableURL(month, s.shopCode(c, person.ShopID))
	}
	return s.render(c, http.StatusOK, views.KPIAppraisalPage(s.page(c, person.Name+" 指标考核", nav), d))
}

// shopCode is a store's code, "" when unknown.
func (s *Server) shopCode(c echo.Context, shopID int64) string {
	shops, err := s.store.Shops(c.Request().Context())
	if err != nil {
		return ""
	}
	for _, sh := range shops {
		if sh.ID == shopID {
			return sh.Code
		}
	}
	return ""
}

// renderKPITable is the month's appraisal table of the viewer's store, or for an admin of the
// chosen store or every store.
func (s *Server) renderKPITable(c echo.Context, viewer accounts.User, month string) error {
	ctx := c.Request().Context()
	shopID, scopeName := scope(viewer)
	var shops []accounts.Shop
	shopCode := ""
	if viewer.Role == accounts.Admin {
		all, err := s.store.Shops(ctx)
		if err != nil {
			return err
		}
		shops = all
		if code := c.QueryParam("shop"); code != "" {
			i := slices.IndexFunc(all, func(sh accounts.Shop) bool { return sh.Code == code })
			if i < 0 {
				return failure.ErrNotFound
			}
			shopID, shopCode, scopeName = all[i].ID, code, all[i].Code+" "+all[i].Name
		}
	} else if shopID != noShop {
		shopCode = s.shopCode(c, shopID)
	}
	var people []accounts.User
	values := map[int64]map[string]float64{}
	if shopID != noShop {
		users, err := s.store.Users(ctx, shopID)
		if err != nil {
			return err
		}
		stored, err := s.store.ShopKPIValues(ctx, shopID, month, month)
		if err != nil {
			return err
		}
		values = store.KPIByPerson(stored)
		for _, u := range users {
			if _, has := values[u.ID]; has || (u.Role == accounts.Trainee && u.Active) {
				people = append(people, u)
			}
		}
	}
	ids := make([]int64, len(people))
	for i, u := range people {
		ids[i] = u.ID
	}
	start, end, err := tracking.MonthRange(month, displayZone)
	if err != nil {
		return err
	}
	scores, err := s.store.TrainingScores(ctx, ids, start, end)
	if err != nil {
		return err
	}
	defs := s.kpiDefs()
	d := views.KPITableData{Nav: s.monthNav(month, "/kpis/appraisal?shop="+url.QueryEscape(shopCode)), Scope: scopeName, Shops: shops,
		ShopCode: shopCode, KPIs: kpiColumns(defs)}
	if shopCode != "" {
		d.EntryURL = "/kpis?" + url.Values{"month": {month}, "shop": {shopCode}}.Encode()
	}
	for _, u := range people {
		a := tracking.Appraise(defs, values[u.ID])
		row := views.KPITableRow{Person: kpiPerson(u),
			URL: "/kpis/appraisal?" + url.Values{"month": {month}, "user": {strconv.FormatInt(u.ID, 10)}}.Encode()}
		for _, r := range a.Rows {
			cell := views.KPICell{Has: r.HasValue, Met: r.Met}
			if r.HasValue {
				cell.Value = tracking.FormatKPINumber(r.Value) + r.KPI.Unit
			}
			row.Cells = append(row.Cells, cell)
		}
		if a.Scored {
			row.Total = fmt.Sprintf("%.1f", a.Total)
		}
		if ts := scores[u.ID]; ts.Quizzes > 0 {
			row.Knowledge = fmt.Sprintf("%.1f", ts.Knowledge)
		}
		if ts := scores[u.ID]; ts.Drills > 0 {
			row.Skills = fmt.Sprintf("%.1f", ts.Skills)
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(c, http.StatusOK, views.KPITablePage(s.page(c, "指标考核", "kpis"), d))
}
