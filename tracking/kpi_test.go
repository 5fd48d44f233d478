package tracking

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// testKPIs mirrors content/kpis.yaml.
func testKPIs() []KPI {
	return []KPI{
		{Key: "satisfaction", Name: "顾客满意度", Unit: "分", Target: 4.8, Direction: Higher, Weight: 35,
			Remedial: []string{"service-basics/service-mindset", "service-basics/etiquette-and-response", "complaint-handling/scripts-and-empathy"}},
		{Key: "complaints-on-time", Name: "投诉按时处理率", Unit: "%", Target: 90, Direction: Higher, Weight: 25,
			Remedial: []string{"complaint-handling/four-steps", "service-basics/service-commitments"}},
		{Key: "first-contact-resolution", Name: "首次解决率", Unit: "%", Target: 80, Direction: Higher, Weight: 20,
			Remedial: []string{"complaint-handling/four-steps", "service-basics/customer-types", "complaint-handling/scripts-and-empathy"}},
		{Key: "service-cost", Name: "售后服务成本占销售额比例", Unit: "%", Target: 3, Direction: Lower, Weight: 20,
			Remedial: []string{"tiles/tile-problems", "material-care/jewellery-care-basics", "service-basics/team-and-kpi"}},
		{Key: "response-24h", Name: "24小时响应率", Unit: "%", Target: 85, Direction: Higher, Weight: 0,
			Remedial: []string{"service-basics/etiquette-and-response", "complaint-handling/online-service"}},
		{Key: "return-rate", Name: "退换货率", Unit: "%", Target: 3, Direction: Lower, Weight: 0,
			Remedial: []string{"complaint-handling/online-returns", "consumer-law/distance-sales-return", "tiles/tile-types-and-specs"}},
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestAttainment(t *testing.T) {
	higher := KPI{Target: 4.8, Direction: Higher}
	pct := KPI{Target: 90, Direction: Higher}
	lower := KPI{Target: 3, Direction: Lower}
	tests := []struct {
		name  string
		k     KPI
		value float64
		score float64
		met   bool
	}{
		{"higher: below target", higher, 4.2, 87.5, false},
		{"higher: at target", higher, 4.8, 100, true},
		{"higher: above target is capped", higher, 5, 100, true},
		{"higher: zero", pct, 0, 0, false},
		{"higher: percent", pct, 81, 90, false},
		{"higher: negative value floors at 0", pct, -5, 0, false},
		{"lower: under target", lower, 2.5, 100, true},
		{"lower: at target", lower, 3, 100, true},
		{"lower: 20% over target", lower, 3.6, 80, false},
		{"lower: double the target", lower, 6, 0, false},
		{"lower: far over floors at 0", lower, 12, 0, false},
		{"lower: zero cost", lower, 0, 100, true},
		{"zero target higher met", KPI{Target: 0, Direction: Higher}, 0, 100, true},
		{"zero target lower met", KPI{Target: 0, Direction: Lower}, 0, 100, true},
		{"zero target lower missed", KPI{Target: 0, Direction: Lower}, 0.1, 0, false},
		{"unknown direction", KPI{Target: 3, Direction: "up"}, 5, 0, false},
		{"NaN value", pct, math.NaN(), 0, false},
		{"infinite value", pct, math.Inf(1), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			score, met := Attainment(tt.k, tt.value)
			if !near(score, tt.score) || met != tt.met {
				t.Errorf("Attainment(%v) = %v, %v, want %v, %v", tt.value, score, met, tt.score, tt.met)
			}
		})
	}
}

func TestRule(t *testing.T) {
	defs := testKPIs()
	tests := []struct {
		k    KPI
		want []string
	}{
		{defs[0], []string{"实际值 ÷ 目标值 × 100，封顶 100", "不低于 4.8分"}},
		{defs[1], []string{"不低于 90%"}},
		{defs[3], []string{"不高于 3% 得 100 分", "100 − (实际值 − 目标值) ÷ 目标值 × 100", "最低 0 分"}},
		{KPI{Direction: Higher}, []string{"否则 0 分"}},
		{KPI{Direction: Lower, Unit: "%"}, []string{"不高于 0% 得 100 分"}},
		{KPI{Direction: "sideways"}, []string{"未定义"}},
	}
	for _, tt := range tests {
		got := tt.k.Rule()
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s Rule() = %q, want it to contain %q", tt.k.Key, got, w)
			}
		}
	}
}

