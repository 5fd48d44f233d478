package tracking

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// The encodings DecodeText recognises, as it names them to the importer's report.
const (
	EncodingUTF8BOM = "UTF-8 BOM" // Excel's "CSV UTF-8 (逗号分隔)"
	EncodingUTF8    = "UTF-8"
	EncodingGBK     = "GBK" // Excel's plain "CSV (逗号分隔)" on Chinese Windows
)

// ErrEncoding is returned by DecodeText for a file it cannot read as text; its wrapped
// message says, in Chinese, what to do instead, because the person importing is an admin with
// Excel, not a programmer.
var ErrEncoding = errors.New("无法识别文件编码")

// saveAsHint is the fix we suggest for any file we cannot read.
const saveAsHint = "请在 Excel 中用「另存为 → CSV UTF-8（逗号分隔）」保存后再导入"

// DecodeText turns the bytes of an uploaded CSV file into text and names the encoding found:
// UTF-8 with a byte-order mark (stripped), plain UTF-8, or else GBK, which is what Excel on
// Chinese Windows writes for plain "CSV". A file that is neither valid UTF-8 nor decodes
// cleanly as GBK (an invalid sequence, a NUL byte), and the usual wrong files (an .xlsx
// workbook, UTF-16 "Unicode text"), are refused with ErrEncoding. Old Mac line ends (CR only)
// become LF.
func DecodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "", "", fmt.Errorf("%w：这是 Excel 工作簿，不是 CSV 文件；%s", ErrEncoding, saveAsHint)
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return "", "", fmt.Errorf("%w：文件是 UTF-16（Unicode 文本）编码；%s", ErrEncoding, saveAsHint)
	case bytes.IndexByte(data, 0) >= 0:
		return "", "", fmt.Errorf("%w：文件含有二进制内容，不是文本；%s", ErrEncoding, saveAsHint)
	}
	var text, enc string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		rest := data[3:]
		if !utf8.Valid(rest) {
			return "", "", fmt.Errorf("%w：文件标明是 UTF-8，但内容不是有效的 UTF-8；%s", ErrEncoding, saveAsHint)
		}
		text, enc = string(rest), EncodingUTF8BOM
	case utf8.Valid(data):
		text, enc = string(data), EncodingUTF8
	default:
		out, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			return "", "", fmt.Errorf("%w：既不是 UTF-8 也不是 GBK；%s", ErrEncoding, saveAsHint)
		}
		text, enc = string(out), EncodingGBK
	}
	if strings.Contains(text, "\r") && !strings.Contains(text, "\n") {
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return text, enc, nil
}

// RowError is one problem in an imported file, placed where the person will look for it:
// Line is the row number Excel shows (the header is line 1), Column the column's header as
// written in the file (or its standard Chinese name when the column is missing), and Message
// says in Chinese what is wrong and what is expected. Importers write nothing while any exist.
type RowError struct {
	Line    int
	Column  string
	Message string
}

// Error formats the problem the way the import page lists it: "第 3 行「角色」：…".
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("第 %d 行：%s", e.Line, e.Message)
	}
	return fmt.Sprintf("第 %d 行「%s」：%s", e.Line, e.Column, e.Message)
}

// csvRow is one non-empty record of a file with the row number Excel shows for it.
type csvRow struct {
	line   int
	fields []string
}

// cell is field i of the row, trimmed, or "" past the row's end.
func (r csvRow) cell(i int) string {
	if i < 0 || i >= len(r.fields) {
		return ""
	}
	return trimCell(r.fields[i])
}

// trimCell removes the spaces (ASCII and full-width) and stray BOMs that Excel users leave
// around values.
func trimCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\u3000' || r == '\ufeff' || r == '\u00a0' || r == '\r' || r == '\n'
	})
}

