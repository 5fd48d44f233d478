package web

import (
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/tracking"
	"aftercare/views"
)

// staffRecords gathers every active trainee (the staff whose training the dashboards follow;
// supervisors and admins are not onboarded here) of a store, or of every store with shopID 0,
// with their onboarding summary (onboardingSummaries), open assignments counted and latest KPI
// appraisal, in a fixed number of queries whatever the headcount or the length of the history.
func (s *Server) staffRecords(ctx context.Context, shopID int64) ([]views.StaffRow, error) {
	users, err := s.store.Users(ctx, shopID)
	if err != nil {
		return nil, err
	}
	var staff []accounts.User
	var ids []int64
	for _, u := range users {
		if u.Active && u.ShopID != 0 && u.Role == accounts.Trainee {
			staff = append(staff, u)
			ids = append(ids, u.ID)
		}
	}
	if len(staff) == 0 {
		return nil, nil
	}
	onboarding, err := s.onboardingSummaries(ctx, ids)
	if err != nil {
		return nil, err
	}
	due, overdue, err := s.store.OpenAssignmentCounts(ctx, shopID, s.store.Now())
	if err != nil {
		return nil, err
	}
	rows := make([]views.StaffRow, 0, len(staff))
	for _, u := range staff {
		d := onboarding[u.ID]
		r := views.StaffRow{ID: u.ID, Name: u.Name, Login: u.Login, Role: u.Role.Label(), ShopID: u.ShopID, Shop: u.ShopName,
			Credited: d.CreditedHours, Required: d.RequiredHours, ActiveSeconds: d.ActiveSeconds,
			Cleared: d.Cleared, Due: due[u.ID], Overdue: overdue[u.ID]}
		if d.ClearedAt != nil {
			r.ClearedOn = views.LocalDate(*d.ClearedAt)
		}
		if d.LastDrillAt != nil {
			r.LastDrill = &views.DrillMark{At: *d.LastDrillAt, Score: d.LastDrillScore, Passed: d.LastDrillPassed}
		}
		if d.KPIMonth != "" {
			r.KPI, r.KPIMonth, r.HasKPI = d.KPITotal, d.KPIMonth, true
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// appraisal is a person's KPI appraisal total for the latest month with values.
type appraisal struct {
	total float64
	month string
}

// latestAppraisals scores each person's KPIs for the latest of the last three months in which
// they have values (tracking.Appraise with the catalogue's definitions).
func (s *Server) latestAppraisals(ctx context.Context, userIDs []int64) (map[int64]appraisal, error) {
	current := s.store.Now().In(shanghai).Format("2006-01")
	byMonth, latest, err := s.store.KPIMonthValues(ctx, userIDs, tracking.AddMonths(current, -2), current)
	if err != nil {
		return nil, err
	}
	defs := make([]tracking.KPI, 0, len(s.catalog.KPIs))
	for _, k := range s.catalog.KPIs {
		defs = append(defs, tracking.KPI{Key: k.Key, Name: k.Name, Unit: k.Unit, Target: k.Target, Direction: k.Direction, Weight: k.Weight, Remedial: k.Remedial})
	}
	out := map[int64]appraisal{}
	for id, vals := range byMonth {
		if a := tracking.Appraise(defs, vals); a.Scored {
			out[id] = appraisal{total: a.Total, month: latest[id]}
		}
	}
	return out, nil
}

// dashboardShop decides which store /store shows: a supervisor's own; for an admin the ?shop=
// code, by default the first store. ok is false for a supervisor without a store.
func (s *Server) dashboardShop(c echo.Context) (shop accounts.Shop, shops []accounts.Shop, ok bool, err error) {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	if u.Role != accounts.Admin {
		if u.ShopID == 0 {
			return shop, nil, false, nil
		}
		all, err := s.store.Shops(ctx)
		if err != nil {
			return shop, nil, false, err
		}
		for _, sh := range all {
			if sh.ID == u.ShopID {
				return sh, nil, true, nil
			}
		}
		return shop, nil, false, nil
	}
	shops, err = s.store.Shops(ctx)
	if err != nil || len(shops) == 0 {
		return shop, shops, false, err
	}
	code := c.QueryParam("shop")
	if code == "" {
		return shops[0], shops, true, nil
	}
	for _, sh := range shops {
		if sh.Code == code {
			return sh, shops, true, nil
		}
	}
	return shop, shops, false, failure.ErrNotFound
}

// storeDashboard is a store's training at a glance for its supervisor (or an admin): one row
// per staff member, who is cleared for duty today, and hours toward 40 as a chart.
func (s *Server) storeDashboard(c echo.Context) error {
	shop, shops, ok, err := s.dashboardShop(c)
	if err != nil {
		return err
	}
	d := views.StoreDashboardData{Shop: shop, Shops: shops, HasShop: ok}
	if ok {
		if d.Rows, err = s.staffRecords(c.Request().Context(), shop.ID); err != nil {
			return err
		}
	}
	d.Chart = views.BarChart{Title: "入职培训学时进度（目标 40 学时）", Unit: "", Max: 40, Target: 40}
	if p, ok := s.catalog.Programme("onboarding"); ok {
		d.Chart.Max, d.Chart.Target = p.Hours, p.Hours
	}
	for _, r := range d.Rows {
		if r.Cleared {
			d.Ready = append(d.Ready, r)
		}
		d.Chart.Bars = append(d.Chart.Bars, views.Bar{Label: r.Name, Value: r.Credited, Good: r.Cleared})
	}
	title := "门店看板"
	if ok {
		title = shop.Name + " · 门店看板"
	}
	return s.render(c, http.StatusOK, views.StoreDashboardPage(s.page(c, title, "store"), d))
}

// storeCSV exports the store dashboard's table for Excel: UTF-8 with a byte-order mark, every
// text cell guarded against formula injection.
func (s *Server) storeCSV(c echo.Context) error {
	shop, _, ok, err := s.dashboardShop(c)
	if err != nil {
		return err
	}
	if !ok {
		return failure.ErrNotFound
	}
	rows, err := s.staffRecords(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"门店", "登录名", "姓名", "角色", "已获学时", "要求学时", "实测学习时间（小时）", "可上岗", "上岗日期",
		"待完成任务", "逾期任务", "最近演练日期", "最近演练得分(%)", "KPI 综合得分", "KPI 月份"})
	for _, r := range rows {
		drillOn, drillScore := "", ""
		if r.LastDrill != nil {
			drillOn, drillScore = views.LocalDate(r.LastDrill.At), strconv.FormatFloat(r.LastDrill.Score, 'f', 1, 64)
		}
		kpi := ""
		if r.HasKPI {
			kpi = strconv.FormatFloat(r.KPI, 'f', 1, 64)
		}
		_ = w.Write([]string{csvSafe(shop.Code + " " + shop.Name), csvSafe(r.Login), csvSafe(r.Name), r.Role,
			views.Hours(r.Credited), views.Hours(r.Required), views.ActiveHours(r.ActiveSeconds), yesNo(r.Cleared), r.ClearedOn,
			strconv.Itoa(r.Due), strconv.Itoa(r.Overdue), drillOn, drillScore, kpi, r.KPIMonth})
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="store-`+csvFileName(shop.Code)+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// csvFileName keeps a store code safe inside a Content-Disposition header.
func csvFileName(code string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, code)
}

// companyRows compares the stores: headcount, cleared for duty, overdue assignments, mean KPI
// appraisal and average credited hours. The database sums the current summaries per store;
// only the people whose summary is stale are evaluated here and added.
func (s *Server) companyRows(ctx context.Context) ([]views.CompanyRow, error) {
	shops, err := s.store.Shops(ctx)
	if err != nil {
		return nil, err
	}
	month := s.store.Now().In(shanghai).Format("2006-01")
	sums, stale, err := s.store.CompanyRollup(ctx, s.catalogPrint, month, s.store.Now())
	if err != nil {
		return nil, err
	}
	// The people whose summary is stale are evaluated now (and stored) and added to their store.
	if len(stale) > 0 {
		ids := make([]int64, len(stale))
		for i, p := range stale {
			ids[i] = p.UserID
		}
		fresh, err := s.onboardingSummaries(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, p := range stale {
			r, d := sums[p.ShopID], fresh[p.UserID]
			if r == nil {
				continue
			}
			if d.Cleared {
				r.Cleared++
			}
			r.CreditedHours += d.CreditedHours
			if d.KPIMonth != "" {
				r.KPIStaff++
				r.KPITotal += d.KPITotal
			}
		}
	}
	rows := make([]views.CompanyRow, len(shops))
	for i, sh := range shops {
		rows[i].Shop = sh
		sum := sums[sh.ID]
		if sum == nil {
			continue
		}
		rows[i].Staff, rows[i].Cleared, rows[i].Overdue, rows[i].KPIStaff = sum.Staff, sum.Cleared, sum.Overdue, sum.KPIStaff
		if sum.Staff > 0 {
			rows[i].ClearedPct = float64(sum.Cleared) / float64(sum.Staff) * 100
			rows[i].AvgHours = math.Round(sum.CreditedHours/float64(sum.Staff)*10) / 10
		}
		if sum.KPIStaff > 0 {
			rows[i].MeanKPI = sum.KPITotal / float64(sum.KPIStaff)
		}
	}
	return rows, nil
}

// companyDashboard compares the stores for admins.
func (s *Server) companyDashboard(c echo.Context) error {
	rows, err := s.companyRows(c.Request().Context())
	if err != nil {
		return err
	}
	d := views.CompanyData{Rows: rows, Chart: views.BarChart{Title: "各门店可上岗比例", Unit: "%", Max: 100}}
	for _, r := range rows {
		d.Chart.Bars = append(d.Chart.Bars, views.Bar{Label: r.Shop.Name, Value: math.Round(r.ClearedPct), Good: r.Staff > 0 && r.Cleared == r.Staff})
	}
	return s.render(c, http.StatusOK, views.CompanyPage(s.page(c, "公司看板", "company"), d))
}

// companyCSV exports the store comparison for Excel (UTF-8 with BOM, formula-guarded).
func (s *Server) companyCSV(c echo.Context) error {
	rows, err := s.companyRows(c.Request().Context())
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"门店编号", "门店", "在职学员", "可上岗人数", "可上岗比例(%)", "逾期任务", "KPI 平均综合得分", "平均已获学时"})
	for _, r := range rows {
		kpi := ""
		if r.KPIStaff > 0 {
			kpi = strconv.FormatFloat(r.MeanKPI, 'f', 1, 64)
		}
		_ = w.Write([]string{csvSafe(r.Shop.Code), csvSafe(r.Shop.Name), strconv.Itoa(r.Staff), strconv.Itoa(r.Cleared),
			strconv.FormatFloat(r.ClearedPct, 'f', 1, 64), strconv.Itoa(r.Overdue), kpi, views.Hours(r.AvgHours)})
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="company.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}
