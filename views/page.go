// Package views renders every page with templ. Components take plain parameters (domain types
// and the page structs defined here) and never reach for a request, a database or a framework;
// handlers in package web gather the data and pick the component.
package views

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"aftercare/accounts"
	"aftercare/failure"
)

// Page is what every page's frame needs: the title, the signed-in user (nil when anonymous),
// the CSRF token for its forms and which navigation entry is current.
type Page struct {
	Title string
	User  *accounts.User
	CSRF  string
	Nav   string
	// Notice is a one-line confirmation shown above the content ("已保存").
	Notice string
}

// Form is a submitted form's values and per-field messages, so a refused form is shown again
// with what the user typed and a message next to each wrong field.
type Form struct {
	Values map[string]string
	Errors failure.Fields
	// Problem is a message about the form as a whole (e.g. wrong password).
	Problem string
}

// Value returns the submitted value of a field.
func (f Form) Value(name string) string { return f.Values[name] }

// Error returns the message for a field, or "".
func (f Form) Error(name string) string { return f.Errors[name] }

// Invalid is the aria-invalid attribute value for a field.
func (f Form) Invalid(name string) string {
	if f.Errors[name] != "" {
		return "true"
	}
	return "false"
}

// text is the catalogue of interface strings shared by many pages; page-specific prose stays in
// its component. Simplified Chinese is the first locale.
var text = map[string]string{ // #nosec G101 -- interface labels ("password": "密码"), not credentials
	"app":          "售后学院",
	"nav.courses":  "课程",
	"nav.progress": "我的进度",
	"nav.users":    "人员管理",
	"nav.reports":  "测验统计",
	"nav.login":    "登录",
	"logout":       "退出",
	"login":        "登录",
	"login.name":   "登录名",
	"password":     "密码",
	"save":         "保存",
	"hours":        "学时",
	"minutes":      "分钟",
	"quiz":         "测验",
	"questions":    "题",
	"pass":         "及格线",
	"prev":         "上一课",
	"next":         "下一课",
	"back.courses": "返回课程列表",
}

// T returns the interface string for key; an unknown key shows itself so it is noticed.
func T(key string) string {
	if s, ok := text[key]; ok {
		return s
	}
	return key
}

// Hours formats a number of hours without needless decimals: 1, 1.5, 0.25.
func Hours(h float64) string {
	return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(h, 'f', 2, 64), "0"), ".")
}

// Percent formats a share as a whole percentage.
func Percent(p float64) string { return fmt.Sprintf("%.0f%%", p) }

// Itoa formats an integer for display.
func Itoa(n int) string { return strconv.Itoa(n) }

// Width is a CSS width for a progress bar, clamped to 0–100 %.
func Width(done, total float64) string {
	if total <= 0 {
		return "width:0%"
	}
	p := done / total * 100
	p = max(0, min(100, p))
	return fmt.Sprintf("width:%.1f%%", p)
}

// shanghai is the display zone; timestamps are stored in UTC.
var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

func queryEscape(s string) string { return url.QueryEscape(s) }

// LocalTime formats a stored UTC time in the display zone (Asia/Shanghai); "" when unset.
func LocalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format("2006-01-02 15:04")
}