// readCSV decodes and splits a file into its header and data rows, skipping fully empty rows
// (Excel leaves ",,,," lines at the end). Row numbers count records as Excel does: a line
// break inside a quoted cell does not start a new row, a blank line does. A malformed record
// becomes a RowError and reading goes on with the next.
func readCSV(data []byte) (header csvRow, rows []csvRow, errs []RowError) {
	text, _, err := DecodeText(data)
	if err != nil {
		return csvRow{}, nil, []RowError{{Line: 1, Message: err.Error()}}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	extra := 0 // line breaks inside quoted cells seen so far
	haveHeader := false
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine - extra
			}
			errs = append(errs, RowError{Line: max(line, 1), Message: "CSV 格式错误：" + csvProblem(err)})
			continue
		}
		start, _ := r.FieldPos(0)
		row := csvRow{line: max(start-extra, 1), fields: rec}
		for _, f := range rec {
			extra += strings.Count(f, "\n")
		}
		empty := true
		for _, f := range rec {
			if trimCell(f) != "" {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		if !haveHeader {
			header, haveHeader = row, true
			continue
		}
		rows = append(rows, row)
	}
	if !haveHeader {
		if len(errs) == 0 {
			errs = append(errs, RowError{Line: 1, Message: "文件是空的：第一行应为表头"})
		}
	} else if len(rows) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Line: header.line, Message: "文件只有表头，没有数据行"})
	}
	return header, rows, errs
}

// csvProblem says in Chinese what encoding/csv found wrong.
func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote), errors.Is(err, csv.ErrBareQuote):
		return "引号不成对（单元格内的英文双引号须写成两个 \"\"）"
	default:
		return "无法解析该行"
	}
}

// column is one header cell: its text as written and the field it was recognised as ("" for
// an empty header cell).
type column struct {
	title string
	field string
}

// checkUnnamed reports a value in a column whose header cell is empty; Excel's trailing empty
// columns have no values and pass.
func checkUnnamed(cols []column, row csvRow) []RowError {
	var errs []RowError
	for i := range row.fields {
		if row.cell(i) == "" {
			continue
		}
		if i >= len(cols) || cols[i].title == "" {
			errs = append(errs, RowError{Line: row.line, Column: fmt.Sprintf("第 %d 列", i+1),
				Message: "这一列没有列名，无法识别其中的「" + clip(row.cell(i)) + "」"})
		}
	}
	return errs
}

// clip shortens a cell quoted in a message so one wild value cannot flood the error list.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 20 {
		return s
	}
	return string([]rune(s)[:20]) + "…"
}

// The standard staff-list columns, keyed by field, with their Chinese names.
var staffColumns = []struct{ field, zh, en string }{
	{"login", "登录名", "login"},
	{"name", "姓名", "name"},
	{"role", "角色", "role"},
	{"store", "门店编号", "store"},
	{"hired", "入职日期", "hired"},
}

// StaffRow is one valid person from a staff-list import, normalised for account creation:
// Login in lower case, Role one of "trainee", "supervisor", "admin", HiredOn as "2006-01-02"
// or "" when the cell was blank. Line is the row in the file, for the import report.
type StaffRow struct {
	Line    int
	Login   string
	Name    string
	Role    string
	Store   string
	HiredOn string
}

// loginRE is the login rule shared with package accounts.
var loginRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// staffRoles maps what an admin may type in the 角色 column to the role it means.
var staffRoles = map[string]string{
	"学员": "trainee", "trainee": "trainee", "员工": "trainee",
	"主管": "supervisor", "督导": "supervisor", "supervisor": "supervisor",
	"管理员": "admin", "admin": "admin",
}

