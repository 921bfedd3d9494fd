package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"lantern"
	"lantern/auth"
	"lantern/detect"
	"lantern/sqlite"
	"lantern/workspace"
)

// fakeWorkspace stands in for workspace.Service in this package's tests: it
// checks lantern.Authorize and records every call on the real audit trail,
// as the service does, over a few fixed alerts.
type fakeWorkspace struct {
	audit  lantern.AuditService
	mu     sync.Mutex
	alerts map[string]*lantern.Alert
}

func newFakeWorkspace(audit lantern.AuditService) *fakeWorkspace {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mk := func(id, staff string, score float64) *lantern.Alert {
		return &lantern.Alert{ID: id, Rule: "no_purpose_access", StaffID: staff, Severity: lantern.SeverityHigh, Score: score,
			FirstEvidence: t0, LastEvidence: t0.Add(48 * time.Hour), Matches: 3, Explanation: "Viewed a vulnerable person's record with no link to any incident.", State: lantern.AlertNew}
	}
	return &fakeWorkspace{audit: audit, alerts: map[string]*lantern.Alert{
		"A1": mk("A1", "S1", 9), "A2": mk("A2", "S2", 5),
	}}
}

func (f *fakeWorkspace) check(ctx context.Context, act lantern.Action, about, object string) error {
	p, _ := lantern.PrincipalFrom(ctx)
	err := lantern.Authorize(p, act, about)
	e := lantern.AuditEntry{UserID: p.UserID, Role: p.Role, Action: string(act), Object: object, Outcome: lantern.AuditAllowed}
	if err != nil {
		e.Outcome = lantern.AuditDenied
	}
	if e.UserID == "" {
		e.UserID = "anonymous"
	}
	if _, aerr := f.audit.AppendAudit(ctx, e); aerr != nil {
		return aerr
	}
	return err
}

func (f *fakeWorkspace) Queue(ctx context.Context, q workspace.QueueFilter) (workspace.Queue, error) {
	if err := f.check(ctx, lantern.ActViewAlerts, "", "queue"); err != nil {
		return workspace.Queue{}, err
	}
	p, _ := lantern.PrincipalFrom(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := workspace.Queue{Capacity: 25, At: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)}
	for _, id := range []string{"A1", "A2"} {
		a := f.alerts[id]
		if a.StaffID == p.StaffID || q.Rule != "" && q.Rule != a.Rule {
			continue
		}
		out.Items = append(out.Items, workspace.QueueItem{Rank: len(out.Items) + 1, Alert: *a, StaffRisk: a.Score,
			Staff: workspace.StaffSummary{ID: a.StaffID, Name: "Officer " + a.StaffID, Role: "response", Team: "Team 1"}})
	}
	out.Matching = len(out.Items)
	return out, nil
}

func (f *fakeWorkspace) alert(id string) (lantern.Alert, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.alerts[id]
	if !ok {
		return lantern.Alert{}, lantern.Errorf(lantern.ENOTFOUND, "There is no alert %s.", id)
	}
	return *a, nil
}

func (f *fakeWorkspace) Alert(ctx context.Context, id string) (workspace.AlertDetail, error) {
	a, err := f.alert(id)
	if err != nil {
		return workspace.AlertDetail{}, err
	}
	if err := f.check(ctx, lantern.ActViewAlerts, a.StaffID, "alert:"+id); err != nil {
		return workspace.AlertDetail{}, err
	}
	return workspace.AlertDetail{Alert: a, Staff: workspace.StaffSummary{ID: a.StaffID, Name: "Officer " + a.StaffID},
		NextStates: lantern.AlertNextStates(a.State),
		Timeline: []workspace.TimelineEntry{{At: a.FirstEvidence, Kind: workspace.EntryAccess, Evidence: true, PersonID: "P1",
			System: "rms", Action: "view", Purpose: lantern.PurposeNo, PurposeReason: "no incident links them", Summary: "Viewed person P1"}}}, nil
}

