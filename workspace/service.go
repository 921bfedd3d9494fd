// Package workspace holds the domain services behind the counter-corruption
// unit's workspace: the alert queue, alert detail, staff profiles, person
// views, rules, intake and the audit trail search. Every method checks the
// signed-in principal with lantern.Authorize and appends one entry to the
// audit trail, allowed, denied or failed, before it returns anything; when
// the trail cannot be written the call fails and returns nothing.
package workspace

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"lantern"
	"lantern/detect"
)

// Service implements Workspace over the stores in its Config. It is safe
// for concurrent use.
type Service struct {
	cfg Config

	mu       sync.Mutex
	fixtures fixtureCache
}

// New returns a Service, or EINVALID naming a missing dependency.
func New(cfg Config) (*Service, error) {
	for _, d := range []struct {
		name string
		ok   bool
	}{
		{"alerts", cfg.Alerts != nil}, {"staff", cfg.Staff != nil}, {"persons", cfg.Persons != nil},
		{"incidents", cfg.Incidents != nil}, {"roster", cfg.Roster != nil}, {"quarantine", cfg.Quarantine != nil},
		{"sources", cfg.Sources != nil}, {"index", cfg.Index != nil}, {"audit", cfg.Audit != nil},
	} {
		if !d.ok {
			return nil, lantern.FieldErrorf(d.name, "workspace: the %s service is required", d.name)
		}
	}
	if cfg.Capacity < 0 {
		return nil, lantern.FieldErrorf("capacity", "capacity must not be negative")
	}
	if cfg.Capacity == 0 {
		cfg.Capacity = DefaultCapacity
	}
	if cfg.HalfLife <= 0 {
		cfg.HalfLife = DefaultHalfLife
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg}, nil
}

// call is one use of the workspace being authorised and audited.
type call struct {
	s      *Service
	p      lantern.Principal
	action lantern.Action
	object string
	done   bool
}

// begin starts a call: it takes the principal from ctx and checks that its
// role may take the action at all (before anything is looked up, so that a
// role without the action learns nothing, not even whether the object
// exists). A refusal is audited and returned.
func (s *Service) begin(ctx context.Context, a lantern.Action, object string) (*call, error) {
	p, _ := lantern.PrincipalFrom(ctx)
	if kind, id, ok := strings.Cut(object, ":"); ok && lantern.ValidateID("id", id) != nil {
		object = kind + ":invalid" // the trail keeps only valid identifiers
	}
	c := &call{s: s, p: p, action: a, object: object}
	if err := lantern.Authorize(p, a, ""); err != nil {
		return nil, c.deny(ctx, err)
	}
	return c, nil
}

// checkID fails the call, audited, when id is not a valid identifier.
func (c *call) checkID(ctx context.Context, id string) error {
	if err := lantern.ValidateID("id", id); err != nil {
		return c.fail(ctx, err)
	}
	return nil
}

// about checks the principal against the member of staff the data concerns
// (self-view); a refusal is audited and returned.
func (c *call) about(ctx context.Context, staffID string) error {
	if err := lantern.Authorize(c.p, c.action, staffID); err != nil {
		return c.deny(ctx, err)
	}
	return nil
}

// deny audits a refusal and returns err (or the audit failure).
func (c *call) deny(ctx context.Context, err error) error {
	if aerr := c.audit(ctx, lantern.AuditDenied, lantern.ErrorMessage(err)); aerr != nil {
		return aerr
	}
	return err
}

// fail audits a call that was allowed but could not be answered, and
// returns err (or the audit failure).
func (c *call) fail(ctx context.Context, err error) error {
	if aerr := c.audit(ctx, lantern.AuditFailed, lantern.ErrorCode(err)); aerr != nil {
		return aerr
	}
	return err
}

// allow audits a call answered; the caller returns its data only when this
// returns nil.
func (c *call) allow(ctx context.Context, detail string) error {
	return c.audit(ctx, lantern.AuditAllowed, detail)
}

// audit appends the call's one entry on the trail.
func (c *call) audit(ctx context.Context, outcome, detail string) error {
	if c.done {
		return nil
	}
	c.done = true
	user := c.p.UserID
	if user == "" {
		user = "anonymous"
	}
	if len(detail) > 200 {
		detail = strings.ToValidUTF8(detail[:200], "")
	}
	_, err := c.s.cfg.Audit.AppendAudit(context.WithoutCancel(ctx), lantern.AuditEntry{
		Time: c.s.cfg.Now().UTC(), UserID: user, Role: c.p.Role, Action: string(c.action),
		Object: c.object, Outcome: outcome, Detail: detail,
	})
	if err != nil {
		c.s.cfg.Logger.Error("workspace: the audit trail could not be written; refusing the call", "action", c.action, "error", err)
		return lantern.Errorf(lantern.EINTERNAL, "The audit trail could not be written, so nothing is shown.")
	}
	return nil
}

// riskNow builds the risk ranking as the API ranks staff: from RiskScores.
func (s *Service) riskNow(ctx context.Context) (*detect.Risk, error) {
	scores, err := RiskScores(ctx, s.cfg.Alerts, s.cfg.Intel)
	if err != nil {
		return nil, err
	}
	return detect.RiskOf(scores, s.cfg.HalfLife), nil
}

// summary gives what pages show of a member of staff; an unknown one is
// shown by id alone.
func summary(st *lantern.Staff) StaffSummary {
	return StaffSummary{ID: st.ID, CollarNumber: st.CollarNumber, Name: st.Name, Role: st.Role, Rank: st.Rank, Team: st.Team, Station: st.Station}
}

// staffCache looks members of staff up once per call.
type staffCache struct {
	svc  lantern.StaffService
	seen map[string]StaffSummary
}

func (c *staffCache) get(ctx context.Context, id string) (StaffSummary, error) {
	if s, ok := c.seen[id]; ok {
		return s, nil
	}
	if c.seen == nil {
		c.seen = map[string]StaffSummary{}
	}
	st, err := c.svc.FindStaffByID(ctx, id)
	var out StaffSummary
	switch {
	case lantern.ErrorCode(err) == lantern.ENOTFOUND:
		out = StaffSummary{ID: id}
	case err != nil:
		return StaffSummary{}, err
	default:
		out = summary(st)
	}
	c.seen[id] = out
	return out, nil
}

// Options are the settings of NewFromStore.
type Options struct {
	Capacity int           // alerts the unit handles in a week; DefaultCapacity when 0
	HalfLife time.Duration // DefaultHalfLife when 0
	Now      func() time.Time
	Logger   *slog.Logger
	// Intel is the intelligence log to use in place of the store's own,
	// such as one that seals items at rest; nil uses the store's.
	Intel lantern.IntelService
}

// NewFromStore returns a Service reading everything from one store, with
// audit as its trail and rules as the running rule set (nil for none).
func NewFromStore(store lantern.Store, audit lantern.AuditService, rules RuleSource, o Options) (*Service, error) {
	intel := o.Intel
	if intel == nil {
		intel = store
	}
	return New(Config{
		Alerts: store, Staff: store, Persons: store, Incidents: store, Roster: store, Quarantine: store,
		Sources: store, Index: store, Audit: audit, Intel: intel, Rules: rules,
		Capacity: o.Capacity, HalfLife: o.HalfLife, Now: o.Now, Logger: o.Logger,
	})
}
