package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"lantern"
)

const intelCols = `id, source, source_ref, summary, sanitised, state, grade, graded_by, graded_at, shared_with, shared_by, shared_at,
	staff_id, linked_by, linked_at, created_by, created_at, updated_at, summary_sealed, sanitised_sealed`

func scanIntel(row interface{ Scan(...any) error }) (*lantern.IntelItem, error) {
	var it lantern.IntelItem
	var grade *string
	var gradedAt, sharedAt, linkedAt *time.Time
	var created, updated time.Time
	var summarySealed, sanitisedSealed []byte
	err := row.Scan(&it.ID, &it.Source, &it.SourceRef, &it.Summary, &it.Sanitised, &it.State, &grade, &it.GradedBy, &gradedAt,
		&it.SharedWith, &it.SharedBy, &sharedAt, &it.StaffID, &it.LinkedBy, &linkedAt, &it.CreatedBy, &created, &updated,
		&summarySealed, &sanitisedSealed)
	if err != nil {
		return nil, err
	}
	if summarySealed != nil {
		it.Sealed = &lantern.SealedIntelText{Summary: summarySealed, Sanitised: sanitisedSealed}
	}
	if grade != nil {
		it.Grade = new(lantern.Grade)
		if err := json.Unmarshal([]byte(*grade), it.Grade); err != nil {
			return nil, err
		}
	}
	it.GradedAt, it.SharedAt, it.LinkedAt = utcPtr(gradedAt), utcPtr(sharedAt), utcPtr(linkedAt)
	it.CreatedAt, it.UpdatedAt = created.UTC(), updated.UTC()
	return &it, nil
}

// CreateIntelItem stores a new ungraded item.
func (db *DB) CreateIntelItem(ctx context.Context, it *lantern.IntelItem) error {
	if it.State == "" {
		it.State = lantern.IntelUngraded
	}
	if it.State != lantern.IntelUngraded || it.StaffID != "" {
		return lantern.FieldErrorf("state", "a new item starts ungraded and unlinked")
	}
	if err := it.Validate(); err != nil {
		return err
	}
	var summarySealed, sanitisedSealed []byte
	var keys []lantern.IntelKey
	if it.Sealed != nil {
		summarySealed, sanitisedSealed, keys = it.Sealed.Summary, it.Sealed.Sanitised, it.Sealed.Keys
		for i := range keys {
			if err := keys[i].Validate(); err != nil {
				return err
			}
		}
	}
	now := db.timestamp()
	err := db.update(ctx, "create intel item", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO intel_items (source, source_ref, summary, sanitised, state, created_by, created_at, updated_at,
			summary_sealed, sanitised_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, it.Source, it.SourceRef, it.Summary,
			it.Sanitised, it.State, it.CreatedBy, ts(it.CreatedAt), ts(now), summarySealed, sanitisedSealed).Scan(&it.ID)
		if err != nil {
			return err
		}
		for i := range keys {
			keys[i].ItemID = it.ID
		}
		return putIntelKeys(ctx, tx, keys)
	})
	if err == nil {
		it.CreatedAt, it.UpdatedAt = ts(it.CreatedAt).UTC(), now
	}
	return err
}

// IntelItem returns one item.
func (db *DB) IntelItem(ctx context.Context, id int64) (*lantern.IntelItem, error) {
	it, err := scanIntel(db.pool.QueryRow(ctx, `SELECT `+intelCols+` FROM intel_items WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "Intelligence item not found.")
	} else if err != nil {
		return nil, wrap("read intel item", err)
	}
	return it, nil
}

// FindIntelItems lists items newest first.
func (db *DB) FindIntelItems(ctx context.Context, f lantern.IntelFilter) ([]*lantern.IntelItem, int, error) {
	var c conds
	if f.StaffID != "" {
		c.add("staff_id = " + c.arg(f.StaffID))
	}
	if f.SourceRef != "" {
		c.add("source_ref = " + c.arg(f.SourceRef))
	}
	if f.State != "" {
		c.add("state = " + c.arg(f.State))
	}
	err := checkPage(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var list []*lantern.IntelItem
	var n int
	err = db.view(ctx, "find intel items", func(tx pgx.Tx) error {
		if n, err = count(ctx, tx, "intel_items", &c); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+intelCols+` FROM intel_items`+c.where()+` ORDER BY id DESC`+c.page(f.Offset, f.Limit), c.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanIntel(rows)
			if err != nil {
				return err
			}
			list = append(list, it)
		}
		return rows.Err()
	})
	return list, n, err
}

// changeIntel reads an item, applies fn and writes the result back.
func (db *DB) changeIntel(ctx context.Context, op string, id int64, fn func(lantern.IntelItem) (*lantern.IntelItem, error)) (*lantern.IntelItem, error) {
	var out *lantern.IntelItem
	err := db.update(ctx, op, func(tx pgx.Tx) error {
		it, err := scanIntel(tx.QueryRow(ctx, `SELECT `+intelCols+` FROM intel_items WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return lantern.Errorf(lantern.ENOTFOUND, "Intelligence item not found.")
		} else if err != nil {
			return err
		}
		next, err := fn(*it)
		if err != nil {
			return err
		}
		var grade any
		if next.Grade != nil {
			b, _ := json.Marshal(next.Grade)
			grade = string(b)
		}
		var sanitisedSealed []byte
		if next.Sealed != nil {
			sanitisedSealed = next.Sealed.Sanitised
		}
		next.UpdatedAt = db.timestamp()
		_, err = tx.Exec(ctx, `UPDATE intel_items SET sanitised = $1, state = $2, grade = $3, graded_by = $4, graded_at = $5,
			shared_with = $6, shared_by = $7, shared_at = $8, staff_id = $9, linked_by = $10, linked_at = $11, updated_at = $12,
			sanitised_sealed = $13 WHERE id = $14`,
			next.Sanitised, next.State, grade, next.GradedBy, tsPtr(next.GradedAt), next.SharedWith, next.SharedBy,
			tsPtr(next.SharedAt), next.StaffID, next.LinkedBy, tsPtr(next.LinkedAt), ts(next.UpdatedAt), sanitisedSealed, id)
		out = next
		return err
	})
	return out, err
}

