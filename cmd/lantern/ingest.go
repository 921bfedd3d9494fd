package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"lantern"
	"lantern/client"
	"lantern/ingest"
	"lantern/intake"
)

func ingestSettings() []setting {
	return append([]setting{
		{Name: "kind", Usage: "what the input holds: " + kindList() + "; default: from the file name (access.jsonl is access)"},
		{Name: "profile", Usage: "CSV mapping profile: a built-in name (" + strings.Join(ingest.BuiltinProfiles(), ", ") + ") or a YAML file; the input is then CSV"},
		{Name: "server", Usage: "send to a running Lantern at this URL instead of opening the data directory"},
		{Name: "token", Usage: "API token of the source, with --server (from 'lantern source add')", Secret: true},
	}, systemSettings()...)
}

func kindList() string {
	var ks []string
	for _, k := range ingest.Kinds() {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ", ")
}

// ingestJob is one input to load.
type ingestJob struct {
	path string // "-" for standard input
	kind ingest.Kind
}

// runIngest loads files, directories or standard input through intake, and
// prints what became of every record.
func runIngest(ctx context.Context, e *env, args []string) error {
	cfg, _, paths, err := loadConfig("ingest", args, e.getenv, e.stderr, ingestSettings())
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageErrorf("ingest needs at least one FILE, DIRECTORY or - (standard input)")
	}
	var kind ingest.Kind
	if k := cfg.str("kind"); k != "" {
		if kind, err = ingest.ParseKind(k); err != nil {
			return cfg.settingError("kind", fmt.Errorf("%q is not one of %s", k, kindList()))
		}
	}
	jobs, err := planIngest(kind, paths)
	if err != nil {
		return err
	}
	var profile *ingest.Profile
	if p := cfg.str("profile"); p != "" {
		if profile, err = loadProfile(p); err != nil {
			return cfg.settingError("profile", err)
		}
		for _, j := range jobs {
			if j.kind != profile.Kind() {
				return cfg.settingError("profile", fmt.Errorf("profile %s reads %s records but %s holds %s", profile.Name(), profile.Kind(), j.path, j.kind))
			}
		}
	}
	var ld loader
	if server := cfg.str("server"); server != "" {
		if profile != nil {
			return cfg.settingError("profile", errors.New("CSV profiles are applied locally; convert first or ingest without --server"))
		}
		c, err := client.New(server, cfg.str("token"))
		if err != nil {
			return cfg.settingError("server", err)
		}
		ld.one = func(ctx context.Context, j ingestJob, r io.Reader) (*intake.Summary, error) {
			return postInBatches(ctx, c, j, r)
		}
	} else {
		logger := newLogger(cfg, e.stderr)
		dir, err := openDataDir(cfg, true)
		if err != nil {
			return err
		}
		defer dir.Close()
		sys, err := openSystem(ctx, cfg, dir, logger)
		if err != nil {
			return err
		}
		defer sys.Close()
		ld = intakeLoader(sys.intake, profile, func(j ingestJob) string { return j.path })
	}
	total, err := ld.load(ctx, e, jobs, func(sum *intake.Summary) { printSummary(e.stdout, sum) })
	if len(jobs) > 1 {
		fmt.Fprintf(e.stdout, "total: %d accepted, %d duplicates, %d quarantined in %s (%.0f records/s)\n",
			total.Accepted, total.Duplicates, total.Rejected, total.Elapsed.Round(time.Millisecond), total.Rate())
	}
	if total.Rejected > 0 {
		fmt.Fprintln(e.stdout, "Quarantined rows are kept for repair: see 'lantern quarantine list'.")
	}
	return err
}

// loader submits ingest jobs: one at a time, or the event inputs of a run
// merged by time when it can.
type loader struct {
	one    func(context.Context, ingestJob, io.Reader) (*intake.Summary, error)
	merged func(context.Context, []ingestJob, []io.Reader) ([]*intake.Summary, error) // nil: one at a time
}

