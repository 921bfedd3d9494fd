package channel

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"lantern"
	"lantern/report"
	"lantern/sqlite"
)

type memAudit struct {
	mu      sync.Mutex
	entries []lantern.AuditEntry
}

func (a *memAudit) AppendAudit(_ context.Context, e lantern.AuditEntry) (lantern.AuditEntry, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
	return e, nil
}

func (a *memAudit) AuditEntries(context.Context, lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	return nil, nil
}

// env is a channel served over HTTP, on a service whose unit has an
// analyst (ann) signed in.
type env struct {
	dir     string
	store   lantern.Store
	svc     *report.Service
	srv     *httptest.Server
	logs    *bytes.Buffer
	keyring *report.Keyring
}

const clientAddress = "203.0.113.77"

func newEnv(t *testing.T, limiter *report.Limiter) *env {
	t.Helper()
	e := &env{dir: t.TempDir(), logs: &bytes.Buffer{}}
	var err error
	e.store, err = sqlite.Open(t.Context(), filepath.Join(e.dir, "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	audit := &memAudit{}
	e.keyring = report.NewKeyring(report.KeyringConfig{Store: e.store, Audit: audit, WorkFactor: 10, Logger: logger})
	if _, err := e.keyring.Enrol(t.Context(), "ann", lantern.UserAnalyst, "pw"); err != nil {
		t.Fatal(err)
	}
	e.keyring.SignedIn(t.Context(), "ann", "s1", "pw")
	rc, _ := report.NewReceipts(bytes.Repeat([]byte{7}, 32))
	if limiter == nil {
		limiter = report.NewLimiter(100, 1000, time.Minute)
	}
	e.svc, err = report.NewService(report.Config{Store: e.store, Keyring: e.keyring, Receipts: rc, Audit: audit, Limiter: limiter,
		ReceiptTime: 20 * time.Millisecond, Logger: logger,
		Limits: report.Limits{MaxFileBytes: 1 << 20, MaxFiles: 2, MaxPixels: 1 << 22}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Service: e.svc, Prefix: "/report", FormKey: bytes.Repeat([]byte{9}, 32), Logger: logger, ClientHeader: "X-Forwarded-For"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewUnstartedServer(h)
	e.srv.Config = NewServer(h, logger)
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) unit(t *testing.T) context.Context {
	return lantern.WithPrincipal(t.Context(), lantern.Principal{UserID: "ann", Role: lantern.UserAnalyst, SessionID: "s1"})
}

// do sends a request as the client at clientAddress and returns the status
// and body.
func (e *env) do(t *testing.T, method, path, contentType string, body io.Reader) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-Forwarded-For", clientAddress)
	req.Header.Set("User-Agent", "Mozilla/5.0 (UniqueBrowser 99.1)")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

var tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

func token(t *testing.T, body string) string {
	t.Helper()
	m := tokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no token in page:\n%s", body)
	}
	return m[1]
}

type file struct {
	name string
	data []byte
}

func multipartBody(t *testing.T, fields map[string]string, files ...file) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for _, f := range files {
		fw, err := w.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	w.Close()
	return w.FormDataContentType(), &buf
}

func urlForm(fields map[string]string) (string, io.Reader) {
	v := url.Values{}
	for k, x := range fields {
		v.Set(k, x)
	}
	return "application/x-www-form-urlencoded", strings.NewReader(v.Encode())
}

func pngWithText(t *testing.T, text string) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4)))
	b := buf.Bytes()
	data := []byte("Comment\x00" + text)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append(append(append([]byte{}, b[:33]...), chunk...), b[33:]...)
}

var receiptRE = regexp.MustCompile(`<strong id="receipt">([0-9 ]+)</strong>`)

const sentence = "The custody sergeant Horatio Blenkinsop messaged me on WhatsApp after my case closed"

// submit sends a report through the pages and returns its receipt.
func (e *env) submit(t *testing.T, what string, files ...file) string {
	t.Helper()
	_, page, _ := e.do(t, "GET", "/report/new", "", nil)
	ct, body := multipartBody(t, map[string]string{"token": token(t, page), "kind": "anonymous", "what": what, "who": "Sgt Blenkinsop"}, files...)
	status, page, _ := e.do(t, "POST", "/report/new", ct, body)
	if status != http.StatusOK {
		t.Fatalf("submit: %d\n%s", status, page)
	}
	m := receiptRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no receipt on the confirmation page:\n%s", page)
	}
	return m[1]
}