// GradeIntelItem grades or regrades an item.
func (db *DB) GradeIntelItem(ctx context.Context, id int64, g lantern.Grading) (*lantern.IntelItem, error) {
	return db.changeIntel(ctx, "grade intel item", id, func(it lantern.IntelItem) (*lantern.IntelItem, error) { return it.ApplyGrading(g) })
}

// ShareIntelItem records an item's dissemination.
func (db *DB) ShareIntelItem(ctx context.Context, id int64, s lantern.Sharing) (*lantern.IntelItem, error) {
	return db.changeIntel(ctx, "share intel item", id, func(it lantern.IntelItem) (*lantern.IntelItem, error) { return it.ApplySharing(s) })
}

// LinkIntelStaff links an item to a member of staff.
func (db *DB) LinkIntelStaff(ctx context.Context, id int64, l lantern.StaffLink) (*lantern.IntelItem, error) {
	return db.changeIntel(ctx, "link intel item", id, func(it lantern.IntelItem) (*lantern.IntelItem, error) { return it.ApplyStaffLink(l) })
}

func putIntelKeys(ctx context.Context, tx pgx.Tx, keys []lantern.IntelKey) error {
	for _, k := range keys {
		_, err := tx.Exec(ctx, `INSERT INTO intel_keys (item_id, recipient_id, wrapped, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (item_id, recipient_id) DO UPDATE SET wrapped = excluded.wrapped, created_at = excluded.created_at`,
			k.ItemID, k.RecipientID, k.Wrapped, ts(k.CreatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// PutIntelKeys stores or replaces wrapped item keys.
func (db *DB) PutIntelKeys(ctx context.Context, keys []lantern.IntelKey) error {
	for i := range keys {
		if err := keys[i].Validate(); err != nil {
			return err
		}
	}
	return db.update(ctx, "put intel keys", func(tx pgx.Tx) error {
		for _, k := range keys {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM intel_items WHERE id = $1)`, k.ItemID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return lantern.Errorf(lantern.ENOTFOUND, "Intelligence item not found.")
			}
		}
		return putIntelKeys(ctx, tx, keys)
	})
}

// IntelKey returns an item's key wrapped for one recipient.
func (db *DB) IntelKey(ctx context.Context, itemID int64, recipientID string) (*lantern.IntelKey, error) {
	k := lantern.IntelKey{ItemID: itemID, RecipientID: recipientID}
	var at time.Time
	err := db.pool.QueryRow(ctx, `SELECT wrapped, created_at FROM intel_keys WHERE item_id = $1 AND recipient_id = $2`,
		itemID, recipientID).Scan(&k.Wrapped, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "No key for this item and recipient.")
	} else if err != nil {
		return nil, wrap("read intel key", err)
	}
	k.CreatedAt = at.UTC()
	return &k, nil
}

// RecipientIntelKeys returns every item key wrapped for a recipient.
func (db *DB) RecipientIntelKeys(ctx context.Context, recipientID string) ([]lantern.IntelKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT item_id, wrapped, created_at FROM intel_keys WHERE recipient_id = $1 ORDER BY item_id`, recipientID)
	if err != nil {
		return nil, wrap("read recipient intel keys", err)
	}
	defer rows.Close()
	var list []lantern.IntelKey
	for rows.Next() {
		k := lantern.IntelKey{RecipientID: recipientID}
		var at time.Time
		if err := rows.Scan(&k.ItemID, &k.Wrapped, &at); err != nil {
			return nil, wrap("read recipient intel keys", err)
		}
		k.CreatedAt = at.UTC()
		list = append(list, k)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read recipient intel keys", err)
	}
	return list, nil
}

// SealIntelItem replaces an item's clear text with sealed text. The old
// row version stays in the table's free space until PostgreSQL vacuums
// it; see docs/security.md.
func (db *DB) SealIntelItem(ctx context.Context, id int64, sealed *lantern.SealedIntelText) error {
	return db.update(ctx, "seal intel item", func(tx pgx.Tx) error {
		it, err := scanIntel(tx.QueryRow(ctx, `SELECT `+intelCols+` FROM intel_items WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return lantern.Errorf(lantern.ENOTFOUND, "Intelligence item not found.")
		} else if err != nil {
			return err
		}
		if err := it.CheckSealing(sealed); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE intel_items SET summary = '', sanitised = '', summary_sealed = $1, sanitised_sealed = $2,
			updated_at = $3 WHERE id = $4`, sealed.Summary, sealed.Sanitised, ts(db.timestamp()), id)
		if err != nil {
			return err
		}
		keys := append([]lantern.IntelKey(nil), sealed.Keys...)
		for i := range keys {
			keys[i].ItemID = id
		}
		return putIntelKeys(ctx, tx, keys)
	})
}
