package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"lantern/report"
)

// PDF documents sent with reports and referrals are written again without
// their document properties by a child process of this binary (`lantern
// strip-pdf`), so that a document crafted to make the parser spin or grow
// costs at most pdfTimeout of one core and is then killed, leaving the
// original only.
const (
	pdfTimeout  = 20 * time.Second
	pdfChildren = 2 // at most this many at once; others wait within their own time limit
)

var pdfSlots = make(chan struct{}, pdfChildren)

// useChildPDFStripper makes report.StripPDF run in a child process of the
// running binary.
func useChildPDFStripper() {
	exe, err := os.Executable()
	if err != nil {
		return // keep the in-process stripper
	}
	report.StripPDF = func(data []byte) ([]byte, error) { return stripPDFChild(exe, data, pdfTimeout) }
}

// stripPDFChild runs `exe strip-pdf` with data on its standard input and
// returns its standard output, within timeout.
func stripPDFChild(exe string, data []byte, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case pdfSlots <- struct{}{}:
		defer func() { <-pdfSlots }()
	case <-ctx.Done():
		return nil, errors.New("no time left to rewrite the PDF")
	}
	cmd := exec.CommandContext(ctx, exe, "strip-pdf")
	cmd.Env = []string{} // nothing of the server's environment
	cmd.Stdin = bytes.NewReader(data)
	out, errOut := &capWriter{max: pdfMaxOut(len(data))}, &capWriter{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("rewriting the PDF took longer than %v", timeout)
		}
		if out.over {
			return nil, errors.New("the rewritten PDF grew too large")
		}
		return nil, fmt.Errorf("the PDF could not be rewritten: %s", bytes.TrimSpace(errOut.buf.Bytes()))
	}
	return out.buf.Bytes(), nil
}

// pdfMaxOut bounds a rewritten PDF: rewriting does not decompress
// streams, so a copy several times the original's size means something is
// wrong.
func pdfMaxOut(in int) int { return 4*in + 1<<20 }

// capWriter keeps at most max bytes and then fails, which stops the child.
type capWriter struct {
	max  int
	buf  bytes.Buffer
	over bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.max {
		w.over = true
		return 0, errors.New("output too large")
	}
	return w.buf.Write(p)
}

// runStripPDF is `lantern strip-pdf`: it reads a PDF on standard input and
// writes it without its document properties on standard output. Lantern
// runs it itself for each PDF sent with a report or a referral.
func runStripPDF(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErrorf("strip-pdf takes no arguments: it reads a PDF on standard input")
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, report.DefaultLimits.MaxFileBytes+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > report.DefaultLimits.MaxFileBytes {
		return fmt.Errorf("the PDF is larger than %d bytes", report.DefaultLimits.MaxFileBytes)
	}
	clean, err := report.StripPDFInProcess(data)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(clean)
	return err
}