// ParseStaffCSV reads a staff list for bulk account creation. The header names the columns in
// Chinese or English, in any order: 登录名/login, 姓名/name, 角色/role (学员/主管/管理员, also 督导,
// or trainee/supervisor/admin), 门店编号/store, 入职日期/hired (YYYY-MM-DD, YYYY/M/D as Excel
// writes, or 2026年1月31日). Every row is checked: the login rule, a name of 1–40 characters,
// a known role, a store for everyone but admins, a real date, no login twice in the file.
// All problems are returned, not just the first, so one round of fixes is enough; the caller
// writes nothing while any exist.
func ParseStaffCSV(data []byte) ([]StaffRow, []RowError) {
	header, rows, errs := readCSV(data)
	if len(header.fields) == 0 {
		return nil, errs
	}
	cols, idx, herrs := staffHeader(header)
	errs = append(errs, herrs...)

	var out []StaffRow
	firstLine := map[string]int{}
	storeColumnNeeded := false
	for _, row := range rows {
		errs = append(errs, checkUnnamed(cols, row)...)
		s := StaffRow{Line: row.line}
		bad := false
		fail := func(field, msg string) {
			bad = true
			title := zhStaffColumn(field)
			if i, ok := idx[field]; ok {
				title = cols[i].title
			}
			errs = append(errs, RowError{Line: row.line, Column: title, Message: msg})
		}
		get := func(field string) string {
			if i, ok := idx[field]; ok {
				return row.cell(i)
			}
			return ""
		}
		_, hasLogin := idx["login"]
		_, hasName := idx["name"]
		_, hasRole := idx["role"]

		s.Login = strings.ToLower(get("login"))
		switch {
		case !hasLogin:
			bad = true
		case s.Login == "":
			fail("login", "请填写登录名")
		case !loginRE.MatchString(s.Login):
			fail("login", "登录名「"+clip(s.Login)+"」不合规：须为 2–32 位小写字母、数字、点、下划线或连字符，并以字母或数字开头")
		case firstLine[s.Login] > 0:
			fail("login", fmt.Sprintf("登录名「%s」与第 %d 行重复", s.Login, firstLine[s.Login]))
		default:
			firstLine[s.Login] = row.line
		}

		s.Name = get("name")
		switch {
		case !hasName:
			bad = true
		case s.Name == "":
			fail("name", "请填写姓名")
		case utf8.RuneCountInString(s.Name) > 40:
			fail("name", "姓名不能超过 40 个字")
		}

		roleText := get("role")
		s.Role = staffRoles[strings.ToLower(roleText)]
		switch {
		case !hasRole:
			bad = true
		case roleText == "":
			fail("role", "请填写角色：学员、主管或管理员")
		case s.Role == "":
			fail("role", "无法识别的角色「"+clip(roleText)+"」：应为学员、主管或管理员")
		}

		s.Store = get("store")
		if s.Store == "" && s.Role != "admin" && s.Role != "" {
			if _, ok := idx["store"]; ok {
				fail("store", "学员和主管必须填写门店编号")
			} else {
				bad, storeColumnNeeded = true, true
			}
		}

		if hired := get("hired"); hired != "" {
			d, ok := parseDate(hired)
			if ok {
				s.HiredOn = d.Format(time.DateOnly)
			} else {
				fail("hired", "入职日期「"+clip(hired)+"」无效：应写成 2026-01-31 或 2026/1/31")
			}
		}
		if !bad {
			out = append(out, s)
		}
	}
	if storeColumnNeeded {
		errs = append(errs, RowError{Line: header.line, Column: "门店编号", Message: "缺少「门店编号」列：学员和主管必须属于一家门店"})
	}
	sortErrors(errs)
	return out, errs
}

