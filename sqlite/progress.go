package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"

	"lantern"
)

// MonitorProgress returns the event-log sequence recorded for owner, or 0.
func (db *DB) MonitorProgress(ctx context.Context, owner string) (uint64, error) {
	var seq int64
	err := db.read.QueryRowContext(ctx, `SELECT seq FROM monitor_progress WHERE owner = ?`, owner).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, wrap("read monitor progress", err)
	}
	return uint64(seq), nil
}

// SetMonitorProgress records seq for owner; EINVALID for a bad owner.
func (db *DB) SetMonitorProgress(ctx context.Context, owner string, seq uint64) error {
	if err := lantern.ValidateID("owner", owner); err != nil {
		return err
	}
	if seq > math.MaxInt64 {
		return lantern.FieldErrorf("seq", "sequence %d is out of range", seq)
	}
	return db.update(ctx, "set monitor progress", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO monitor_progress (owner, seq, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (owner) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
			owner, int64(seq), micros(db.timestamp()))
		return err
	})
}