func TestAppraise(t *testing.T) {
	defs := testKPIs()
	t.Run("all values", func(t *testing.T) {
		a := Appraise(defs, map[string]float64{
			"satisfaction": 4.8, "complaints-on-time": 81, "first-contact-resolution": 80,
			"service-cost": 3.6, "response-24h": 50, "return-rate": 1,
		})
		// 35×100 + 25×90 + 20×100 + 20×80 = 3500+2250+2000+1600 → 93.5
		if !a.Scored || a.Renormalised || a.Note != "" || len(a.Missing) != 0 {
			t.Errorf("flags: %+v", a)
		}
		if !near(a.Total, 93.5) {
			t.Errorf("Total = %v, want 93.5", a.Total)
		}
		wantPoints := []float64{35, 22.5, 20, 16, 0, 0}
		wantMet := []bool{true, false, true, false, false, true}
		for i, r := range a.Rows {
			if r.KPI.Key != defs[i].Key || !r.HasValue {
				t.Errorf("row %d = %+v", i, r)
			}
			if !near(r.Points, wantPoints[i]) || r.Met != wantMet[i] {
				t.Errorf("row %s: points %v met %v, want %v %v", r.KPI.Key, r.Points, r.Met, wantPoints[i], wantMet[i])
			}
		}
		if r := a.Rows[4]; !near(r.Score, 50.0/85*100) || r.EffectiveWeight != 0 {
			t.Errorf("tracked-only row = %+v", r)
		}
	})
	t.Run("missing weighted value renormalises", func(t *testing.T) {
		a := Appraise(defs, map[string]float64{
			"satisfaction": 4.8, "complaints-on-time": 90, "service-cost": 6,
		})
		// used weight 80: satisfaction 35/80, on-time 25/80 at 100, cost 20/80 at 0 → 75
		if !a.Scored || !a.Renormalised || !near(a.Total, 75) {
			t.Errorf("Total %v Scored %v Renormalised %v", a.Total, a.Scored, a.Renormalised)
		}
		if !reflect.DeepEqual(a.Missing, []string{"first-contact-resolution"}) {
			t.Errorf("Missing = %v", a.Missing)
		}
		if !strings.Contains(a.Note, "首次解决率") || !strings.Contains(a.Note, "折算") {
			t.Errorf("Note = %q", a.Note)
		}
		if r := a.Rows[0]; !near(r.EffectiveWeight, 43.75) || !near(r.Points, 43.75) {
			t.Errorf("satisfaction row = %+v", r)
		}
		if r := a.Rows[2]; r.HasValue || r.Points != 0 {
			t.Errorf("missing row = %+v", r)
		}
	})
	t.Run("tracked-only missing does not renormalise", func(t *testing.T) {
		a := Appraise(defs, map[string]float64{
			"satisfaction": 4.8, "complaints-on-time": 90, "first-contact-resolution": 80, "service-cost": 1,
		})
		if a.Renormalised || !near(a.Total, 100) {
			t.Errorf("Total %v Renormalised %v", a.Total, a.Renormalised)
		}
	})
	t.Run("no values", func(t *testing.T) {
		a := Appraise(defs, nil)
		if a.Scored || a.Total != 0 || len(a.Rows) != len(defs) || a.Note == "" {
			t.Errorf("Appraise(nil) = %+v", a)
		}
	})
	t.Run("only tracked-only values", func(t *testing.T) {
		a := Appraise(defs, map[string]float64{"return-rate": 9})
		if a.Scored || a.Total != 0 || a.Rows[5].Met || !a.Rows[5].HasValue {
			t.Errorf("Appraise = %+v", a)
		}
	})
	t.Run("NaN counts as no value", func(t *testing.T) {
		a := Appraise(defs[:1], map[string]float64{"satisfaction": math.NaN()})
		if a.Scored || a.Rows[0].HasValue {
			t.Errorf("Appraise = %+v", a)
		}
	})
	t.Run("no definitions", func(t *testing.T) {
		a := Appraise(nil, map[string]float64{"x": 1})
		if a.Scored || len(a.Rows) != 0 || a.Note != "" {
			t.Errorf("Appraise = %+v", a)
		}
	})
}

func TestRemedial(t *testing.T) {
	defs := testKPIs()
	tests := []struct {
		name   string
		defs   []KPI
		values map[string]float64
		want   []string
	}{
		{"all met", defs, map[string]float64{"satisfaction": 4.9, "service-cost": 2}, nil},
		{"no values", defs, nil, nil},
		{"satisfaction and first contact missed, deduplicated in order", defs,
			map[string]float64{"satisfaction": 4.5, "first-contact-resolution": 70, "complaints-on-time": 95},
			[]string{"service-basics/service-mindset", "service-basics/etiquette-and-response",
				"complaint-handling/scripts-and-empathy", "complaint-handling/four-steps", "service-basics/customer-types"}},
		{"tracked-only KPIs assign too", defs, map[string]float64{"return-rate": 4, "response-24h": 80},
			[]string{"service-basics/etiquette-and-response", "complaint-handling/online-service",
				"complaint-handling/online-returns", "consumer-law/distance-sales-return", "tiles/tile-types-and-specs"}},
		{"lower KPI over target", defs, map[string]float64{"service-cost": 3.01},
			[]string{"tiles/tile-problems", "material-care/jewellery-care-basics", "service-basics/team-and-kpi"}},
		{"unknown direction assigns nothing", []KPI{{Key: "x", Direction: "", Remedial: []string{"a/b"}}},
			map[string]float64{"x": 1}, nil},
		{"NaN assigns nothing", defs[:1], map[string]float64{"satisfaction": math.NaN()}, nil},
		{"empty module names skipped", []KPI{{Key: "x", Target: 5, Direction: Higher, Remedial: []string{"", "a/b", "a/b"}}},
			map[string]float64{"x": 1}, []string{"a/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Remedial(tt.defs, tt.values); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Remedial = %v, want %v", got, tt.want)
			}
		})
	}
}
