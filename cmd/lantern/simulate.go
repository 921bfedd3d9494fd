package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"lantern/ingest"
	"lantern/sim"
)

func simulateSettings() []setting {
	return []setting{
		{Name: "staff", Default: "5000", Usage: "size of the simulated force's workforce", Check: checkIntRange(sim.MinStaff, sim.MaxStaff)},
		{Name: "days", Default: "180", Usage: "days of audit and work-phone events to generate", Check: checkIntRange(1, sim.MaxDays)},
		{Name: "seed", Default: "1", Usage: "random seed: the same seed gives the same bytes", Check: checkIntRange(0, 1<<31-1)},
		{Name: "offenders", Default: strconv.FormatFloat(sim.DefaultOffenderRate, 'g', -1, 64), Usage: "share of staff planted as offenders, 0 to 0.5", Check: checkOffenderShare},
		{Name: "out", Usage: "directory to write KIND.jsonl and truth.jsonl to (required)", Check: checkNotEmpty},
	}
}

// checkOffenderShare accepts a share of the workforce from 0 to 0.5.
func checkOffenderShare(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 0.5 {
		return fmt.Errorf("%q is not a share from 0 to 0.5", v)
	}
	return nil
}

// runSimulate writes a synthetic force with planted offenders in the intake
// formats, with its ground truth, and prints what it wrote.
func runSimulate(ctx context.Context, e *env, args []string) error {
	cfg, _, rest, err := loadConfig("simulate", args, e.getenv, e.stderr, simulateSettings())
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("simulate takes flags only, got %q", rest[0])
	}
	share, _ := strconv.ParseFloat(cfg.str("offenders"), 64)
	if share == 0 {
		share = -1 // none, rather than the simulator's default
	}
	out := cfg.str("out")
	c := sim.Config{Staff: cfg.integer("staff"), Days: cfg.integer("days"), Seed: int64(cfg.integer("seed")), OffenderRate: share}
	fmt.Fprintf(e.stdout, "Simulating %s into %s …\n", c, out)
	st, err := sim.Generate(ctx, c, out)
	if err != nil {
		return err
	}
	printSimulation(e, st, out)
	return nil
}

func printSimulation(e *env, st *sim.Stats, out string) {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\trecords\t")
	for _, k := range ingest.Kinds() {
		fmt.Fprintf(tw, "%s\t%d\t\n", k, st.Records[k])
	}
	tw.Flush()
	fmt.Fprintln(e.stdout)
	tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "role\tstaff\tshifts\taccess/shift\tcomms/shift\t")
	for _, r := range st.Roles {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t\n", r.Role, r.Staff, r.Shifts, r.AccessPerShift(), r.CommsPerShift())
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "\n%d offenders with %d planted behaviours:", st.Offenders, st.Behaviours)
	for _, p := range sim.Patterns() {
		if n := st.Patterns[p]; n > 0 {
			fmt.Fprintf(e.stdout, " %s %d", p, n)
		}
	}
	fmt.Fprintf(e.stdout, "\n%d events generated in %s: %.0f events/s\n", st.Events(), st.Elapsed.Round(time.Millisecond), st.EventsPerSecond())
	fmt.Fprintf(e.stdout, "Load it with: lantern ingest %s (the ground truth is %s/%s)\n", out, out, sim.TruthFile)
}
