package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"lantern/report"
)

// TestMain lets this test binary stand in for lantern as the child that
// strips PDFs, since a server run inside a test execs os.Executable.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "strip-pdf" {
		err := runStripPDF(context.Background(), &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, nil)
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStripPDFChild runs the real child: a PDF's author is gone from the
// copy, something that is not a PDF is refused with the child's reason,
// and a child that does not finish in time is killed.
func TestStripPDFChild(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	orig := []byte(minimalPDF)
	clean, err := stripPDFChild(exe, orig, time.Minute)
	if err != nil {
		t.Fatalf("strip: %v", err)
	}
	if !bytes.HasPrefix(clean, []byte("%PDF-")) || bytes.Contains(clean, []byte("Quillfeather")) {
		t.Errorf("child wrote %q", clean[:min(len(clean), 200)])
	}
	if _, err := stripPDFChild(exe, []byte("%PDF-1.7\nnot really"), time.Minute); err == nil || !strings.Contains(err.Error(), "could not be rewritten") {
		t.Errorf("a broken PDF: %v", err)
	}
	if _, err := stripPDFChild(exe, orig, time.Nanosecond); err == nil {
		t.Error("a child out of time was not stopped")
	}
	// The server path: report.StripPDF through the child.
	defer func(f func([]byte) ([]byte, error)) { report.StripPDF = f }(report.StripPDF)
	useChildPDFStripper()
	p, err := report.Prepare(report.Upload{Name: "notes.pdf", Data: orig}, report.DefaultLimits)
	if err != nil || p.Sanitised == nil || bytes.Contains(p.Sanitised, []byte("Quillfeather")) {
		t.Errorf("prepared through the child: %+v %v", p.Meta, err)
	}
}

// minimalPDF is a one-page PDF whose information dictionary names an
// author; its cross-reference offsets are exact.
const minimalPDF = "%PDF-1.4\n" +
	"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
	"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n" +
	"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n" +
	"4 0 obj\n<< /Author (Quillfeather) /Title (Notes) >>\nendobj\n" +
	"xref\n0 5\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \n0000000186 00000 n \n" +
	"trailer\n<< /Size 5 /Root 1 0 R /Info 4 0 R >>\nstartxref\n245\n%%EOF\n"

func TestCapWriter(t *testing.T) {
	w := &capWriter{max: 5}
	if n, err := w.Write([]byte("abc")); n != 3 || err != nil {
		t.Fatalf("first write: %d %v", n, err)
	}
	if _, err := w.Write([]byte("def")); err == nil || !w.over || w.buf.String() != "abc" {
		t.Errorf("over the cap: %v, over %v, kept %q", err, w.over, w.buf.String())
	}
}
