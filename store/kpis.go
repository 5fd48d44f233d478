package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/tracking"
)

// Monthly KPI values: one number per person, month ("2026-11") and KPI key, entered by a
// supervisor on the KPI form or imported from a sheet by an admin. Every write is an upsert
// with an audit row carrying the value before and after, in the same transaction as the rest
// of its batch, so a batch is written whole or not at all.

// KPIValue is one stored KPI figure with the person it belongs to and who entered it.
type KPIValue struct {
	UserID    int64
	Login     string
	Name      string
	ShopID    int64
	Month     string
	Key       string
	Value     float64
	EnteredBy int64
	EnteredAt time.Time
}

// KPIChange is one value to write: Value for the person, month and KPI, or with Clear the
// removal of the value stored there (a supervisor emptied the field).
type KPIChange struct {
	UserID int64
	Month  string
	Key    string
	Value  float64
	Clear  bool
}

// PersonMonth is one person's KPI month: the unit of an appraisal and of a remedial
// assignment.
type PersonMonth struct {
	UserID int64
	Month  string
}

// KPISaved is what a save did: how many values were written (new or changed), cleared or left
// as they were, and every person-month the batch carried values for, in the order first met,
// so the caller can look at each one's targets again.
type KPISaved struct {
	Written   int
	Cleared   int
	Unchanged int
	People    []PersonMonth
}

// kpiBatch is how many ids go into one IN (...) list, well under SQLite's and PostgreSQL's
// parameter limits.
const kpiBatch = 400

// SaveKPIValues writes a batch of KPI values entered on the form, in one transaction. With
// shopID other than 0 every person must belong to that store: one who does not (or does not
// exist) makes the whole batch failure.ErrNotFound, and nothing is written, so a supervisor
// cannot reach another store's staff by editing the form.
func (s *Store) SaveKPIValues(ctx context.Context, actorID, shopID int64, changes []KPIChange) (KPISaved, error) {
	var saved KPISaved
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := checkKPIScope(tx, shopID, changes); err != nil {
			return err
		}
		var err error
		saved, err = writeKPIs(tx, s.Now(), actorID, changes)
		return err
	})
	return saved, err
}

// checkKPIScope makes sure every person in the batch exists and, for a store's batch, works
// there.
func checkKPIScope(tx *gorm.DB, shopID int64, changes []KPIChange) error {
	var ids []int64
	for _, c := range changes {
		if !slices.Contains(ids, c.UserID) {
			ids = append(ids, c.UserID)
		}
	}
	for chunk := range slices.Chunk(ids, kpiBatch) {
		var rows []struct {
			ID     int64
			ShopID *int64
		}
		if err := tx.Raw("SELECT id, shop_id FROM users WHERE id IN ?", chunk).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) != len(chunk) {
			return failure.ErrNotFound
		}
		for _, r := range rows {
			if shopID != 0 && (r.ShopID == nil || *r.ShopID != shopID) {
				return failure.ErrNotFound
			}
		}
	}
	return nil
}

// kpiObject names a KPI value in the audit log.
func kpiObject(userID int64, month, key string) string {
	return "kpi:" + strconv.FormatInt(userID, 10) + ":" + month + ":" + key
}