// staffHeader recognises the staff-list header: which column holds which field, and any
// missing, unknown or repeated column.
func staffHeader(header csvRow) ([]column, map[string]int, []RowError) {
	var errs []RowError
	cols := make([]column, len(header.fields))
	idx := map[string]int{}
	for i := range header.fields {
		title := header.cell(i)
		cols[i].title = title
		if title == "" {
			continue
		}
		field := ""
		for _, c := range staffColumns {
			if matchTitle(title, c.zh) || matchTitle(title, c.en) {
				field = c.field
				break
			}
		}
		switch {
		case field == "":
			errs = append(errs, RowError{Line: header.line, Column: title,
				Message: "无法识别的列「" + clip(title) + "」：应为登录名、姓名、角色、门店编号、入职日期之一"})
		case hasKey(idx, field):
			errs = append(errs, RowError{Line: header.line, Column: title, Message: "「" + zhStaffColumn(field) + "」列重复出现"})
		default:
			cols[i].field = field
			idx[field] = i
		}
	}
	for _, f := range []string{"login", "name", "role"} {
		if !hasKey(idx, f) {
			errs = append(errs, RowError{Line: header.line, Column: zhStaffColumn(f), Message: "缺少「" + zhStaffColumn(f) + "」列"})
		}
	}
	return cols, idx, errs
}

// hasKey reports whether m has k, for readability in the header checks.
func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// zhStaffColumn is a staff field's standard Chinese column name.
func zhStaffColumn(field string) string {
	for _, c := range staffColumns {
		if c.field == field {
			return c.zh
		}
	}
	return field
}

// matchTitle compares a header cell with a column name, ignoring case and a trailing note in
// brackets that templates often carry ("入职日期（YYYY-MM-DD）", "投诉按时处理率(%)").
func matchTitle(title, name string) bool {
	if name == "" {
		return false
	}
	if strings.EqualFold(title, name) {
		return true
	}
	base := stripNote(title)
	return base != title && strings.EqualFold(base, name)
}

// stripNote removes one trailing bracketed note, ASCII or full-width, from a header cell.
func stripNote(title string) string {
	for _, p := range [][2]string{{"(", ")"}, {"（", "）"}} {
		if strings.HasSuffix(title, p[1]) {
			if i := strings.LastIndex(title, p[0]); i > 0 {
				return trimCell(title[:i])
			}
		}
	}
	return title
}

// dateRE matches the dates Excel writes: 2026-01-31, 2026/1/31, 2026.1.31, 2026年1月31日.
var dateRE = regexp.MustCompile(`^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?)$`)

// parseDate reads a calendar date in the forms of dateRE and refuses impossible ones
// (2026-02-30), returning it at midnight UTC.
func parseDate(s string) (time.Time, bool) {
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	mo, d := m[2], m[3]
	if mo == "" {
		mo, d = m[4], m[5]
	}
	y, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(mo)
	day, _ := strconv.Atoi(d)
	t := time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if y < 1900 || t.Year() != y || int(t.Month()) != month || t.Day() != day {
		return time.Time{}, false
	}
	return t, true
}

// KPIValue is one KPI figure for one person and month from a KPI import: Month is "2026-10",
// Key the KPI key, Value the number as entered (percent KPIs in percent, 92.5 for 92.5 %).
type KPIValue struct {
	Login string
	Month string
	Key   string
	Value float64
}

// monthRE matches the months a KPI sheet may carry: 2026-10, 2026/10, 2026.10, 2026年10月, and
// the first day of the month that Excel turns "2026-10" into (2026/10/1).
var monthRE = regexp.MustCompile(`^(\d{4})(?:[-/.](\d{1,2})(?:[-/.]0?1)?|年(\d{1,2})月)$`)

