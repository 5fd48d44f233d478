package tracking

import (
	"strings"
	"testing"
	"time"
)

func TestKPIScaleAndValueRange(t *testing.T) {
	defs := testKPIs()
	tests := []struct {
		k       KPI
		raw     string
		want    float64
		message string
	}{
		{defs[0], "4.8", 4.8, ""},
		{defs[0], " 5 ", 5, ""},
		{defs[0], "5.1", 0, "超过满分 5分"},
		{defs[0], "48", 0, "应在 0–5 之间"},
		{defs[1], "100", 100, ""},
		{defs[1], "100.5", 0, "超过 100%"},
		{defs[1], "92%", 92, ""},
		{defs[3], "-1", 0, "不能为负数"},
		{defs[3], "abc", 0, "不是数字"},
		{KPI{Unit: "分", Target: 9}, "10", 10, ""},
		{KPI{Unit: "分", Target: 9}, "11", 0, "超过满分 10分"},
		{KPI{Unit: "单", Target: 30}, "300", 300, ""},
	}
	for _, tt := range tests {
		got, msg := ParseKPIValue(tt.raw, tt.k)
		if got != tt.want || (tt.message == "") != (msg == "") || !strings.Contains(msg, tt.message) {
			t.Errorf("ParseKPIValue(%q, %s) = %v, %q; want %v, %q", tt.raw, tt.k.Key, got, msg, tt.want, tt.message)
		}
	}
	// The sheet refuses the same values as the form.
	_, errs := ParseKPICSV([]byte("登录名,月份,顾客满意度\nab,2026-10,48\n"), defs)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "第 2 行「顾客满意度」") {
		t.Errorf("errs = %v", errs)
	}
}

func TestParseKPISheetKeepsLines(t *testing.T) {
	rows, errs := ParseKPISheet([]byte("登录名,月份,顾客满意度,首次解决率\nab,2026-10,4.9,\n\ncd,2026/10,,70\nef,2026-10,,\n"), testKPIs())
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if len(rows) != 3 || rows[0].Line != 2 || rows[1].Line != 4 || rows[1].Month != "2026-10" || rows[2].Line != 5 || len(rows[2].Values) != 0 {
		t.Errorf("rows = %+v", rows)
	}
	if rows[1].Values[0] != (KPIValue{Login: "cd", Month: "2026-10", Key: "first-contact-resolution", Value: 70}) {
		t.Errorf("values = %+v", rows[1].Values)
	}
}

func TestRemedialReason(t *testing.T) {
	defs := testKPIs()
	got := RemedialReason(defs, map[string]float64{"satisfaction": 4.5, "complaints-on-time": 95, "service-cost": 3.25, "return-rate": 1})
	want := "顾客满意度 4.5分，目标 ≥ 4.8分；售后服务成本占销售额比例 3.25%，目标 ≤ 3%"
	if got != want {
		t.Errorf("RemedialReason = %q, want %q", got, want)
	}
	if got := RemedialReason(defs, map[string]float64{"satisfaction": 4.9}); got != "" {
		t.Errorf("all met: %q", got)
	}
}

func TestMonths(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	start, end, err := MonthRange("2026-11", shanghai)
	if err != nil || !start.Equal(time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC)) || !end.Equal(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("MonthRange = %v, %v, %v", start, end, err)
	}
	for _, bad := range []string{"2026/11", "2026-13", "", "2026-1"} {
		if _, _, err := MonthRange(bad, nil); err == nil {
			t.Errorf("MonthRange(%q) accepted", bad)
		}
	}
	if m, ok := ParseMonth(" 2026年1月 "); !ok || m != "2026-01" {
		t.Errorf("ParseMonth = %q, %v", m, ok)
	}
	if AddMonths("2026-01", -1) != "2025-12" || AddMonths("2026-12", 1) != "2027-01" || MonthLabel("2026-03") != "2026年3月" {
		t.Error("AddMonths/MonthLabel")
	}
	if FormatKPINumber(4.8) != "4.8" || FormatKPINumber(93.456) != "93.46" || FormatKPINumber(90) != "90" {
		t.Error("FormatKPINumber")
	}
}
