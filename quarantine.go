package lantern

import (
	"context"
	"time"
)

// States of a quarantined row.
const (
	RejectionOpen     = "open"     // waiting for repair
	RejectionRetried  = "retried"  // sent through intake again and accepted
	RejectionResolved = "resolved" // closed by an operator without retry
)

// MaxRejectedRaw bounds how much of a rejected line is kept for repair. A
// longer line is kept truncated and says so in its reason.
const MaxRejectedRaw = 64 << 10

// Rejection is one input row that intake refused, kept so that it can be
// repaired and sent again: nothing is silently dropped.
//
// Raw holds the row as received, sealed by intake (encrypted under the
// installation's quarantine key) because rejected rows may hold personal
// data such as phone numbers that accepted rows never keep in clear.
type Rejection struct {
	ID         int64     `json:"id"`
	Source     string    `json:"source"` // the file or API source it came from
	Kind       string    `json:"kind"`
	Format     string    `json:"format"` // "jsonl", or "csv:" and the mapping profile's name
	Line       int       `json:"line"`
	Field      string    `json:"field,omitempty"`
	Reason     string    `json:"reason"`
	Raw        []byte    `json:"-"`
	State      string    `json:"state"`
	ReceivedAt time.Time `json:"received_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Validate returns an EINVALID *Error naming the first field at fault.
func (r *Rejection) Validate() error {
	if r.Source == "" {
		return FieldErrorf("source", "source is required")
	}
	if err := ValidateToken("kind", r.Kind); err != nil {
		return err
	}
	if r.Format == "" {
		return FieldErrorf("format", "format is required")
	}
	if r.Line < 0 {
		return FieldErrorf("line", "line is negative")
	}
	if r.Reason == "" {
		return FieldErrorf("reason", "reason is required")
	}
	if len(r.Raw) > MaxRejectedRaw+1024 {
		return FieldErrorf("raw", "raw row is longer than %d bytes", MaxRejectedRaw)
	}
	if err := ValidateOneOf("state", r.State, RejectionOpen, RejectionRetried, RejectionResolved); err != nil {
		return err
	}
	return ValidateTime("received_at", r.ReceivedAt)
}

// RejectionFilter selects quarantined rows. Nil fields match everything.
type RejectionFilter struct {
	ID     *int64
	Source *string
	Kind   *string
	State  *string
	Offset int
	Limit  int // 0 means no limit
}

// QuarantineService keeps the rows intake rejected.
type QuarantineService interface {
	// AddRejections validates and stores rejected rows, assigning their IDs;
	// EINVALID writes nothing.
	AddRejections(ctx context.Context, rejections ...*Rejection) error
	// FindRejections returns rows matching filter ordered by ID, with Raw,
	// and the total number that match.
	FindRejections(ctx context.Context, filter RejectionFilter) ([]*Rejection, int, error)
	// SetRejectionState moves rows to state at the given time. ENOTFOUND if
	// any id is unknown (and nothing changes).
	SetRejectionState(ctx context.Context, state string, at time.Time, ids ...int64) error
}

// Source is a system allowed to send records through the API, identified by
// a bearer token of which only a hash is stored.
type Source struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"` // what the token may do: ScopeIngest or ScopeAlerts
	TokenHash  []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

// Scopes of an API token: each token may do one thing.
const (
	// ScopeIngest lets a system send records: POST /api/v1/events.
	ScopeIngest = "ingest"
	// ScopeAlerts lets a tool read alerts and the risk ranking, record
	// decisions on alerts and reload rules: the /api/v1/alerts, /risk and
	// /rules endpoints.
	ScopeAlerts = "alerts"
)

// SourceScopes lists the scopes a source may have.
var SourceScopes = []string{ScopeIngest, ScopeAlerts}

// Validate returns an EINVALID *Error naming the first field at fault.
func (s *Source) Validate() error {
	if err := ValidateToken("name", s.Name); err != nil {
		return err
	}
	if err := ValidateOneOf("scope", s.Scope, SourceScopes...); err != nil {
		return err
	}
	if len(s.TokenHash) != 32 {
		return FieldErrorf("token_hash", "token_hash must be a 32-byte SHA-256 digest")
	}
	return ValidateTime("created_at", s.CreatedAt)
}

// SourceService keeps the API sources and their token hashes.
type SourceService interface {
	// CreateSource stores a new source and assigns its ID. ECONFLICT if the
	// name is taken.
	CreateSource(ctx context.Context, s *Source) error
	// FindSourceByTokenHash returns the enabled source with this token hash,
	// or ENOTFOUND (also for a disabled source).
	FindSourceByTokenHash(ctx context.Context, hash []byte) (*Source, error)
	// FindSources returns every source ordered by name.
	FindSources(ctx context.Context) ([]*Source, error)
	// DisableSource disables the named source at the given time, or ENOTFOUND.
	DisableSource(ctx context.Context, name string, at time.Time) error
}
