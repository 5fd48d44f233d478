package views

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"
)

// BarChart is a horizontal bar chart drawn on the server as inline SVG, one bar per person or
// store, for dashboards: it works without JavaScript, prints, and a long list stays readable
// on a phone because each bar has its own row.
type BarChart struct {
	// Title names the chart for screen readers.
	Title string
	Bars  []Bar
	// Max is the end of the scale; bars beyond it are drawn full and keep their value label.
	Max float64
	// Target, when positive, is drawn as a dashed line (40 hours for onboarding).
	Target float64
	// Unit is appended to the value labels ("学时", "%").
	Unit string
}

// Bar is one row of a BarChart; Good colours it as done (cleared, on target).
type Bar struct {
	Label string
	Value float64
	Good  bool
}

// The bar chart's geometry, in SVG user units; the SVG scales to its container's width.
const (
	barW, barRow, barLabel, barValue, barTop = 480.0, 26.0, 96.0, 64.0, 8.0
)

// SVG renders the chart. Every text is escaped; labels longer than the label column are cut
// with an ellipsis (the full label is in the bar's tooltip).
func (c BarChart) SVG() string {
	maxV := c.Max
	if maxV <= 0 {
		maxV = 1
		for _, b := range c.Bars {
			maxV = math.Max(maxV, b.Value)
		}
	}
	plotW := barW - barLabel - barValue
	h := barTop*2 + barRow*float64(max(len(c.Bars), 1)) + 14
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		barW, h, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	for i, bar := range c.Bars {
		y := barTop + barRow*float64(i)
		v := bar.Value
		if math.IsNaN(v) || v < 0 {
			v = 0
		}
		w := plotW * math.Min(v, maxV) / maxV
		color := ChartColor(0)
		if bar.Good {
			color = ChartColor(2)
		}
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="13" text-anchor="end" fill="#374151">%s</text>`,
			barLabel-6, y+barRow/2+4, html.EscapeString(cut(bar.Label, 7)))
		fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.1f" height="%.1f" fill="#e5e7eb"/>`, barLabel, y+4, plotW, barRow-8)
		fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s：%s%s</title></rect>`,
			barLabel, y+4, w, barRow-8, color, html.EscapeString(bar.Label), trimFloat(bar.Value), html.EscapeString(c.Unit))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="13" fill="#374151">%s%s</text>`,
			barLabel+plotW+6, y+barRow/2+4, trimFloat(bar.Value), html.EscapeString(c.Unit))
	}
	bottom := barTop + barRow*float64(max(len(c.Bars), 1))
	if c.Target > 0 && c.Target <= maxV {
		x := barLabel + plotW*c.Target/maxV
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%.1f" stroke="#D55E00" stroke-width="1.5" stroke-dasharray="4 3"/>`, x, barTop, x, bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#D55E00">%s%s</text>`,
			x, bottom+13, trimFloat(c.Target), html.EscapeString(c.Unit))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// cut shortens s to n characters with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Bars is the bar chart as a templ component.
func Bars(c BarChart) templ.Component { return templ.Raw(c.SVG()) }

// ActiveTime formats measured seconds for people: "45 分钟", "3 小时 05 分".
func ActiveTime(seconds int) string {
	m := (seconds + 30) / 60
	if m < 60 {
		return fmt.Sprintf("%d 分钟", m)
	}
	return fmt.Sprintf("%d 小时 %02d 分", m/60, m%60)
}

// ActiveHours formats measured seconds as decimal hours (1 decimal) for tables beside
// credited hours.
func ActiveHours(seconds int) string {
	return trimFloat(float64(seconds) / 3600)
}

// LocalDate formats a stored UTC time as a date in the display zone (Asia/Shanghai); "" when
// unset.
func LocalDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format("2006-01-02")
}