// kpiText writes a value for the audit log.
func kpiText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// writeKPIs applies the changes in order inside tx: an upsert (or a delete) and an audit row
// per value that actually changes.
func writeKPIs(tx *gorm.DB, now time.Time, actorID int64, changes []KPIChange) (KPISaved, error) {
	var saved KPISaved
	type slot struct {
		user       int64
		month, key string
	}
	current := map[slot]float64{}
	seen := map[PersonMonth]bool{}
	byMonth := map[string][]int64{}
	for _, c := range changes {
		pm := PersonMonth{c.UserID, c.Month}
		if !seen[pm] {
			seen[pm] = true
			saved.People = append(saved.People, pm)
			byMonth[c.Month] = append(byMonth[c.Month], c.UserID)
		}
	}
	for month, users := range byMonth {
		for chunk := range slices.Chunk(users, kpiBatch) {
			var rows []struct {
				UserID int64
				Kpi    string
				Value  float64
			}
			if err := tx.Raw("SELECT user_id, kpi, value FROM kpi_values WHERE month = ? AND user_id IN ?", month, chunk).
				Scan(&rows).Error; err != nil {
				return saved, err
			}
			for _, r := range rows {
				current[slot{r.UserID, month, r.Kpi}] = r.Value
			}
		}
	}
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	for _, c := range changes {
		at := slot{c.UserID, c.Month, c.Key}
		old, had := current[at]
		entry := AuditEntry{ActorID: actorID, Object: kpiObject(c.UserID, c.Month, c.Key)}
		if had {
			entry.Before = kpiText(old)
		}
		switch {
		case c.Clear && !had, !c.Clear && had && old == c.Value:
			saved.Unchanged++
			continue
		case c.Clear:
			if err := tx.Exec("DELETE FROM kpi_values WHERE user_id = ? AND month = ? AND kpi = ?", c.UserID, c.Month, c.Key).Error; err != nil {
				return saved, err
			}
			delete(current, at)
			entry.Action = "kpi.clear"
			saved.Cleared++
		default:
			if err := tx.Exec(`INSERT INTO kpi_values (user_id, month, kpi, value, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (user_id, month, kpi) DO UPDATE SET value = excluded.value, entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
				c.UserID, c.Month, c.Key, c.Value, actor, now).Error; err != nil {
				return saved, err
			}
			current[at] = c.Value
			entry.Action = "kpi.set"
			entry.After = kpiText(c.Value)
			saved.Written++
		}
		if err := audit(tx, now, entry); err != nil {
			return saved, err
		}
	}
	return saved, nil
}

// CheckKPIImport looks up the people of a parsed KPI sheet for the preview, without writing:
// the users found by login, and a row error for every login that is unknown or an admin's
// (admins are not appraised) and for every month after latestMonth (the current month).
func (s *Store) CheckKPIImport(ctx context.Context, rows []tracking.KPIRow, latestMonth string) (map[string]accounts.User, []tracking.RowError, error) {
	return resolveKPIRows(s.r.WithContext(ctx), rows, latestMonth)
}

// ImportKPIValues writes the values of a parsed KPI sheet in one transaction, checking its
// people again inside it (the sheet may have been previewed minutes ago): any row error
// refuses the whole sheet, and the errors come back with nothing written. A summary row goes
// to the audit log besides the one per changed value.
func (s *Store) ImportKPIValues(ctx context.Context, actorID int64, rows []tracking.KPIRow, latestMonth string) ([]tracking.RowError, KPISaved, error) {
	var problems []tracking.RowError
	var saved KPISaved
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		users, errs, err := resolveKPIRows(tx, rows, latestMonth)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			problems = errs
			return errRefused
		}
		var changes []KPIChange
		for _, r := range rows {
			for _, v := range r.Values {
				changes = append(changes, KPIChange{UserID: users[r.Login].ID, Month: r.Month, Key: v.Key, Value: v.Value})
			}
		}
		now := s.Now()
		if saved, err = writeKPIs(tx, now, actorID, changes); err != nil {
			return err
		}
		return audit(tx, now, AuditEntry{ActorID: actorID, Action: "kpi.import", Object: "kpi_values",
			After: fmt.Sprintf("%d rows, %d values written, %d unchanged", len(rows), saved.Written, saved.Unchanged)})
	})
	if errors.Is(err, errRefused) {
		return problems, KPISaved{}, nil
	}
	if err != nil {
		return nil, KPISaved{}, err
	}
	return nil, saved, nil
}

// resolveKPIRows finds the users of a sheet's logins and reports the rows that cannot be
// imported, ordered by line.
func resolveKPIRows(db *gorm.DB, rows []tracking.KPIRow, latestMonth string) (map[string]accounts.User, []tracking.RowError, error) {
	var logins []string
	for _, r := range rows {
		if !slices.Contains(logins, r.Login) {
			logins = append(logins, r.Login)
		}
	}
	users := map[string]accounts.User{}
	for chunk := range slices.Chunk(logins, kpiBatch) {
		var recs []userRecord
		if err := db.Table("users").Select(userColumns).Joins("LEFT JOIN shops ON shops.id = users.shop_id").
			Where("users.login IN ?", chunk).Find(&recs).Error; err != nil {
			return nil, nil, err
		}
		for _, r := range recs {
			users[r.Login] = r.user()
		}
	}
	var problems []tracking.RowError
	for _, r := range rows {
		u, ok := users[r.Login]
		switch {
		case !ok:
			problems = append(problems, tracking.RowError{Line: r.Line, Column: "登录名", Message: "登录名「" + r.Login + "」不存在，请先在人员管理中添加此人"})
		case u.Role == accounts.Admin || u.ShopID == 0:
			problems = append(problems, tracking.RowError{Line: r.Line, Column: "登录名", Message: "「" + r.Login + "」不属于任何门店（管理员不参与指标考核）"})
		}
		if latestMonth != "" && r.Month > latestMonth {
			problems = append(problems, tracking.RowError{Line: r.Line, Column: "月份", Message: "月份 " + r.Month + " 还没有到，不能录入指标"})
		}
	}
	slices.SortStableFunc(problems, func(a, b tracking.RowError) int { return a.Line - b.Line })
	return users, problems, nil
}

// KPIValuesOf is one person's values for a month, keyed by KPI key, for the appraisal.
func (s *Store) KPIValuesOf(ctx context.Context, userID int64, month string) (map[string]float64, error) {
	var rows []struct {
		Kpi   string
		Value float64
	}
	err := s.r.WithContext(ctx).Raw("SELECT kpi, value FROM kpi_values WHERE user_id = ? AND month = ?", userID, month).Scan(&rows).Error
	out := make(map[string]float64, len(rows))
	for _, r := range rows {
		out[r.Kpi] = r.Value
	}
	return out, err
}

// ShopKPIValues lists the KPI values of a store's staff (shopID 0: every store) for the months
// from fromMonth to toMonth inclusive ("2026-01" to "2026-12"), ordered by month, store, login
// and KPI key, for the KPI table, dashboards and trends.
func (s *Store) ShopKPIValues(ctx context.Context, shopID int64, fromMonth, toMonth string) ([]KPIValue, error) {
	q := s.r.WithContext(ctx).Table("kpi_values k").
		Select(`k.user_id, u.login, u.name, COALESCE(u.shop_id, 0) AS shop_id, k.month, k.kpi AS key, k.value,
			COALESCE(k.entered_by, 0) AS entered_by, k.entered_at`).
		Joins("JOIN users u ON u.id = k.user_id").
		Joins("LEFT JOIN shops sh ON sh.id = u.shop_id").
		Where("k.month >= ? AND k.month <= ?", fromMonth, toMonth).
		Order("k.month, sh.code, u.login, k.kpi")
	if shopID != 0 {
		q = q.Where("u.shop_id = ?", shopID)
	}
	var out []KPIValue
	return out, q.Scan(&out).Error
}

// KPIMonthValues returns, for each of the given people, their KPI values (KPI key → value) of
// the latest month in [fromMonth, toMonth] in which they have any, and that month. It reads
// by primary key (user, month) and returns only what an appraisal needs, so a dashboard over
// every store does not sort and join the whole period's sheet.
func (s *Store) KPIMonthValues(ctx context.Context, userIDs []int64, fromMonth, toMonth string) (map[int64]map[string]float64, map[int64]string, error) {
	values, months := map[int64]map[string]float64{}, map[int64]string{}
	err := inChunks(userIDs, func(ids []int64) error {
		rows, err := s.r.WithContext(ctx).Raw(`SELECT k.user_id, k.month, k.kpi, k.value FROM kpi_values k
			JOIN (SELECT user_id, MAX(month) AS month FROM kpi_values WHERE user_id IN ? AND month >= ? AND month <= ? GROUP BY user_id) l
				ON l.user_id = k.user_id AND l.month = k.month`, ids, fromMonth, toMonth).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var month, key string
			var v float64
			if err := rows.Scan(&id, &month, &key, &v); err != nil {
				return err
			}
			if values[id] == nil {
				values[id], months[id] = map[string]float64{}, month
			}
			values[id][key] = v
		}
		return rows.Err()
	})
	return values, months, err
}

// TrainingScore is a person's training results in a period, shown beside their KPIs:
// Knowledge is the mean over the quizzes they finished in the period of their best score at
// each (percent, Quizzes of them); Skills is the mean score of their drills scored in the
// period and released to them (percent, Drills of them). A mean is 0 when its count is 0.
type TrainingScore struct {
	Knowledge float64
	Quizzes   int
	Skills    float64
	Drills    int
}

// TrainingScores computes TrainingScore for each of the people over [from, to): quiz attempts
// count by the time they were submitted and finished (graded), drills by the time the
// primary rating was submitted, and only drills already released.
func (s *Store) TrainingScores(ctx context.Context, userIDs []int64, from, to time.Time) (map[int64]TrainingScore, error) {
	out := map[int64]TrainingScore{}
	db := s.r.WithContext(ctx)
	from, to = from.UTC(), to.UTC()
	for chunk := range slices.Chunk(userIDs, kpiBatch) {
		var best []struct {
			UserID int64
			Best   float64
		}
		if err := db.Raw(`SELECT user_id, MAX(score) AS best FROM attempts
			WHERE state = 'finished' AND submitted_at >= ? AND submitted_at < ? AND user_id IN ?
			GROUP BY user_id, quiz`, from, to, chunk).Scan(&best).Error; err != nil {
			return nil, err
		}
		for _, b := range best {
			t := out[b.UserID]
			t.Knowledge += b.Best
			t.Quizzes++
			out[b.UserID] = t
		}
		var drills []struct {
			TraineeID int64
			Score     float64
		}
		if err := db.Raw(`SELECT trainee_id, score FROM drills
			WHERE state = 'released' AND score IS NOT NULL AND submitted_at >= ? AND submitted_at < ? AND trainee_id IN ?`,
			from, to, chunk).Scan(&drills).Error; err != nil {
			return nil, err
		}
		for _, d := range drills {
			t := out[d.TraineeID]
			t.Skills += d.Score
			t.Drills++
			out[d.TraineeID] = t
		}
	}
	for id, t := range out {
		if t.Quizzes > 0 {
			t.Knowledge /= float64(t.Quizzes)
		}
		if t.Drills > 0 {
			t.Skills /= float64(t.Drills)
		}
		out[id] = t
	}
	return out, nil
}

// KPIByPerson groups one month's values by person and KPI key, the shape tracking.Appraise
// takes; values of several months would overwrite each other, so pass one month.
func KPIByPerson(vals []KPIValue) map[int64]map[string]float64 {
	out := map[int64]map[string]float64{}
	for _, v := range vals {
		if out[v.UserID] == nil {
			out[v.UserID] = map[string]float64{}
		}
		out[v.UserID][v.Key] = v.Value
	}
	return out
}

// AssignRemedial gives every person-month whose KPIs miss a target (tracking.Remedial) a
// remedial assignment for that month: the modules of the missed KPIs, a Chinese reason naming
// each missed KPI with value and target (tracking.RemedialReason), assigned at assignedAt and
// due at dueAt. It reads the month's stored values, so a person's earlier values count too.
// Assign is idempotent per person, programme and period, so saving the month again assigns
// nothing twice; it returns how many assignments were created. It runs after the values are
// committed (the assignments have their own transaction on the one writer connection); a
// failure here leaves the values saved and a save of the same month assigns again.
func (s *Store) AssignRemedial(ctx context.Context, defs []tracking.KPI, people []PersonMonth, assignedAt, dueAt time.Time) (int, error) {
	byMonth := map[string][]int64{}
	var months []string
	for _, pm := range people {
		if _, ok := byMonth[pm.Month]; !ok {
			months = append(months, pm.Month)
		}
		byMonth[pm.Month] = append(byMonth[pm.Month], pm.UserID)
	}
	var as []Assignment
	for _, month := range months {
		values := map[int64]map[string]float64{}
		for chunk := range slices.Chunk(byMonth[month], kpiBatch) {
			var rows []struct {
				UserID int64
				Kpi    string
				Value  float64
			}
			if err := s.w.WithContext(ctx).Raw("SELECT user_id, kpi, value FROM kpi_values WHERE month = ? AND user_id IN ?", month, chunk).
				Scan(&rows).Error; err != nil {
				return 0, err
			}
			for _, r := range rows {
				if values[r.UserID] == nil {
					values[r.UserID] = map[string]float64{}
				}
				values[r.UserID][r.Kpi] = r.Value
			}
		}
		for _, id := range byMonth[month] {
			modules := tracking.Remedial(defs, values[id])
			if len(modules) == 0 {
				continue
			}
			as = append(as, Assignment{UserID: id, Programme: RemedialProgramme, Kind: KindRemedial, Period: month,
				Reason:  tracking.MonthLabel(month) + "未达标：" + tracking.RemedialReason(defs, values[id]),
				Modules: modules, AssignedAt: assignedAt, DueAt: dueAt})
		}
	}
	if len(as) == 0 {
		return 0, nil
	}
	return s.Assign(ctx, as)
}
