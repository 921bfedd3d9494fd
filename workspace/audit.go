package workspace

import (
	"context"
	"fmt"
	"strings"

	"lantern"
)

// AuditSearch returns the audit trail's entries matching q, in trail
// order; the search is itself recorded on the trail, after the entries it
// finds. It needs ActViewAudit.
func (s *Service) AuditSearch(ctx context.Context, q lantern.AuditQuery) ([]lantern.AuditEntry, error) {
	c, err := s.begin(ctx, lantern.ActViewAudit, "audit")
	if err != nil {
		return nil, err
	}
	if q.Limit < 0 || q.AfterSeq < 0 {
		return nil, c.fail(ctx, lantern.FieldErrorf("limit", "limit and after must not be negative"))
	}
	entries, err := s.cfg.Audit.AuditEntries(ctx, q)
	if err != nil {
		return nil, c.fail(ctx, err)
	}
	if err := c.allow(ctx, describeAuditQuery(q, len(entries))); err != nil {
		return nil, err
	}
	if entries == nil {
		entries = []lantern.AuditEntry{}
	}
	return entries, nil
}

func describeAuditQuery(q lantern.AuditQuery, found int) string {
	var parts []string
	for _, kv := range [][2]string{{"user", q.UserID}, {"action", q.Action}, {"object", q.Object}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if !q.Since.IsZero() {
		parts = append(parts, "since="+q.Since.UTC().Format("2006-01-02"))
	}
	if !q.Until.IsZero() {
		parts = append(parts, "until="+q.Until.UTC().Format("2006-01-02"))
	}
	parts = append(parts, fmt.Sprintf("found=%d", found))
	return strings.Join(parts, " ")
}