// intakeLoader submits to a local intake, naming each input's source with
// source(job).
func intakeLoader(in *intake.Intake, profile *ingest.Profile, source func(ingestJob) string) loader {
	input := func(j ingestJob, r io.Reader) intake.Input {
		return intake.Input{Source: source(j), Kind: j.kind, Reader: r, Profile: profile}
	}
	return loader{
		one: func(ctx context.Context, j ingestJob, r io.Reader) (*intake.Summary, error) {
			return in.Submit(ctx, input(j, r))
		},
		merged: func(ctx context.Context, js []ingestJob, rs []io.Reader) ([]*intake.Summary, error) {
			inps := make([]intake.Input, len(js))
			for i := range js {
				inps[i] = input(js[i], rs[i])
			}
			return in.SubmitMerged(ctx, inps)
		},
	}
}

// load submits the jobs: reference data first, one input at a time in the
// order given, then every access and comms input together, merged by time
// (when the loader can), so that the event log holds each member of staff's
// events in the order they happened. It reports each input's summary to
// report as it finishes and returns the totals.
func (ld loader) load(ctx context.Context, e *env, jobs []ingestJob, report func(*intake.Summary)) (*intake.Summary, error) {
	total := &intake.Summary{}
	start := time.Now()
	defer func() { total.Elapsed = time.Since(start) }()
	add := func(sum *intake.Summary) {
		report(sum)
		total.Accepted += sum.Accepted
		total.Duplicates += sum.Duplicates
		total.Rejected += sum.Rejected
	}
	var events []ingestJob
	for _, j := range jobs {
		if ld.merged != nil && (j.kind == ingest.KindAccess || j.kind == ingest.KindComms) && j.path != "-" {
			events = append(events, j)
			continue
		}
		sum, err := ingestOne(ctx, e, j, ld.one)
		if sum != nil {
			add(sum)
		}
		if err != nil {
			return total, fmt.Errorf("%s: %w", j.path, err)
		}
	}
	if len(events) == 0 {
		return total, nil
	}
	sums, err := ingestMerged(ctx, e, events, ld.merged)
	for _, sum := range sums {
		add(sum)
	}
	return total, err
}

// ingestMerged opens several inputs, shows one progress bar for them all on a
// terminal, and submits them merged.
func ingestMerged(ctx context.Context, e *env, jobs []ingestJob, submit func(context.Context, []ingestJob, []io.Reader) ([]*intake.Summary, error)) ([]*intake.Summary, error) {
	readers := make([]io.Reader, len(jobs))
	var size int64
	for i, j := range jobs {
		f, err := os.Open(j.path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size += st.Size()
		}
		readers[i] = f
	}
	if out, ok := e.stdout.(*os.File); ok && term.IsTerminal(int(out.Fd())) {
		bar := progressbar.DefaultBytes(size, "events")
		defer bar.Finish()
		for i := range readers {
			readers[i] = io.TeeReader(readers[i], bar)
		}
	}
	return submit(ctx, jobs, readers)
}

// planIngest turns the command's paths into jobs: a directory becomes one job
// per KIND.jsonl (or .jsonl.gz, .csv) file in it, in load order (reference
// data before the events that refer to it).
// A non-empty flagKind is the kind of every input (for a directory: the only
// kind loaded from it).
func planIngest(flagKind ingest.Kind, paths []string) ([]ingestJob, error) {
	var jobs []ingestJob
	for _, p := range paths {
		if p == "-" {
			if flagKind == "" {
				return nil, usageErrorf("standard input needs --kind")
			}
			jobs = append(jobs, ingestJob{path: p, kind: flagKind})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, usageErrorf("%s: %v", p, errors.Unwrap(err))
		}
		if !st.IsDir() {
			k := flagKind
			if k == "" {
				if k = kindOfFile(p); k == "" {
					return nil, usageErrorf("%s: cannot tell the kind from the file name; give --kind", p)
				}
			}
			jobs = append(jobs, ingestJob{path: p, kind: k})
			continue
		}
		found := 0
		for _, k := range ingest.Kinds() {
			for _, ext := range []string{".jsonl", ".jsonl.gz", ".csv", ".csv.gz"} {
				f := filepath.Join(p, string(k)+ext)
				if _, err := os.Stat(f); err == nil && (flagKind == "" || flagKind == k) {
					jobs = append(jobs, ingestJob{path: f, kind: k})
					found++
				}
			}
		}
		if found == 0 {
			return nil, usageErrorf("%s holds no KIND.jsonl files (kinds: %s)", p, kindList())
		}
	}
	return jobs, nil
}

