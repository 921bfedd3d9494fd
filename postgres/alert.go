package postgres

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

// evidenceSep joins an alert's evidence ids on the way to the server. It is a
// control character, which lantern.ValidateID refuses in an id.
const evidenceSep = "\x1f"

const alertColumns = `id, rule, staff_id, key, severity, score, signal, first_evidence, last_evidence,
	evidence_ids, matches, explanation, state, state_reason, state_by, state_at, raised_at, updated_at`

// saveAlertsSQL upserts a whole batch in one statement from one array per
// column. PostgreSQL arrays cannot be ragged, so each alert's evidence ids
// travel as one string joined by evidenceSep, which lantern.ValidateID keeps
// out of every id; an empty string splits into an empty array. (Slicing one
// flat array per alert instead costs time in the square of the batch.) A
// known ID gets its finding updated and nothing else; one stored with
// another rule, staff member or key is left alone, and saveAlerts counts it
// as a conflict.
const saveAlertsSQL = `INSERT INTO alerts (id, rule, staff_id, key, severity, score, signal,
		first_evidence, last_evidence, evidence_ids, matches, explanation, state, raised_at, updated_at)
	SELECT i.id, i.rule, i.staff_id, i.key, i.severity, i.score, i.signal,
		i.first_evidence, i.last_evidence, string_to_array(i.evidence, E'\x1f'), i.matches, i.explanation,
		'new', $13, $13
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::boolean[],
		$8::timestamptz[], $9::timestamptz[], $10::text[], $11::bigint[], $12::text[])
		AS i (id, rule, staff_id, key, severity, score, signal, first_evidence, last_evidence,
			evidence, matches, explanation)
	ON CONFLICT (id) DO UPDATE SET
		severity = excluded.severity, score = excluded.score, signal = excluded.signal,
		first_evidence = least(alerts.first_evidence, excluded.first_evidence),
		last_evidence = greatest(alerts.last_evidence, excluded.last_evidence),
		evidence_ids = excluded.evidence_ids, matches = excluded.matches,
		explanation = excluded.explanation, updated_at = excluded.updated_at
	WHERE alerts.rule = excluded.rule AND alerts.staff_id = excluded.staff_id AND alerts.key = excluded.key`

// SaveAlerts validates alerts and stores them by ID in one transaction: a new
// ID as new with RaisedAt from the store's clock; a known ID takes the
// finding given, the earlier FirstEvidence and the later LastEvidence, and
// keeps its handling and RaisedAt. It sets UpdatedAt on the alerts passed in
// and in the store. EINVALID, or ECONFLICT for an ID saved with another rule,
// member of staff or key, writes nothing. Alerts with one ID in a batch are
// saved in order.
//
// The batch goes to the server as one statement, in ID order, so that
// concurrent batches lock rows in the same order and cannot deadlock.
func (db *DB) SaveAlerts(ctx context.Context, alerts ...*lantern.Alert) error {
	for _, a := range alerts {
		if err := a.Validate(); err != nil {
			return err
		}
	}
	if len(alerts) == 0 {
		return nil
	}
	batch, err := foldAlerts(alerts)
	if err != nil {
		return err
	}
	now := db.timestamp()
	err = db.update(ctx, "save alerts", func(tx pgx.Tx) error {
		return saveAlerts(ctx, tx, batch, now)
	})
	if err != nil {
		return err
	}
	for _, a := range alerts {
		a.UpdatedAt = now
	}
	return nil
}

