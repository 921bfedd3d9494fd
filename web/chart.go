package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"lantern/workspace"
)

// riskChart is a member of staff's risk over time, drawn as SVG on the
// server (no script), with the points for a table that says the same in
// words.
type riskChart struct {
	SVG     template.HTML
	Summary string                // one sentence for screen readers and the caption
	Rows    []workspace.RiskPoint // the days the score changed, for the table
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH        = 720, 260
	chartLeft, chartRight = 56, 16
	chartTop, chartBottom = 16, 40
	chartPlotW            = chartW - chartLeft - chartRight
	chartPlotH            = chartH - chartTop - chartBottom
	chartTicks            = 4
)

// newRiskChart draws series (oldest first, one point a day). Everything
// written into the SVG is a number or a date the code formats, never text
// from a record.
func newRiskChart(series []workspace.RiskPoint) riskChart {
	if len(series) == 0 {
		return riskChart{Summary: "There is no risk score to show: nothing has been raised about this member of staff."}
	}
	top, peak := 0.0, series[0]
	for _, p := range series {
		if p.Score > top {
			top, peak = p.Score, p
		}
	}
	top = niceCeil(top)
	first, last := series[0], series[len(series)-1]
	span := last.Day.Sub(first.Day)
	x := func(t time.Time) float64 {
		if span <= 0 {
			return chartLeft + chartPlotW/2
		}
		return chartLeft + chartPlotW*float64(t.Sub(first.Day))/float64(span)
	}
	y := func(v float64) float64 { return chartTop + chartPlotH*(1-v/top) }

	var b strings.Builder
	summary := fmt.Sprintf("Risk score from %s to %s: %s on the last day, highest %s on %s.",
		first.Day.Format("2 Jan 2006"), last.Day.Format("2 Jan 2006"), fmtScore(last.Score), fmtScore(peak.Score), peak.Day.Format("2 Jan 2006"))
	fmt.Fprintf(&b, `<svg class="lantern-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="risk-chart-title risk-chart-desc">`, chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<title id="risk-chart-title">Risk score over time</title><desc id="risk-chart-desc">%s</desc>`, template.HTMLEscapeString(summary))
	for i := 0; i <= chartTicks; i++ {
		v := top * float64(i) / chartTicks
		fmt.Fprintf(&b, `<line class="lantern-chart__axis" x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke-opacity="%s"/>`, chartLeft, chartW-chartRight, y(v), y(v), map[bool]string{true: "1", false: "0.25"}[i == 0])
		fmt.Fprintf(&b, `<text class="lantern-chart__label" x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, chartLeft-8, y(v), fmtScore(v))
	}
	for _, p := range []workspace.RiskPoint{first, last} {
		anchor := "start"
		if p == last && len(series) > 1 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text class="lantern-chart__label" x="%.1f" y="%d" text-anchor="%s">%s</text>`, x(p.Day), chartH-12, anchor, p.Day.Format("2 Jan 2006"))
	}
	if len(series) == 1 {
		fmt.Fprintf(&b, `<circle class="lantern-chart__point" cx="%.1f" cy="%.1f" r="4"/>`, x(first.Day), y(first.Score))
	} else {
		b.WriteString(`<polyline class="lantern-chart__line" points="`)
		for i, p := range series {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.1f,%.1f", x(p.Day), y(p.Score))
		}
		b.WriteString(`"/>`)
	}
	b.WriteString(`</svg>`)
	return riskChart{SVG: template.HTML(b.String()), Summary: summary, Rows: changes(series)}
}

// changes keeps the first and last points and every point whose score
// differs from the day before, so the table stays short.
func changes(series []workspace.RiskPoint) []workspace.RiskPoint {
	var out []workspace.RiskPoint
	for i, p := range series {
		if i == 0 || i == len(series)-1 || fmtScore(p.Score) != fmtScore(series[i-1].Score) {
			out = append(out, p)
		}
	}
	return out
}

func fmtScore(v float64) string { return fmt.Sprintf("%.1f", v) }

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, so the axis has
// round numbers; at least 1.
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
