package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"lantern"
)

const alertColumns = `id, rule, staff_id, key, severity, score, signal, first_evidence, last_evidence,
	evidence_ids, matches, explanation, state, state_reason, state_by, state_at, raised_at, updated_at`

// saveAlertSQL inserts a new alert as new, or updates a known one's finding
// and nothing else. The WHERE clause makes an ID saved with another rule,
// staff member or key change no row, which saveAlerts turns into ECONFLICT.
const saveAlertSQL = `INSERT INTO alerts (id, rule, staff_id, key, severity, score, signal,
		first_evidence, last_evidence, evidence_ids, matches, explanation, state, raised_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		severity = excluded.severity, score = excluded.score, signal = excluded.signal,
		first_evidence = min(first_evidence, excluded.first_evidence),
		last_evidence = max(last_evidence, excluded.last_evidence),
		evidence_ids = excluded.evidence_ids, matches = excluded.matches,
		explanation = excluded.explanation, updated_at = excluded.updated_at
	WHERE rule = excluded.rule AND staff_id = excluded.staff_id AND key = excluded.key`

// SaveAlerts validates alerts and stores them by ID in one transaction: a new
// ID as new with RaisedAt from the store's clock; a known ID takes the
// finding given, the earlier FirstEvidence and the later LastEvidence, and
// keeps its handling and RaisedAt. It sets UpdatedAt on the alerts passed in
// and in the store. EINVALID, or ECONFLICT for an ID saved with another rule,
// member of staff or key, writes nothing. Alerts with one ID in a batch are
// saved in order.
func (db *DB) SaveAlerts(ctx context.Context, alerts ...*lantern.Alert) error {
	evidence := make([]string, len(alerts))
	for i, a := range alerts {
		if err := a.Validate(); err != nil {
			return err
		}
		var err error
		if evidence[i], err = encodeList(a.EvidenceIDs); err != nil {
			return fmt.Errorf("save alerts: %w", err)
		}
	}
	if len(alerts) == 0 {
		return nil
	}
	now := db.timestamp()
	err := db.update(ctx, "save alerts", func(tx *sql.Tx) error {
		return saveAlerts(ctx, tx, alerts, evidence, now)
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
	var a *lantern.Alert
	err := db.view(ctx, "find alert", func(tx *sql.Tx) (err error) {
		a, err = findAlert(ctx, tx, id)
		return err
	})
	return a, err
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
	err := db.view(ctx, "find alerts", func(tx *sql.Tx) (err error) {
		list, n, err = findAlerts(ctx, tx, filter)
		return err
	})
	return list, n, err
}

// SetAlertState applies an analyst's decision to an alert in one
// transaction and returns the alert as stored. EINVALID for an invalid
// update, ENOTFOUND for an unknown alert, ECONFLICT naming both states for a
// move the state machine does not allow.
func (db *DB) SetAlertState(ctx context.Context, id string, u lantern.AlertStateUpdate) (*lantern.Alert, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	u.At = fromMicros(micros(u.At))
	now := db.timestamp()
	var a *lantern.Alert
	err := db.update(ctx, "set alert state", func(tx *sql.Tx) (err error) {
		if a, err = findAlert(ctx, tx, id); err != nil {
			return err
		}
		if err := a.Transition(u); err != nil {
			return err
		}
		a.UpdatedAt = now
		_, err = tx.ExecContext(ctx, `UPDATE alerts SET state = ?, state_reason = ?, state_by = ?, state_at = ?, updated_at = ? WHERE id = ?`,
			a.State, a.StateReason, a.StateBy, nullMicros(a.StateAt), micros(now), id)
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
	var list []lantern.RuleAlertCounts
	err := db.view(ctx, "count alerts", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT rule, count(*), sum(state = 'new'), sum(state = 'triaged'),
				sum(state = 'dismissed'), sum(state = 'escalated'), sum(signal)
			FROM alerts GROUP BY rule ORDER BY rule`)
		if err != nil {
			return err
		}
		defer rows.Close()
		list = []lantern.RuleAlertCounts{}
		for rows.Next() {
			var c lantern.RuleAlertCounts
			if err := rows.Scan(&c.Rule, &c.Total, &c.New, &c.Triaged, &c.Dismissed, &c.Escalated, &c.Signals); err != nil {
				return err
			}
			list = append(list, c)
		}
		return rows.Err()
	})
	return list, err
}

// AlertScores returns what the risk ranking needs of every alert that is not
// dismissed, ordered by staff ID, LastEvidence and ID.
func (db *DB) AlertScores(ctx context.Context) ([]lantern.AlertScore, error) {
	var list []lantern.AlertScore
	err := db.view(ctx, "alert scores", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, rule, staff_id, score, last_evidence, signal
			FROM alerts WHERE state <> 'dismissed' ORDER BY staff_id, last_evidence, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		list = []lantern.AlertScore{}
		for rows.Next() {
			var (
				s    lantern.AlertScore
				last int64
			)
			if err := rows.Scan(&s.ID, &s.Rule, &s.StaffID, &s.Score, &last, &s.Signal); err != nil {
				return err
			}
			s.LastEvidence = fromMicros(last)
			list = append(list, s)
		}
		return rows.Err()
	})
	return list, err
}

// saveAlerts upserts alerts through one prepared statement; evidence holds
// their evidence ids as stored.
func saveAlerts(ctx context.Context, tx *sql.Tx, alerts []*lantern.Alert, evidence []string, now time.Time) error {
	stmt, err := tx.PrepareContext(ctx, saveAlertSQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, a := range alerts {
		res, err := stmt.ExecContext(ctx, a.ID, a.Rule, a.StaffID, a.Key, a.Severity, a.Score, a.Signal,
			micros(a.FirstEvidence), micros(a.LastEvidence), evidence[i], a.Matches, a.Explanation,
			micros(now), micros(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return conflictingAlert(a.ID)
		}
	}
	return nil
}

// conflictingAlert is the error for an ID saved with another rule, member of
// staff or key. Alert IDs are hashes, so the message may name one.
func conflictingAlert(id string) error {
	return lantern.Errorf(lantern.ECONFLICT, "Alert %s is stored with another rule, member of staff or key.", id)
}

func findAlert(ctx context.Context, tx *sql.Tx, id string) (*lantern.Alert, error) {
	a, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Alert not found.")
	}
	return a, err
}

func findAlerts(ctx context.Context, tx *sql.Tx, f lantern.AlertFilter) ([]*lantern.Alert, int, error) {
	limit, limitArgs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var c conds
	if f.StaffID != nil {
		c.add("staff_id = ?", *f.StaffID)
	}
	if f.Rule != nil {
		c.add("rule = ?", *f.Rule)
	}
	if f.Key != nil {
		c.add("key = ?", *f.Key)
	}
	if len(f.States) > 0 {
		args := make([]any, len(f.States))
		for i, s := range f.States {
			args[i] = s
		}
		c.add("state IN (?"+strings.Repeat(", ?", len(args)-1)+")", args...)
	}
	if f.Signal != nil {
		c.add("signal = ?", *f.Signal)
	}
	if !f.Since.IsZero() {
		c.add("last_evidence >= ?", micros(f.Since))
	}
	if !f.Until.IsZero() {
		c.add("first_evidence < ?", micros(f.Until))
	}
	n, err := count(ctx, tx, "alerts", &c)
	if err != nil {
		return nil, 0, err
	}
	order := " ORDER BY score DESC, id"
	if f.Order == lantern.AlertOrderLatest {
		order = " ORDER BY last_evidence DESC, id"
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+alertColumns+` FROM alerts`+c.where()+order+limit, append(c.args, limitArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*lantern.Alert{}
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, a)
	}
	return list, n, rows.Err()
}

func scanAlert(row scanner) (*lantern.Alert, error) {
	var (
		a                            lantern.Alert
		first, last, raised, updated int64
		stateAt                      sql.NullInt64
		evidence                     string
	)
	err := row.Scan(&a.ID, &a.Rule, &a.StaffID, &a.Key, &a.Severity, &a.Score, &a.Signal, &first, &last,
		&evidence, &a.Matches, &a.Explanation, &a.State, &a.StateReason, &a.StateBy, &stateAt, &raised, &updated)
	if err != nil {
		return nil, err
	}
	if a.EvidenceIDs, err = decodeSet(evidence); err != nil {
		return nil, fmt.Errorf("alert evidence ids: %w", err)
	}
	a.FirstEvidence, a.LastEvidence = fromMicros(first), fromMicros(last)
	a.StateAt, a.RaisedAt, a.UpdatedAt = fromNullMicros(stateAt), fromMicros(raised), fromMicros(updated)
	return &a, nil
}

// encodeList encodes ids as a JSON array, [] when there are none.
func encodeList(ids []string) (string, error) {
	if len(ids) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(ids)
	return string(b), err
}
