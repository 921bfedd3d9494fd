package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries the process exit code for an error: 2 for bad usage or
// configuration, 1 for anything else.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf returns an exit-code-2 error.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// errHelp means help was printed as asked; the command exits 0.
var errHelp = errors.New("help requested")

// exitCode prints err (one line, no stack trace) and returns the exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	// One line, whatever the cause's own formatting.
	fmt.Fprintf(stderr, "lantern: %s\n", strings.Join(strings.Fields(err.Error()), " "))
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// command is one subcommand of lantern.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every command gets from the process: its environment and
// standard streams. Nothing reads os.* directly, so tests call run.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func commands() map[string]command {
	return map[string]command{
		"serve":      {"run the server: intake, detection, web UI and API", runServe},
		"demo":       {"simulate a force, load it through intake and serve it: the quickest way to see Lantern work", runDemo},
		"ingest":     {"load records from files, directories or standard input", runIngest},
		"source":     {"manage the API sources allowed to send records (add, list, disable)", runSource},
		"quarantine": {"list, export, retry or resolve rejected rows (list, export, retry, resolve)", runQuarantine},
		"log":        {"check the event log: every record once (check)", runLog},
		"alerts":     {"list the alerts a data directory holds (table or jsonl)", runAlerts},
		"risk":       {"rank staff by risk, from the alerts a data directory holds (table or jsonl)", runRisk},
		"bench":      {"measure the engine beside the same detections as plain SQL, and the live latency from acknowledgement to stored alert", runBench},
		"eval":       {"score detection on a force with known truth (truth.jsonl): recall, precision, time to detect, false alerts", runEval},
		"hunt":       {"run one rule over the history in the event log and print what it finds", runHunt},
		"rules":      {"check, test or list a rule set: the built-in library or a directory (check, test, list)", runRules},
		"simulate":   {"generate a synthetic force with planted offenders and ground truth", runSimulate},
		"strip-pdf":  {"write a PDF from standard input without its document properties (run by Lantern itself)", runStripPDF},
		"version":    {"print the version", runVersion},
		"user":       {"manage the workspace's users and the staff locked out of it (add, disable, enable, reset, list, restrict, unrestrict)", runUser},
		"audit":      {"check or export the tamper-evident trail of the workspace's use (verify, export)", runAudit},
	}
}

// run is the whole program: it parses args and runs one command until it
// finishes or ctx is cancelled.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printCommands(stdout, cmds)
		if len(args) == 0 {
			return usageErrorf("no command given")
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		return usageErrorf("unknown command %q (run 'lantern help' for the list)", args[0])
	}
	if err := c.run(ctx, e, args[1:]); err != nil {
		var ee *exitError
		if errors.As(err, &ee) || errors.Is(err, errHelp) {
			return err
		}
		return fmt.Errorf("%s: %w", args[0], err)
	}
	return nil
}

func printCommands(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("Usage: lantern COMMAND [flags]\n\nCommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, cmds[n].summary)
	}
	b.WriteString("\nRun 'lantern COMMAND --help' for a command's flags.\n")
	io.WriteString(w, b.String())
}
