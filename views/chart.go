package views

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/a-h/templ"
)

// LineChart is a small line chart drawn on the server as inline SVG: pages work without
// JavaScript and the chart prints. Values run from 0 to YMax; a missing value (NaN) breaks
// its line, so a criterion that a drill did not mark is not drawn as a drop to zero.
type LineChart struct {
	// Title names the chart for screen readers.
	Title string
	// XLabels label the points from left to right, one per value of each series.
	XLabels []string
	Series  []ChartSeries
	// YMax is the top of the scale (100 for percentages); YUnit is appended to tick labels.
	YMax  float64
	YUnit string
}

// ChartSeries is one line: a label for the legend and one value per x label (NaN when
// missing).
type ChartSeries struct {
	Label  string
	Values []float64
}

// chartColors are distinguishable on white and for the common colour-vision deficiencies
// (Okabe–Ito palette); series beyond them reuse the colours with a dashed line.
var chartColors = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"}

// ChartColor is the colour of series i, so the HTML legend next to the chart matches it.
func ChartColor(i int) string { return chartColors[i%len(chartColors)] }

// Empty reports whether the chart has no value to draw, so a page can say so instead.
func (c LineChart) Empty() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				return false
			}
		}
	}
	return true
}

// The drawing area, in SVG user units; the SVG scales to its container's width.
const (
	chartW, chartH                       = 480.0, 220.0
	padLeft, padRight, padTop, padBottom = 40.0, 12.0, 10.0, 30.0
)

// SVG renders the chart as a self-contained <svg> element. Every text is escaped.
func (c LineChart) SVG() string {
	ymax := c.YMax
	if ymax <= 0 {
		ymax = 100
	}
	n := len(c.XLabels)
	plotW, plotH := chartW-padLeft-padRight, chartH-padTop-padBottom
	x := func(i int) float64 {
		if n <= 1 {
			return padLeft + plotW/2
		}
		return padLeft + plotW*float64(i)/float64(n-1)
	}
	y := func(v float64) float64 {
		v = math.Max(0, math.Min(ymax, v))
		return padTop + plotH*(1-v/ymax)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		chartW, chartH, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#e5e7eb" stroke-width="1"/>`, padLeft, y(v), chartW-padRight, y(v))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="13" text-anchor="end" fill="#6b7280">%s%s</text>`,
			padLeft-6, y(v)+4, trimFloat(v), html.EscapeString(c.YUnit))
	}
	step := 1
	if n > 8 {
		step = (n + 7) / 8 // at most eight labels, so they never overlap on a phone
	}
	for i, l := range c.XLabels {
		if i%step != 0 && i != n-1 {
			continue
		}
		anchor := "middle" // the end labels stay inside the drawing
		if n > 1 && i == 0 {
			anchor = "start"
		} else if n > 1 && i == n-1 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="13" text-anchor="%s" fill="#6b7280">%s</text>`,
			x(i), chartH-padBottom+19, anchor, html.EscapeString(l))
	}
	for si, s := range c.Series {
		color := ChartColor(si)
		dash := ""
		if si >= len(chartColors) {
			dash = ` stroke-dasharray="6 4"`
		}
		var d strings.Builder
		pen := false
		for i, v := range s.Values {
			if i >= n || math.IsNaN(v) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%.1f %.1f ", cmd, x(i), y(v))
			pen = true
		}
		if d.Len() > 0 {
			fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`, strings.TrimSpace(d.String()), color, dash)
		}
		for i, v := range s.Values {
			if i >= n || math.IsNaN(v) {
				continue
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s · %s：%s%s</title></circle>`,
				x(i), y(v), color, html.EscapeString(s.Label), html.EscapeString(c.XLabels[i]), trimFloat(v), html.EscapeString(c.YUnit))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// trimFloat formats a value with at most one decimal and no trailing zero.
func trimFloat(v float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
}

// Chart is the chart as a templ component.
func Chart(c LineChart) templ.Component { return templ.Raw(c.SVG()) }