func (f *fakeWorkspace) ChangeAlert(ctx context.Context, id string, u lantern.AlertStateUpdate) (lantern.Alert, error) {
	a, err := f.alert(id)
	if err != nil {
		return a, err
	}
	if err := f.check(ctx, lantern.ActChangeAlert, a.StaffID, "alert:"+id); err != nil {
		return a, err
	}
	if err := u.Validate(); err != nil {
		return a, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// Unlike the real store, any move is allowed, so that every role in the
	// permission table can act on the same alert.
	b := f.alerts[id]
	b.State, b.StateReason, b.StateBy, b.StateAt = u.State, u.Reason, u.By, &u.At
	return *b, nil
}

func (f *fakeWorkspace) StaffProfile(ctx context.Context, id string) (workspace.StaffProfile, error) {
	if err := f.check(ctx, lantern.ActViewStaff, id, "staff:"+id); err != nil {
		return workspace.StaffProfile{}, err
	}
	d := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	return workspace.StaffProfile{Staff: lantern.Staff{ID: id, Name: "Officer " + id, Category: lantern.CategoryOfficer, Role: "response", StartDate: d},
		Series:   []workspace.RiskPoint{{Day: d, Score: 2}, {Day: d.AddDate(0, 0, 1), Score: 7.5}, {Day: d.AddDate(0, 0, 2), Score: 6}},
		Timeline: []workspace.ProfileEntry{{Kind: workspace.ProfileAlert, ID: "A2", At: d, Title: "no_purpose_access", State: lantern.AlertNew}}}, nil
}

func (f *fakeWorkspace) Person(ctx context.Context, id string, page lantern.IndexPage) (workspace.PersonView, error) {
	if err := f.check(ctx, lantern.ActViewPerson, "", "person:"+id); err != nil {
		return workspace.PersonView{}, err
	}
	return workspace.PersonView{Person: workspace.PersonSummary{ID: id, Gender: "female", Flags: []string{"domestic_abuse_victim"}},
		Accesses: []workspace.PersonAccess{{EventID: "e1", At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Kind: lantern.IndexedAccess,
			Staff: workspace.StaffSummary{ID: "S2"}, System: "rms", Action: "view", Purpose: lantern.PurposeNo, PurposeReason: "no incident links them"}},
		Total: 1, Page: page}, nil
}

func (f *fakeWorkspace) Rules(ctx context.Context) ([]workspace.RuleSummary, error) {
	if err := f.check(ctx, lantern.ActViewRules, "", "rules"); err != nil {
		return nil, err
	}
	return []workspace.RuleSummary{{Name: "no_purpose_access", Severity: lantern.SeverityHigh, Counts: lantern.RuleAlertCounts{Rule: "no_purpose_access", Total: 2, New: 2},
		Fixtures: workspace.FixtureSummary{Passed: 4}}}, nil
}

func (f *fakeWorkspace) Intake(ctx context.Context) (workspace.IntakeSummary, error) {
	if err := f.check(ctx, lantern.ActViewIntake, "", "intake"); err != nil {
		return workspace.IntakeSummary{}, err
	}
	return workspace.IntakeSummary{Quarantine: map[string]int{"held": 2}}, nil
}

func (f *fakeWorkspace) AuditSearch(ctx context.Context, q lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	if err := f.check(ctx, lantern.ActViewAudit, "", "audit"); err != nil {
		return nil, err
	}
	return f.audit.AuditEntries(ctx, q)
}

// fakeRules is a rule set that reloads to nothing.
type fakeRules struct{ reloads atomic.Int32 }

func (r *fakeRules) Rules() *detect.RuleSet { return &detect.RuleSet{} }
func (r *fakeRules) Reload() (*detect.RuleSet, error) {
	r.reloads.Add(1)
	return &detect.RuleSet{}, nil
}

// testEnv is a server with the real authenticator on a real SQLite store.
type testEnv struct {
	t      *testing.T
	srv    *Server
	http   *httptest.Server
	store  *sqlite.DB
	auth   *auth.Manager
	ws     *fakeWorkspace
	rules  *fakeRules
	offset atomic.Int64 // added to the clock, so each sign-in has a fresh TOTP step
	logs   *strings.Builder
}

// testUser is a user the environment created, with its credentials.
type testUser struct {
	Username string
	Role     lantern.UserRole
	StaffID  string
	cred     auth.Credentials
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &testEnv{t: t, store: db, logs: &strings.Builder{}}
	e.auth, err = auth.New(db, auth.Config{
		Params: auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		Now:    func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) },
	})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, err = NewServer(Config{Logger: slog.New(slog.NewTextHandler(e.logs, nil)), Registry: prometheus.NewRegistry(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.ws = newFakeWorkspace(db)
	e.rules = &fakeRules{}
	e.srv.Attach(Services{Auth: e.auth, Workspace: e.ws, Audit: db, Rules: e.rules})
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	return e
}

// addUser creates a user through the authenticator.
func (e *testEnv) addUser(username string, role lantern.UserRole, staffID string) testUser {
	e.t.Helper()
	_, cred, err := e.auth.AddUser(context.Background(), "cli:test", auth.NewUser{Username: username, Role: role, StaffID: staffID})
	if err != nil {
		e.t.Fatal(err)
	}
	return testUser{Username: username, Role: role, StaffID: staffID, cred: cred}
}

// client is a browser: a cookie jar that does not follow redirects.
type client struct {
	e   *testEnv
	c   *http.Client
	jar http.CookieJar
}

func (e *testEnv) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type reply struct {
	Status int
	Header http.Header
	Body   string
}

func (c *client) do(method, path string, form url.Values, hdr ...string) reply {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.http.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (c *client) get(path string, hdr ...string) reply { return c.do("GET", path, nil, hdr...) }

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token returns the CSRF token a page's forms carry.
func (c *client) token(path string) string {
	c.e.t.Helper()
	r := c.get(path)
	m := csrfInput.FindStringSubmatch(r.Body)
	if m == nil {
		c.e.t.Fatalf("no CSRF token on %s (%d): %.300s", path, r.Status, r.Body)
	}
	return m[1]
}

// totpNow returns the code u's authenticator would show now, by the
// environment's clock.
func (e *testEnv) totpNow(u testUser) string {
	e.t.Helper()
	code, err := totp.GenerateCodeCustom(u.cred.TOTPSecret, time.Now().Add(time.Duration(e.offset.Load())),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// signIn goes through the sign-in pages as u and returns the signed-in
// browser.
func (e *testEnv) signIn(u testUser) *client {
	e.t.Helper()
	c := e.client()
	tok := c.token("/signin")
	r := c.do("POST", "/signin", url.Values{"csrf_token": {tok}, "username": {u.Username}, "password": {u.cred.Password}})
	if r.Status != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: %d %.500s", u.Username, r.Status, r.Body)
	}
	if loc := r.Header.Get("Location"); strings.HasPrefix(loc, "/signin/code") {
		// Each sign-in with a code takes a new time step: a code is
		// accepted once.
		e.offset.Add(int64(31 * time.Second))
		tok = c.token(loc)
		r = c.do("POST", "/signin/code", url.Values{"csrf_token": {tok}, "code": {e.totpNow(u)}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			e.t.Fatalf("code for %s: %d %s %.500s", u.Username, r.Status, r.Header.Get("Location"), r.Body)
		}
	}
	if !slices.ContainsFunc(c.jar.Cookies(mustURL(e.http.URL)), func(k *http.Cookie) bool { return k.Name == sessionCookie }) {
		e.t.Fatalf("no session cookie for %s", u.Username)
	}
	return c
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
