package web

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"lantern"
	"lantern/auth"
	"lantern/detect"
	"lantern/intel"
	"lantern/referral"
	"lantern/report"
	"lantern/rules"
	"lantern/screening"
	"lantern/sqlite"
	"lantern/workspace"
)

// builtinRules is the built-in rule library as the workspace's rule source.
type builtinRules struct{ set *detect.RuleSet }

func (b builtinRules) Rules() *detect.RuleSet    { return b.set }
func (b builtinRules) Fixtures() (fs.FS, string) { return rules.FS(), "testdata" }

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// seed stores a small force: S1 and S2 are response officers, the subjects
// of alerts A1 and A2; S5 to S9 are the unit's own staff records; P1 is a
// domestic abuse victim in incident I1, to which S2 is assigned. S1 viewed
// her record with no purpose (E1); S2 with one (E2).
func seed(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	staff := []*lantern.Staff{
		{ID: "S1", Category: "officer", Role: "response", Team: "Team 1", Gender: "male", StartDate: t0.AddDate(-5, 0, 0), Name: "Alan Smith"},
		{ID: "S2", Category: "officer", Role: "response", Team: "Team 2", Gender: "male", StartDate: t0.AddDate(-5, 0, 0), Name: "Brian Jones"},
	}
	for _, id := range []string{"S5", "S6", "S7", "S8", "S9"} {
		staff = append(staff, &lantern.Staff{ID: id, Category: "staff", Role: "ccu", Team: "PSD", Gender: "female", StartDate: t0.AddDate(-5, 0, 0)})
	}
	must(db.UpsertStaff(ctx, staff...))
	must(db.UpsertPersons(ctx, &lantern.Person{ID: "P1", Gender: "female", BirthYear: 1995, Area: "north", Flags: []string{"domestic_abuse_victim"}}))
	must(db.UpsertIncidents(ctx, &lantern.Incident{ID: "I1", Type: "domestic_abuse", Status: "open", OpenedAt: t0.Add(-48 * time.Hour)}))
	must(db.AddInvolvements(ctx, &lantern.Involvement{IncidentID: "I1", PersonID: "P1", Part: "victim", At: t0.Add(-47 * time.Hour)}))
	must(db.AddAssignments(ctx, &lantern.Assignment{IncidentID: "I1", StaffID: "S2", Kind: "assigned", At: t0.Add(-46 * time.Hour)}))
	must(db.SaveIndexedEvents(ctx,
		&lantern.IndexedEvent{ID: "E1", Kind: "access", Time: t0.Add(time.Hour), StaffID: "S1", System: "rms", Action: "view",
			PersonID: "P1", Fields: []string{"address"}, Purpose: lantern.PurposeNo, PurposeReason: "no link to the person"},
		&lantern.IndexedEvent{ID: "E2", Kind: "access", Time: t0.Add(2 * time.Hour), StaffID: "S2", System: "rms", Action: "view",
			PersonID: "P1", IncidentID: "I1", Purpose: lantern.PurposeYes, PurposeReason: "assigned to incident I1"},
	))
	alert := func(id, staff, ev string, score float64, h time.Duration) *lantern.Alert {
		return &lantern.Alert{ID: id, Rule: "no_purpose_access", StaffID: staff, Key: "P1", Severity: lantern.SeverityHigh, Score: score,
			FirstEvidence: t0.Add(h), LastEvidence: t0.Add(h), EvidenceIDs: []string{ev}, Matches: 1,
			Explanation: "Viewed a vulnerable person's record with no link to any incident."}
	}
	must(db.SaveAlerts(ctx, alert("A1", "S1", "E1", 9, time.Hour), alert("A2", "S2", "E2", 5, 2*time.Hour)))
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
	t     *testing.T
	srv   *Server
	http  *httptest.Server
	store *sqlite.DB
	auth  *auth.Manager
	ws    *workspace.Service
	rules *fakeRules
	// reports is the reporting channel's core; each unit member's report
	// key is made and unlocked when they sign in.
	reports *report.Service
	// intel is the intelligence log sealed at rest under the same keys.
	intel  *report.SealedIntel
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

func newTestEnv(t *testing.T, opts ...func(*auth.Config)) *testEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lantern.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &testEnv{t: t, store: db, logs: &strings.Builder{}}
	ac := auth.Config{
		Params: auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		Now:    func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) },
	}
	keyring := report.NewKeyring(report.KeyringConfig{Store: db, Audit: db, WorkFactor: 10, RoleOf: func(ctx context.Context, id string) (lantern.UserRole, error) {
		u, err := db.FindUserByID(ctx, id)
		if err != nil {
			return "", err
		}
		return u.Role, nil
	}})
	ac.Hooks = append(ac.Hooks, keyring)
	for _, o := range opts {
		o(&ac)
	}
	e.auth, err = auth.New(db, ac)
	if err != nil {
		t.Fatal(err)
	}
	e.srv, err = NewServer(Config{Logger: slog.New(slog.NewTextHandler(e.logs, nil)), Registry: prometheus.NewRegistry(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	seed(t, db)
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The intelligence log is sealed at rest, as cmd/lantern wires it.
	e.intel, err = report.NewSealedIntel(report.IntelConfig{Store: db, Keyring: keyring})
	if err != nil {
		t.Fatal(err)
	}
	e.ws, err = workspace.New(workspace.Config{
		Alerts: db, Staff: db, Persons: db, Incidents: db, Roster: db, Quarantine: db, Sources: db, Index: db,
		Audit: db, Intel: e.intel.WithoutText(), Rules: builtinRules{set}, Now: func() time.Time { return t0.Add(100 * time.Hour) },
	})
	if err != nil {
		t.Fatal(err)
	}
	receipts, err := report.NewReceipts([]byte(strings.Repeat("r", 32)))
	if err != nil {
		t.Fatal(err)
	}
	e.reports, err = report.NewService(report.Config{Store: report.WithSealedIntel(db, e.intel), Keyring: keyring, Receipts: receipts, Audit: db, ReceiptTime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := referral.NewService(referral.Config{Store: report.WithSealedIntel(db, e.intel), Audit: db, PartnerOf: referral.OrganisationOf(db)})
	if err != nil {
		t.Fatal(err)
	}
	il, err := intel.NewService(intel.Config{Store: e.intel, Audit: db, Staff: db,
		Proposers: map[string]func(context.Context, string) ([]intel.Proposal, error){
			lantern.IntelFromReferral:  referral.Proposer(db, db),
			lantern.IntelFromScreening: screening.Proposer(db),
		},
		Named: map[string]func(context.Context, string) (string, error){lantern.IntelFromScreening: screening.Named(db)},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.rules = &fakeRules{}
	e.srv.Attach(Services{Auth: e.auth, Workspace: e.ws, Audit: db, Rules: e.rules, Reports: e.reports, Referrals: refs, Intel: il})
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
