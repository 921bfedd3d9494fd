package quality

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteText prints the report as readable tables: the overall figures (and
// the baseline's beside them when the report has one), the figures per
// pattern, and the false alerts by rule.
func (r Report) WriteText(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	cols := []Report{r}
	head := "\tLantern\t"
	if r.Baseline != nil {
		cols = append(cols, *r.Baseline)
		head += "baseline\t"
	}
	fmt.Fprintf(w, "%d staff, %.0f staff-weeks, %d offenders with %d planted behaviours\n\n", r.Staff, r.StaffWeeks, r.Offenders, r.Behaviours)
	fmt.Fprintln(tw, head)
	row := func(name string, f func(Report) string) {
		var b strings.Builder
		b.WriteString(name + "\t")
		for _, c := range cols {
			b.WriteString(f(c) + "\t")
		}
		fmt.Fprintln(tw, b.String())
	}
	row("recall (offenders with a queue alert)", func(c Report) string { return fmt.Sprintf("%s (%d)", c.Recall.text(2), c.Detected) })
	row(fmt.Sprintf("precision at k = %d offenders", r.K), func(c Report) string { return c.PrecisionAtK.text(2) })
	row(fmt.Sprintf("precision at k = %d (1%% of staff)", r.K1Pct), func(c Report) string { return c.PrecisionAt1Pct.text(2) })
	row("median days from onset to first alert", func(c Report) string { return c.MedianDaysToDetect.text(1) })
	row("false alerts per 1,000 staff-weeks", func(c Report) string { return c.FalseAlertsPer1000.text(2) })
	row("queue alerts", func(c Report) string { return fmt.Sprint(c.Alerts) })
	row("false alerts", func(c Report) string { return fmt.Sprint(c.FalseAlerts) })
	row("signals", func(c Report) string { return fmt.Sprint(c.Signals) })
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pattern\tbehaviours\tcareful\trecall\tevidence overlap\tsignal overlap\tmedian days\t")
	for i, p := range r.PerPattern {
		line := fmt.Sprintf("%s\t%d\t%d\t%s\t%s\t%s\t%s\t", p.Pattern, p.Behaviours, p.Careful, p.Recall.text(2),
			p.Overlap.text(2), p.SignalOverlap.text(2), p.MedianDaysToDetect.text(1))
		if r.Baseline != nil && i < len(r.Baseline.PerPattern) && r.Baseline.PerPattern[i].Pattern == p.Pattern {
			b := r.Baseline.PerPattern[i]
			line += fmt.Sprintf("baseline %s, %s days\t", b.Recall.text(2), b.MedianDaysToDetect.text(1))
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()

	if len(r.AlertsByRule)+len(r.SignalsByRule) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "rule\tqueue alerts\tfalse\tsignals\t")
		names := map[string]bool{}
		for n := range r.AlertsByRule {
			names[n] = true
		}
		for n := range r.SignalsByRule {
			names[n] = true
		}
		keys := make([]string, 0, len(names))
		for n := range names {
			keys = append(keys, n)
		}
		slices.Sort(keys)
		for _, n := range keys {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", n, r.AlertsByRule[n], r.FalseByRule[n], r.SignalsByRule[n])
		}
		tw.Flush()
	}
}

// text writes the figure with prec decimals, or "-" when undefined.
func (f Figure) text(prec int) string {
	if !f.Defined() {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, float64(f))
}