// Alert returns one alert, or ENOTFOUND.
func (db *DB) Alert(ctx context.Context, id string) (*lantern.Alert, error) {
	a, err := scanAlert(db.pool.QueryRow(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Alert not found.")
	} else if err != nil {
		return nil, wrap("find alert", err)
	}
	return a, nil
}

// FindAlerts returns the alerts matching filter in its order (highest score
// first, or latest LastEvidence first, then ID), and the total number that
// match ignoring Offset and Limit. EINVALID for an invalid filter.
func (db *DB) FindAlerts(ctx context.Context, filter lantern.AlertFilter) ([]*lantern.Alert, int, error) {
	if err := filter.Validate(); err != nil {
		return nil, 0, err
	}
	var list []*lantern.Alert
	var n int
	err := db.view(ctx, "find alerts", func(tx pgx.Tx) (err error) {
		list, n, err = findAlerts(ctx, tx, filter)
		return err
	})
	return list, n, err
}

// SetAlertState applies an analyst's decision to an alert in one
// transaction, holding the alert's row lock from reading its state to
// writing the new one, and returns the alert as stored. EINVALID for an
// invalid update, ENOTFOUND for an unknown alert, ECONFLICT naming both
// states for a move the state machine does not allow.
func (db *DB) SetAlertState(ctx context.Context, id string, u lantern.AlertStateUpdate) (*lantern.Alert, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	u.At = ts(u.At)
	now := db.timestamp()
	var a *lantern.Alert
	err := db.update(ctx, "set alert state", func(tx pgx.Tx) (err error) {
		a, err = scanAlert(tx.QueryRow(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return lantern.Errorf(lantern.ENOTFOUND, "Alert not found.")
		} else if err != nil {
			return err
		}
		if err := a.Transition(u); err != nil {
			return err
		}
		a.UpdatedAt = now
		_, err = tx.Exec(ctx, `UPDATE alerts SET state = $1, state_reason = $2, state_by = $3, state_at = $4, updated_at = $5 WHERE id = $6`,
			a.State, a.StateReason, a.StateBy, a.StateAt, now, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AlertCounts returns, for every rule with alerts, how many it raised by
// state and how many are signals, ordered by rule.
func (db *DB) AlertCounts(ctx context.Context) ([]lantern.RuleAlertCounts, error) {
	rows, err := db.pool.Query(ctx, `SELECT rule, count(*),
			count(*) FILTER (WHERE state = 'new'), count(*) FILTER (WHERE state = 'triaged'),
			count(*) FILTER (WHERE state = 'dismissed'), count(*) FILTER (WHERE state = 'escalated'),
			count(*) FILTER (WHERE signal)
		FROM alerts GROUP BY rule ORDER BY rule`)
	if err != nil {
		return nil, wrap("count alerts", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (lantern.RuleAlertCounts, error) {
		var c lantern.RuleAlertCounts
		err := row.Scan(&c.Rule, &c.Total, &c.New, &c.Triaged, &c.Dismissed, &c.Escalated, &c.Signals)
		return c, err
	})
	if err != nil {
		return nil, wrap("count alerts", err)
	}
	return list, nil
}

// AlertScores returns what the risk ranking needs of every alert that is not
// dismissed, ordered by staff ID, LastEvidence and ID.
func (db *DB) AlertScores(ctx context.Context) ([]lantern.AlertScore, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, rule, staff_id, score, last_evidence, signal
		FROM alerts WHERE state <> 'dismissed' ORDER BY staff_id, last_evidence, id`)
	if err != nil {
		return nil, wrap("alert scores", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (lantern.AlertScore, error) {
		var s lantern.AlertScore
		err := row.Scan(&s.ID, &s.Rule, &s.StaffID, &s.Score, &s.LastEvidence, &s.Signal)
		s.LastEvidence = s.LastEvidence.UTC()
		return s, err
	})
	if err != nil {
		return nil, wrap("alert scores", err)
	}
	return list, nil
}

// foldAlerts returns the batch sorted by ID with the alerts sharing an ID
// merged as saving them one by one would: the last one's finding, the
// earliest FirstEvidence and the latest LastEvidence. One statement cannot
// update a row twice. It returns ECONFLICT for an ID given with two rules,
// members of staff or keys. The alerts passed in are not changed.
func foldAlerts(alerts []*lantern.Alert) ([]*lantern.Alert, error) {
	sorted := slices.Clone(alerts)
	slices.SortStableFunc(sorted, func(a, b *lantern.Alert) int { return cmp.Compare(a.ID, b.ID) })
	out := sorted[:0]
	for _, a := range sorted {
		if len(out) == 0 || out[len(out)-1].ID != a.ID {
			out = append(out, a)
			continue
		}
		prev := out[len(out)-1]
		if prev.Rule != a.Rule || prev.StaffID != a.StaffID || prev.Key != a.Key {
			return nil, conflictingAlert(a.ID)
		}
		merged := *a
		merged.FirstEvidence = minTime(prev.FirstEvidence, a.FirstEvidence)
		merged.LastEvidence = maxTime(prev.LastEvidence, a.LastEvidence)
		out[len(out)-1] = &merged
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// conflictingAlert is the error for an ID saved with another rule, member of
// staff or key. Alert IDs are hashes, so the message may name one.
func conflictingAlert(id string) error {
	return lantern.Errorf(lantern.ECONFLICT, "Alert %s is stored with another rule, member of staff or key.", id)
}

// alertArrays holds a batch of alerts column by column, as saveAlertsSQL
// takes them.
type alertArrays struct {
	ids, rules, staff, keys, severities, explanations, evidence []string
	scores                                                      []float64
	signals                                                     []bool
	firsts, lasts                                               []time.Time
	matches                                                     []int64
}

func newAlertArrays(alerts []*lantern.Alert) *alertArrays {
	n := len(alerts)
	c := &alertArrays{
		ids: make([]string, n), rules: make([]string, n), staff: make([]string, n), keys: make([]string, n),
		severities: make([]string, n), explanations: make([]string, n), evidence: make([]string, n),
		scores: make([]float64, n), signals: make([]bool, n), firsts: make([]time.Time, n), lasts: make([]time.Time, n),
		matches: make([]int64, n),
	}
	for i, a := range alerts {
		c.ids[i], c.rules[i], c.staff[i], c.keys[i] = a.ID, a.Rule, a.StaffID, a.Key
		c.severities[i], c.explanations[i] = a.Severity, a.Explanation
		c.scores[i], c.signals[i], c.matches[i] = a.Score, a.Signal, int64(a.Matches)
		c.firsts[i], c.lasts[i] = ts(a.FirstEvidence), ts(a.LastEvidence)
		c.evidence[i] = strings.Join(a.EvidenceIDs, evidenceSep)
	}
	return c
}

// saveAlerts upserts a batch folded by foldAlerts.
func saveAlerts(ctx context.Context, tx pgx.Tx, alerts []*lantern.Alert, now time.Time) error {
	c := newAlertArrays(alerts)
	tag, err := tx.Exec(ctx, saveAlertsSQL, c.ids, c.rules, c.staff, c.keys, c.severities, c.scores, c.signals,
		c.firsts, c.lasts, c.evidence, c.matches, c.explanations, now)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == int64(len(alerts)) {
		return nil
	}
	// Some ID is stored with another rule, staff member or key: name one.
	var id string
	err = tx.QueryRow(ctx, `SELECT a.id FROM alerts a
		JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS i (id, rule, staff_id, key) ON a.id = i.id
		WHERE (a.rule, a.staff_id, a.key) <> (i.rule, i.staff_id, i.key) ORDER BY a.id LIMIT 1`,
		c.ids, c.rules, c.staff, c.keys).Scan(&id)
	if err != nil {
		return err
	}
	return conflictingAlert(id)
}

func findAlerts(ctx context.Context, tx pgx.Tx, f lantern.AlertFilter) ([]*lantern.Alert, int, error) {
	if err := checkPage(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	var c conds
	if f.StaffID != nil {
		c.add("staff_id = " + c.arg(*f.StaffID))
	}
	if f.Rule != nil {
		c.add("rule = " + c.arg(*f.Rule))
	}
	if f.Key != nil {
		c.add("key = " + c.arg(*f.Key))
		if *f.Key != "" {
			c.add("key <> ''") // lets the planner use the partial index on key
		}
	}
	if len(f.States) > 0 {
		c.add("state = ANY(" + c.arg(f.States) + ")")
	}
	if f.Signal != nil {
		c.add("signal = " + c.arg(*f.Signal))
	}
	if !f.Since.IsZero() {
		c.add("last_evidence >= " + c.arg(ts(f.Since)))
	}
	if !f.Until.IsZero() {
		c.add("first_evidence < " + c.arg(ts(f.Until)))
	}
	n, err := count(ctx, tx, "alerts", &c)
	if err != nil {
		return nil, 0, err
	}
	order := " ORDER BY score DESC, id"
	if f.Order == lantern.AlertOrderLatest {
		order = " ORDER BY last_evidence DESC, id"
	}
	q := `SELECT ` + alertColumns + ` FROM alerts` + c.where() + order + c.page(f.Offset, f.Limit)
	rows, err := tx.Query(ctx, q, c.args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*lantern.Alert, error) { return scanAlert(row) })
	return list, n, err
}

func scanAlert(row pgx.Row) (*lantern.Alert, error) {
	var a lantern.Alert
	err := row.Scan(&a.ID, &a.Rule, &a.StaffID, &a.Key, &a.Severity, &a.Score, &a.Signal, &a.FirstEvidence,
		&a.LastEvidence, &a.EvidenceIDs, &a.Matches, &a.Explanation, &a.State, &a.StateReason, &a.StateBy,
		&a.StateAt, &a.RaisedAt, &a.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if len(a.EvidenceIDs) == 0 {
		a.EvidenceIDs = nil
	}
	a.FirstEvidence, a.LastEvidence = a.FirstEvidence.UTC(), a.LastEvidence.UTC()
	a.StateAt, a.RaisedAt, a.UpdatedAt = utcPtr(a.StateAt), a.RaisedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}
