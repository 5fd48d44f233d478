package tracking

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Scale is the highest value a KPI can take, so that a typo (48 for 4.8) is refused instead of
// scored: 100 for a percentage; for a score (unit "分") the smallest of the usual scales 5,
// 10 and 100 that holds the target, so satisfaction with target 4.8 is on the five-point
// scale its description names. Other units have no upper bound (bounded false).
func (k KPI) Scale() (top float64, bounded bool) {
	switch k.Unit {
	case "%", "％":
		return 100, true
	case "分":
		for _, s := range []float64{5, 10, 100} {
			if k.Target <= s {
				return s, true
			}
		}
	}
	return 0, false
}

// Comparator is the sign the target is read with: "≥" when higher is better, "≤" when lower
// is, "" for an undefined direction; pages write a target as "≥ 4.8分".
func (k KPI) Comparator() string {
	switch k.Direction {
	case Higher:
		return "≥"
	case Lower:
		return "≤"
	}
	return ""
}

// FormatKPINumber prints a KPI value or target without needless zeros ("4.8", "90", "2.5"),
// rounded to at most two decimals, as the pages and the remedial reason show it.
func FormatKPINumber(v float64) string {
	return formatNumber(math.Round(v*100) / 100)
}

// RemedialReason says in Chinese which KPIs missed their targets, with value and target, for
// the remedial assignment the misses cause, e.g. "顾客满意度 4.5分，目标 ≥ 4.8分；投诉按时处理率
// 81%，目标 ≥ 90%". It names exactly the KPIs whose misses make Remedial assign modules
// (a value, a known direction, not met), in definition order; "" when none missed.
func RemedialReason(defs []KPI, values map[string]float64) string {
	var parts []string
	for _, k := range defs {
		v, ok := values[k.Key]
		if !ok || (k.Direction != Higher && k.Direction != Lower) {
			continue
		}
		if _, met := Attainment(k, v); met {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s%s，目标 %s %s%s", displayName(k), FormatKPINumber(v), k.Unit,
			k.Comparator(), formatNumber(k.Target), k.Unit))
	}
	return strings.Join(parts, "；")
}

// ParseMonth normalises a month as people write it (2026-11, 2026/11, 2026年11月) to the
// "2026-11" that KPI values are filed under; false for anything else.
func ParseMonth(s string) (string, bool) { return parseMonth(trimCell(s)) }

// MonthRange is the first instant of a "2026-11" month and of the month after it in loc (the
// stores' calendar, Asia/Shanghai), in UTC, so "what happened in November" is counted by the
// shop's clock. A nil loc means UTC.
func MonthRange(month string, loc *time.Location) (start, end time.Time, err error) {
	m, ok := parseMonth(month)
	if !ok || m != month {
		return time.Time{}, time.Time{}, fmt.Errorf("tracking: %q is not a month like 2026-11", month)
	}
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01", m, loc)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return t.UTC(), t.AddDate(0, 1, 0).UTC(), nil
}

// AddMonths moves a "2026-11" month by n months (negative for earlier), for the previous and
// next month links and trend ranges; an invalid month comes back unchanged.
func AddMonths(month string, n int) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// MonthLabel writes "2026-11" the way the pages title it: "2026年11月".
func MonthLabel(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
}
