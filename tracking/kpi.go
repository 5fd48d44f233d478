package tracking

import (
	"math"
	"strconv"
	"strings"
)

// The KPI directions of content/kpis.yaml.
const (
	Higher = "higher" // the value should be at least the target
	Lower  = "lower"  // the value should be at most the target
)

// KPI is one service indicator as defined in content/kpis.yaml, taken as a plain struct so
// this package does not depend on how content is loaded. Weight is its share of the appraisal
// in percent; a weight of 0 means tracked but not scored. Remedial lists the modules
// ("course/module") assigned when the target is missed.
type KPI struct {
	Key       string
	Name      string
	Unit      string
	Target    float64
	Direction string
	Weight    float64
	Remedial  []string
}

// Attainment scores a KPI value from 0 to 100 and says whether the target is met. The rule:
//
//   - "higher": score = min(100, value ÷ target × 100); met when value ≥ target.
//   - "lower": score = 100 when value ≤ target, else max(0, 100 − (value − target) ÷ target ×
//     100), i.e. every 1 % of the target overshot costs one point; met when value ≤ target.
//
// A score is never below 0. A target of 0 or less gives 100 when met and 0 otherwise (the
// ratio means nothing then). An unknown direction or a value that is not a finite number
// scores 0 and is not met, so a broken definition never flatters anyone.
func Attainment(k KPI, value float64) (score float64, met bool) {
	if math.IsNaN(value) || math.IsInf(value, 0) || math.IsNaN(k.Target) || math.IsInf(k.Target, 0) {
		return 0, false
	}
	switch k.Direction {
	case Higher:
		met = value >= k.Target
		if k.Target <= 0 {
			return allOrNothing(met), met
		}
		score = value / k.Target * 100
	case Lower:
		met = value <= k.Target
		if k.Target <= 0 {
			return allOrNothing(met), met
		}
		score = 100
		if !met {
			score = 100 - (value-k.Target)/k.Target*100
		}
	default:
		return 0, false
	}
	return math.Max(0, math.Min(100, score)), met
}

// allOrNothing scores a KPI whose target is zero or negative, where no ratio is meaningful.
func allOrNothing(met bool) float64 {
	if met {
		return 100
	}
	return 0
}

// Rule is the scoring rule in Simplified Chinese for the KPI page, with the target filled in,
// so staff can see how a number becomes points, e.g. "实际值 ÷ 目标值 × 100，封顶 100；不低于
// 4.8分为达标".
func (k KPI) Rule() string {
	target := formatNumber(k.Target) + k.Unit
	switch k.Direction {
	case Higher:
		if k.Target <= 0 {
			return "不低于 " + target + " 得 100 分，否则 0 分"
		}
		return "实际值 ÷ 目标值 × 100，封顶 100；不低于 " + target + " 为达标"
	case Lower:
		if k.Target <= 0 {
			return "不高于 " + target + " 得 100 分，否则 0 分"
		}
		return "不高于 " + target + " 得 100 分（达标）；超出时，每超出目标值的 1% 扣 1 分，即 100 − (实际值 − 目标值) ÷ 目标值 × 100，最低 0 分"
	}
	return "指标方向未定义，不计分"
}

// formatNumber prints a KPI number without needless zeros ("4.8", "90").
func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// AppraisalRow is one KPI in an appraisal: the value (HasValue false when none was recorded),
// its score and whether the target is met, its defined weight, the weight it actually carried
// after renormalisation, and the points it contributed to the total.
type AppraisalRow struct {
	KPI             KPI
	Value           float64
	HasValue        bool
	Score           float64
	Met             bool
	Weight          float64
	EffectiveWeight float64
	Points          float64
}

// Appraisal is a person's (or store's) KPI appraisal for a period. Total (0–100) is the
// weighted score over the KPIs with weight > 0 that have a value; Scored is false when none
// has. When some weighted KPI has no value, the weights of the others are scaled up to add to
// 100 (Renormalised) and Note says which were left out, so nobody is marked down for a number
// that was never collected.
type Appraisal struct {
	Rows         []AppraisalRow
	Total        float64
	Scored       bool
	Renormalised bool
	Missing      []string // keys of weighted KPIs without a value, in definition order
	Note         string   // Chinese explanation of the renormalisation, "" when none
}

// Appraise scores every KPI in defs against values (keyed by KPI key; a non-finite value counts
// as no value). Rows follow defs. Each scored row's points are score × effective weight ÷ 100,
// where the effective weight is its weight ÷ the sum of the weights of the scored KPIs × 100;
// Total is the sum of the points. Tracked-only KPIs (weight 0) get a score and a met flag but
// no points.
func Appraise(defs []KPI, values map[string]float64) Appraisal {
	var a Appraisal
	var used float64
	var missingNames []string
	for _, k := range defs {
		row := AppraisalRow{KPI: k, Weight: k.Weight}
		if v, ok := values[k.Key]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			row.Value, row.HasValue = v, true
			row.Score, row.Met = Attainment(k, v)
			if k.Weight > 0 {
				used += k.Weight
			}
		} else if k.Weight > 0 {
			a.Missing = append(a.Missing, k.Key)
			missingNames = append(missingNames, displayName(k))
		}
		a.Rows = append(a.Rows, row)
	}
	if used <= 0 {
		if len(a.Missing) > 0 {
			a.Note = "计分指标均无数据，无法计算综合得分"
		}
		return a
	}
	a.Scored = true
	for i := range a.Rows {
		r := &a.Rows[i]
		if !r.HasValue || r.Weight <= 0 {
			continue
		}
		r.EffectiveWeight = r.Weight / used * 100
		r.Points = r.Score * r.EffectiveWeight / 100
		a.Total += r.Points
	}
	if len(a.Missing) > 0 {
		a.Renormalised = true
		a.Note = strings.Join(missingNames, "、") + " 本期无数据，不计入综合得分；其余计分指标的权重按比例折算为合计 100"
	}
	return a
}

// displayName is a KPI's Chinese name, or its key when the name is missing.
func displayName(k KPI) string {
	if k.Name != "" {
		return k.Name
	}
	return k.Key
}

// Remedial lists the modules to assign because KPIs missed their targets: for every KPI with a
// value that is not met (tracked-only ones included, since their remedial lists exist for
// exactly this), its remedial modules, in definition order, each module once. KPIs without a
// value, or with a direction that is neither higher nor lower, assign nothing.
func Remedial(defs []KPI, values map[string]float64) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range defs {
		v, ok := values[k.Key]
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) || (k.Direction != Higher && k.Direction != Lower) {
			continue
		}
		if _, met := Attainment(k, v); met {
			continue
		}
		for _, m := range k.Remedial {
			if m == "" || seen[m] {
				continue
			}
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}