// kindOfFile infers the kind from a file name such as access.jsonl or
// 2024-03-comms.jsonl.gz.
func kindOfFile(path string) ingest.Kind {
	base := strings.ToLower(filepath.Base(path))
	base = strings.TrimSuffix(base, ".gz")
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".jsonl"), ".csv")
	for _, k := range ingest.Kinds() {
		if base == string(k) || strings.HasSuffix(base, "-"+string(k)) || strings.HasSuffix(base, "_"+string(k)) {
			return k
		}
	}
	return ""
}

func loadProfile(p string) (*ingest.Profile, error) {
	if prof, err := ingest.BuiltinProfile(p); err == nil {
		return prof, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%q is neither a built-in profile (%s) nor a readable file", p, strings.Join(ingest.BuiltinProfiles(), ", "))
	}
	defer f.Close()
	return ingest.LoadProfile(f, p)
}

// ingestOne opens one input, shows a progress bar on a terminal, and submits it.
func ingestOne(ctx context.Context, e *env, j ingestJob, submit func(context.Context, ingestJob, io.Reader) (*intake.Summary, error)) (*intake.Summary, error) {
	var r io.Reader = e.stdin
	var size int64 = -1
	if j.path != "-" {
		f, err := os.Open(j.path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		r = f
	}
	if out, ok := e.stdout.(*os.File); ok && term.IsTerminal(int(out.Fd())) {
		bar := progressbar.DefaultBytes(size, filepath.Base(j.path))
		defer bar.Finish()
		r = io.TeeReader(r, bar)
	}
	return submit(ctx, j, r)
}

func printSummary(w io.Writer, s *intake.Summary) {
	fmt.Fprintf(w, "%s (%s): %d accepted, %d duplicates, %d quarantined in %s (%.0f records/s)\n",
		s.Source, s.Kind, s.Accepted, s.Duplicates, s.Rejected, s.Elapsed.Round(time.Millisecond), s.Rate())
	const show = 20
	for i, le := range s.Errors {
		if i == show {
			fmt.Fprintf(w, "  … and %d more; see 'lantern quarantine list'\n", s.Rejected-show)
			break
		}
		if le.Field != "" {
			fmt.Fprintf(w, "  line %d: %s: %s\n", le.Line, le.Field, le.Reason)
		} else {
			fmt.Fprintf(w, "  line %d: %s\n", le.Line, le.Reason)
		}
	}
}

// Limits of one request when sending to a server.
const (
	postMaxLines = 50_000
	postMaxBytes = 32 << 20
)

// postInBatches sends an input to a server in requests of bounded size and
// adds up the replies, renumbering lines to the input's own.
func postInBatches(ctx context.Context, c *client.Client, j ingestJob, r io.Reader) (*intake.Summary, error) {
	start := time.Now()
	total := &intake.Summary{Source: j.path, Kind: string(j.kind)}
	lr, err := ingest.NewLineReader(r)
	if err != nil {
		return nil, err
	}
	var body []byte
	lines, first, lineNo := 0, 1, 0
	send := func() error {
		if lines == 0 {
			return nil
		}
		sum, err := c.PostEvents(ctx, string(j.kind), body)
		if sum != nil {
			total.Accepted += sum.Accepted
			total.Duplicates += sum.Duplicates
			total.Rejected += sum.Rejected
			for _, le := range sum.Errors {
				le.Line += first - 1
				if len(total.Errors) < intake.MaxReportErrors {
					total.Errors = append(total.Errors, le)
				}
			}
		}
		body, lines, first = body[:0], 0, lineNo+1
		return err
	}
	for {
		line, n, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var le *ingest.LineError
		if errors.As(err, &le) {
			// An over-long line cannot be sent; the server would reject it
			// the same way. Report it here, keep the numbering.
			total.Rejected++
			total.Errors = append(total.Errors, intake.LineError{Line: n, Reason: lantern.ErrorMessage(le.Err)})
			line = nil
		} else if err != nil {
			return total, err
		}
		for lineNo < n-1 {
			body = append(body, '\n') // keep blank lines so numbers match
			lineNo++
		}
		lineNo = n
		body = append(body, line...)
		body = append(body, '\n')
		lines++
		if lines >= postMaxLines || len(body) >= postMaxBytes {
			if err := send(); err != nil {
				return total, err
			}
		}
	}
	err = send()
	total.Elapsed = time.Since(start)
	return total, err
}
