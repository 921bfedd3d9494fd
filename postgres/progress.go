package postgres

import (
	"context"
	"errors"
	"math"

	"github.com/jackc/pgx/v5"

	"lantern"
)

// MonitorProgress returns the event-log sequence recorded for owner, or 0.
func (db *DB) MonitorProgress(ctx context.Context, owner string) (uint64, error) {
	var seq int64
	err := db.pool.QueryRow(ctx, `SELECT seq FROM monitor_progress WHERE owner = $1`, owner).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
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
	return db.update(ctx, "set monitor progress", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO monitor_progress (owner, seq, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (owner) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
			owner, int64(seq), ts(db.timestamp()))
		return err
	})
}