// TestReporterJourney is the whole journey over HTTP: submit, keep the
// receipt, the unit reads and asks through the Go API, the reporter
// returns with the receipt, reads the question and answers it, and the
// unit reads the answer.
func TestReporterJourney(t *testing.T) {
	e := newEnv(t, nil)
	status, page, hdr := e.do(t, "GET", "/report/", "", nil)
	if status != 200 || !strings.Contains(page, "govuk-button--start") {
		t.Fatalf("start page: %d", status)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(page, "<script") || regexp.MustCompile(`(src|href|action)="(https?:)?//`).MatchString(page) {
		t.Errorf("start page loads scripts or third-party assets")
	}
	if hdr.Get("Set-Cookie") != "" {
		t.Errorf("a cookie was set")
	}
	receipt := e.submit(t, sentence, file{"photo.png", pngWithText(t, "GPS 51N")})
	if len(strings.ReplaceAll(receipt, " ", "")) != 16 {
		t.Fatalf("receipt %q", receipt)
	}

	list, _, err := e.svc.ListReports(e.unit(t), lantern.ReportFilter{Status: lantern.ReportReceived})
	if err != nil || len(list) != 1 {
		t.Fatalf("unit list: %v %v", list, err)
	}
	th, err := e.svc.Open(e.unit(t), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if th.Answers.What != sentence || len(th.Files) != 1 || th.Files[0].Name != "photo.png" || th.Files[0].SanitisedSHA256 == "" {
		t.Fatalf("unit sees %+v", th)
	}
	_, clean, err := e.svc.AttachmentFile(e.unit(t), list[0].ID, th.Files[0].ID, true)
	if err != nil || bytes.Contains(clean, []byte("GPS 51N")) {
		t.Fatalf("sanitised copy: %v, keeps metadata: %v", err, bytes.Contains(clean, []byte("GPS 51N")))
	}
	if err := e.svc.Ask(e.unit(t), list[0].ID, "Do you still have the messages?"); err != nil {
		t.Fatal(err)
	}

	_, page, _ = e.do(t, "GET", "/report/return", "", nil)
	ct, body := urlForm(map[string]string{"token": token(t, page), "receipt": receipt})
	status, page, _ = e.do(t, "POST", "/report/return", ct, body)
	if status != 200 || !strings.Contains(page, "Do you still have the messages?") || !strings.Contains(page, "Horatio Blenkinsop") {
		t.Fatalf("thread page: %d\n%s", status, page)
	}
	ct, mb := multipartBody(t, map[string]string{"token": token(t, page), "receipt": receipt, "answer": "Yes, screenshots of all of them."},
		file{"screenshots.txt", []byte("08:14 he wrote: see you tonight\n")})
	status, page, _ = e.do(t, "POST", "/report/reply", ct, mb)
	if status != 200 || !strings.Contains(page, "Your answer has been sent") || !strings.Contains(page, "screenshots of all of them") {
		t.Fatalf("after reply: %d\n%s", status, page)
	}
	th, err = e.svc.Open(e.unit(t), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(th.Messages); n != 2 || th.Messages[1].Text != "Yes, screenshots of all of them." {
		t.Fatalf("unit sees messages %+v", th.Messages)
	}
	if len(th.Files) != 2 || th.Files[1].Name != "screenshots.txt" {
		t.Fatalf("unit sees files %+v", th.Files)
	}

	// Nothing about the reporter or the report is in the logs or the data
	// directory: not the address, the browser, the text or the receipt.
	e.store.Close()
	for _, needle := range []string{clientAddress, "UniqueBrowser", "Blenkinsop", "screenshots", receipt, strings.ReplaceAll(receipt, " ", ""), "photo.png"} {
		if strings.Contains(e.logs.String(), needle) {
			t.Errorf("logs hold %q:\n%s", needle, e.logs.String())
		}
		filepath.WalkDir(e.dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				if bytes.Contains(b, []byte(needle)) {
					t.Errorf("%s holds %q", p, needle)
				}
			}
			return nil
		})
	}
}

// bodyWithoutToken blanks the form tokens, which differ on every page.
func bodyWithoutToken(s string) string { return tokenRE.ReplaceAllString(s, `name="token" value=""`) }

func TestReceiptFailuresLookAlike(t *testing.T) {
	e := newEnv(t, nil)
	receipt := e.submit(t, "Something happened at the station.")
	digits := strings.ReplaceAll(receipt, " ", "")
	near := digits[:15] + string('0'+(digits[15]-'0'+1)%10)
	var first string
	for _, r := range []string{near, "0000000000000000", "12", "not a receipt", ""} {
		_, page, _ := e.do(t, "GET", "/report/return", "", nil)
		ct, body := urlForm(map[string]string{"token": token(t, page), "receipt": r})
		start := time.Now()
		status, page, _ := e.do(t, "POST", "/report/return", ct, body)
		took := time.Since(start)
		if status != http.StatusUnauthorized {
			t.Errorf("%q: status %d", r, status)
		}
		if took < 20*time.Millisecond {
			t.Errorf("%q answered in %s, under the floor", r, took)
		}
		page = bodyWithoutToken(page)
		if first == "" {
			first = page
			if !strings.Contains(page, "We could not find a report with that receipt") {
				t.Fatalf("page:\n%s", page)
			}
		} else if page != first {
			t.Errorf("%q: the page differs from another wrong receipt's", r)
		}
	}
}

func TestRateLimitOverHTTP(t *testing.T) {
	e := newEnv(t, report.NewLimiter(2, 100, time.Minute))
	receipt := e.submit(t, "Something happened at the station.")
	try := func(r string) int {
		_, page, _ := e.do(t, "GET", "/report/return", "", nil)
		ct, body := urlForm(map[string]string{"token": token(t, page), "receipt": r})
		status, _, _ := e.do(t, "POST", "/report/return", ct, body)
		return status
	}
	for range 2 {
		if s := try("1111111111111111"); s != http.StatusUnauthorized {
			t.Fatalf("wrong receipt: %d", s)
		}
	}
	if s := try(receipt); s != http.StatusTooManyRequests {
		t.Fatalf("after the limit, the right receipt got %d", s)
	}
}

func TestFormRefusals(t *testing.T) {
	e := newEnv(t, nil)
	_, page, _ := e.do(t, "GET", "/report/new", "", nil)
	tok := token(t, page)
	for _, tc := range []struct {
		name   string
		fields map[string]string
		files  []file
		want   string
	}{
		{"missing what", map[string]string{"kind": "anonymous"}, nil, "Tell us what happened"},
		{"no kind", map[string]string{"what": "x"}, nil, "Choose whether to tell us who you are"},
		{"confidential without name", map[string]string{"kind": "confidential", "what": "x"}, nil, "Enter your name"},
		{"oversize file", map[string]string{"kind": "anonymous", "what": "x"}, []file{{"big.txt", bytes.Repeat([]byte("a"), 1<<20+1)}}, "must be smaller than 1 MB"},
		{"too many files", map[string]string{"kind": "anonymous", "what": "x"}, []file{{"a.txt", []byte("a")}, {"b.txt", []byte("b")}, {"c.txt", []byte("c")}}, "Attach 2 files or fewer"},
		{"executable", map[string]string{"kind": "anonymous", "what": "x"}, []file{{"run.exe", append([]byte("MZ"), make([]byte, 64)...)}}, "must be one of"},
		{"broken picture", map[string]string{"kind": "anonymous", "what": "x"}, []file{{"p.png", pngWithText(t, "x")[:40]}}, "is not a picture that can be read"},
	} {
		tc.fields["token"] = tok
		ct, body := multipartBody(t, tc.fields, tc.files...)
		status, page, _ := e.do(t, "POST", "/report/new", ct, body)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, tc.want) || !strings.Contains(page, "govuk-error-summary") {
			t.Errorf("%s: %d, want 422 with %q", tc.name, status, tc.want)
		}
	}
	// A malformed body.
	status, page, _ := e.do(t, "POST", "/report/new", "multipart/form-data; boundary=xyz", strings.NewReader("--xyz\r\nbroken"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "The form could not be read") {
		t.Errorf("malformed: %d", status)
	}
	// Nothing was stored by any refusal.
	if _, n, _ := e.store.FindReports(t.Context(), lantern.ReportFilter{}); n != 0 {
		t.Errorf("%d reports stored by refused forms", n)
	}
	// A form is accepted once: sending it again is refused.
	ct, body := multipartBody(t, map[string]string{"token": tok, "kind": "anonymous", "what": "First."})
	if status, _, _ := e.do(t, "POST", "/report/new", ct, body); status != 200 {
		t.Fatalf("first send: %d", status)
	}
	ct, body = multipartBody(t, map[string]string{"token": tok, "kind": "anonymous", "what": "First."})
	status, page, _ = e.do(t, "POST", "/report/new", ct, body)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "already sent") {
		t.Errorf("replayed form: %d", status)
	}
	ct, body = multipartBody(t, map[string]string{"token": "forged", "kind": "anonymous", "what": "x"})
	if status, _, _ := e.do(t, "POST", "/report/new", ct, body); status != http.StatusUnprocessableEntity {
		t.Errorf("forged token: %d", status)
	}
	if status, _, _ := e.do(t, "GET", "/report/nothing", "", nil); status != http.StatusNotFound {
		t.Errorf("unknown page: %d", status)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	e := newEnv(t, nil)
	req, _ := http.NewRequest("POST", e.srv.URL+"/report/new", strings.NewReader(""))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", resp.StatusCode)
	}
}

func FuzzParseForm(f *testing.F) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.SetBoundary("b0undary")
	w.WriteField("what", "x")
	fw, _ := w.CreateFormFile("files", "a.txt")
	fw.Write([]byte("hello"))
	w.Close()
	f.Add("multipart/form-data; boundary=b0undary", buf.Bytes())
	f.Add("application/x-www-form-urlencoded", []byte("what=x&kind=anonymous&token=abc"))
	f.Add("application/x-www-form-urlencoded", []byte("a=%zz"))
	f.Add("text/plain", []byte("x"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		fm, err := parseForm(ct, bytes.NewReader(body), 4096, 1024, 2)
		if err != nil {
			if lantern.ErrorCode(err) != lantern.EINVALID || lantern.ErrorMessage(err) == "" {
				t.Fatalf("refusal is not a clear EINVALID: %v", err)
			}
			return
		}
		if len(fm.files) > 2 || len(fm.fields) > maxFields {
			t.Fatalf("limits not kept: %d files, %d fields", len(fm.files), len(fm.fields))
		}
		for _, u := range fm.files {
			if len(u.Data) > 1024 {
				t.Fatalf("file over the limit accepted")
			}
		}
	})
}