// parseMonth normalises a month cell to "2026-10".
func parseMonth(s string) (string, bool) {
	m := monthRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	mo := m[2]
	if mo == "" {
		mo = m[3]
	}
	y, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(mo)
	if y < 2000 || month < 1 || month > 12 {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d", y, month), true
}

// numberRE is a plain decimal number as people type it; ParseFloat alone would also take
// "NaN", "Inf" and hexadecimal.
var numberRE = regexp.MustCompile(`^[-+]?(?:\d+\.?\d*|\.\d+)$`)

// KPIRow is one person-month of a KPI sheet as the import preview lists it: the row number
// Excel shows, the normalised login and month, and the values the row carries in column order
// (none when every KPI cell was empty).
type KPIRow struct {
	Line   int
	Login  string
	Month  string
	Values []KPIValue
}

// ParseKPICSV reads monthly KPI figures. The header is 登录名/login, 月份/month, then one
// column per KPI, titled with its key or its Chinese name (a trailing note in brackets such
// as "(%)" is ignored). A value may end in "%" or "％" (only for KPIs measured in %); an empty
// cell means no value for that KPI. Months may be written 2026-10, 2026/10 or 2026年10月.
// Problems become row errors: an unknown or repeated column, a missing login or month, a
// value that is not a number, a negative value, a value above the KPI's scale (see
// ParseKPIValue), and the same login and month twice. Fully empty rows and columns (Excel's
// leftovers) are ignored. All problems are returned; the caller writes nothing while any
// exist.
func ParseKPICSV(data []byte, defs []KPI) ([]KPIValue, []RowError) {
	rows, errs := ParseKPISheet(data, defs)
	var out []KPIValue
	for _, r := range rows {
		out = append(out, r.Values...)
	}
	return out, errs
}

// ParseKPISheet reads a KPI sheet like ParseKPICSV but keeps its rows, with their line
// numbers, so an importer can check each login against the staff list and report the line,
// and a preview can show the file row by row. Only rows without problems are returned.
func ParseKPISheet(data []byte, defs []KPI) ([]KPIRow, []RowError) {
	header, rows, errs := readCSV(data)
	if len(header.fields) == 0 {
		return nil, errs
	}
	cols, idx, kpis, herrs := kpiHeader(header, defs)
	errs = append(errs, herrs...)
	_, hasLogin := idx["login"]
	_, hasMonth := idx["month"]

	var out []KPIRow
	firstLine := map[string]int{}
	for _, row := range rows {
		errs = append(errs, checkUnnamed(cols, row)...)
		fail := func(i int, title, msg string) {
			if i >= 0 {
				title = cols[i].title
			}
			errs = append(errs, RowError{Line: row.line, Column: title, Message: msg})
		}
		ok := hasLogin && hasMonth
		login, month := "", ""
		if hasLogin {
			i := idx["login"]
			login = strings.ToLower(row.cell(i))
			switch {
			case login == "":
				fail(i, "", "请填写登录名")
				ok = false
			case !loginRE.MatchString(login):
				fail(i, "", "登录名「"+clip(login)+"」不合规")
				ok = false
			}
		}
		if hasMonth {
			i := idx["month"]
			raw := row.cell(i)
			var good bool
			month, good = parseMonth(raw)
			switch {
			case raw == "":
				fail(i, "", "请填写月份，例如 2026-10")
				ok = false
			case !good:
				fail(i, "", "月份「"+clip(raw)+"」无效：应写成 2026-10、2026/10 或 2026年10月")
				ok = false
			}
		}
		if ok {
			key := login + "\x00" + month
			if first := firstLine[key]; first > 0 {
				fail(idx["login"], "", fmt.Sprintf("「%s」%s 的数据与第 %d 行重复", login, month, first))
				ok = false
			} else {
				firstLine[key] = row.line
			}
		}
		var vals []KPIValue
		for _, kc := range kpis {
			raw := row.cell(kc.index)
			if raw == "" {
				continue
			}
			v, msg := ParseKPIValue(raw, kc.kpi)
			if msg != "" {
				fail(kc.index, "", msg)
				ok = false
				continue
			}
			vals = append(vals, KPIValue{Login: login, Month: month, Key: kc.kpi.Key, Value: v})
		}
		if ok {
			out = append(out, KPIRow{Line: row.line, Login: login, Month: month, Values: vals})
		}
	}
	sortErrors(errs)
	return out, errs
}

// kpiColumn is a KPI recognised in the header and the column that holds it.
type kpiColumn struct {
	index int
	kpi   KPI
}

// kpiHeader recognises the KPI sheet's header: the login and month columns and one column per
// KPI, in file order, with errors for unknown, repeated and missing columns.
func kpiHeader(header csvRow, defs []KPI) ([]column, map[string]int, []kpiColumn, []RowError) {
	var errs []RowError
	cols := make([]column, len(header.fields))
	idx := map[string]int{}
	var kpis []kpiColumn
	for i := range header.fields {
		title := header.cell(i)
		cols[i].title = title
		if title == "" {
			continue
		}
		field, name := "", ""
		var def KPI
		switch {
		case matchTitle(title, "登录名") || matchTitle(title, "login"):
			field, name = "login", "登录名"
		case matchTitle(title, "月份") || matchTitle(title, "month"):
			field, name = "month", "月份"
		default:
			for _, k := range defs {
				if k.Key != "" && (matchTitle(title, k.Key) || matchTitle(title, k.Name)) {
					field, name, def = "kpi:"+k.Key, displayName(k), k
					break
				}
			}
		}
		switch {
		case field == "":
			errs = append(errs, RowError{Line: header.line, Column: title,
				Message: "无法识别的列「" + clip(title) + "」：应为登录名、月份或某项指标（指标 key 或中文名称）"})
		case hasKey(idx, field):
			errs = append(errs, RowError{Line: header.line, Column: title, Message: "「" + name + "」列重复出现"})
		default:
			cols[i].field = field
			idx[field] = i
			if def.Key != "" {
				kpis = append(kpis, kpiColumn{index: i, kpi: def})
			}
		}
	}
	for _, f := range []struct{ field, zh string }{{"login", "登录名"}, {"month", "月份"}} {
		if !hasKey(idx, f.field) {
			errs = append(errs, RowError{Line: header.line, Column: f.zh, Message: "缺少「" + f.zh + "」列"})
		}
	}
	if len(kpis) == 0 {
		errs = append(errs, RowError{Line: header.line, Message: "表头中没有任何指标列：在登录名、月份之后每项指标一列，列名为指标 key 或中文名称"})
	}
	return cols, idx, kpis, errs
}

// ParseKPIValue reads one KPI value as typed in a sheet cell or a form field, returning a
// Chinese message instead when it is not a valid value for k: not a plain decimal number, a
// percent sign on a KPI not measured in %, negative, or above the KPI's scale (KPI.Scale: 100
// for percentages, 5 for a five-point satisfaction score). The import and the entry form
// share it, so a number refused in one is refused in the other.
func ParseKPIValue(raw string, k KPI) (float64, string) {
	raw = trimCell(raw)
	s := raw
	percent := false
	for _, suffix := range []string{"%", "％"} {
		if strings.HasSuffix(s, suffix) {
			s, percent = trimCell(strings.TrimSuffix(s, suffix)), true
			break
		}
	}
	isPercentUnit := k.Unit == "%" || k.Unit == "％"
	if !numberRE.MatchString(s) {
		return 0, "「" + clip(raw) + "」不是数字"
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, "「" + clip(raw) + "」不是有效的数字"
	}
	top, bounded := k.Scale()
	switch {
	case percent && !isPercentUnit:
		return 0, "「" + displayName(k) + "」的单位是「" + k.Unit + "」，不能带百分号"
	case v < 0:
		return 0, "「" + clip(raw) + "」不能为负数"
	case isPercentUnit && v > 100:
		return 0, "「" + clip(raw) + "」超过 100%"
	case bounded && v > top:
		return 0, "「" + clip(raw) + "」超过满分 " + formatNumber(top) + k.Unit + "：应在 0–" + formatNumber(top) + " 之间"
	}
	return v, ""
}

// sortErrors orders errors by line (stable, so a row's errors keep their column order), which
// is how the import page lists them.
func sortErrors(errs []RowError) {
	slices.SortStableFunc(errs, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
}
