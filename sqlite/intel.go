package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"lantern"
)

const intelCols = `id, source, source_ref, summary, sanitised, state, grade, graded_by, graded_at, shared_with, shared_by, shared_at,
	staff_id, linked_by, linked_at, created_by, created_at, updated_at, summary_sealed, sanitised_sealed`

func scanIntel(row interface{ Scan(...any) error }) (*lantern.IntelItem, error) {
	var it lantern.IntelItem
	var grade sql.NullString
	var gradedAt, sharedAt, linkedAt sql.NullInt64
	var created, updated int64
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
	if grade.Valid {
		it.Grade = new(lantern.Grade)
		if err := json.Unmarshal([]byte(grade.String), it.Grade); err != nil {
			return nil, err
		}
	}
	it.GradedAt, it.SharedAt, it.LinkedAt = fromNullMicros(gradedAt), fromNullMicros(sharedAt), fromNullMicros(linkedAt)
	it.CreatedAt, it.UpdatedAt = fromMicros(created), fromMicros(updated)
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
	err := db.update(ctx, "create intel item", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO intel_items (source, source_ref, summary, sanitised, state, created_by, created_at, updated_at,
			summary_sealed, sanitised_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, it.Source, it.SourceRef, it.Summary, it.Sanitised, it.State,
			it.CreatedBy, micros(it.CreatedAt), micros(now), summarySealed, sanitisedSealed)
		if err != nil {
			return err
		}
		if it.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for i := range keys {
			keys[i].ItemID = it.ID
		}
		return putIntelKeys(ctx, tx, keys)
	})
	if err == nil {
		it.CreatedAt, it.UpdatedAt = fromMicros(micros(it.CreatedAt)), now
	}
	return err
}

// IntelItem returns one item.
func (db *DB) IntelItem(ctx context.Context, id int64) (*lantern.IntelItem, error) {
	it, err := scanIntel(db.read.QueryRowContext(ctx, `SELECT `+intelCols+` FROM intel_items WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
		c.add("staff_id = ?", f.StaffID)
	}
	if f.SourceRef != "" {
		c.add("source_ref = ?", f.SourceRef)
	}
	if f.State != "" {
		c.add("state = ?", f.State)
	}
	limit, largs, err := page(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var list []*lantern.IntelItem
	var n int
	err = db.view(ctx, "find intel items", func(tx *sql.Tx) error {
		if n, err = count(ctx, tx, "intel_items", &c); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+intelCols+` FROM intel_items`+c.where()+` ORDER BY id DESC`+limit,
			append(c.args, largs...)...)
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
	err := db.update(ctx, op, func(tx *sql.Tx) error {
		it, err := scanIntel(tx.QueryRowContext(ctx, `SELECT `+intelCols+` FROM intel_items WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
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
		_, err = tx.ExecContext(ctx, `UPDATE intel_items SET sanitised = ?, sanitised_sealed = ?, state = ?, grade = ?, graded_by = ?, graded_at = ?,
			shared_with = ?, shared_by = ?, shared_at = ?, staff_id = ?, linked_by = ?, linked_at = ?, updated_at = ? WHERE id = ?`,
			next.Sanitised, sanitisedSealed, next.State, grade, next.GradedBy, nullMicros(next.GradedAt), next.SharedWith, next.SharedBy,
			nullMicros(next.SharedAt), next.StaffID, next.LinkedBy, nullMicros(next.LinkedAt), micros(next.UpdatedAt), id)
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

func putIntelKeys(ctx context.Context, tx *sql.Tx, keys []lantern.IntelKey) error {
	for _, k := range keys {
		_, err := tx.ExecContext(ctx, `INSERT INTO intel_keys (item_id, recipient_id, wrapped, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (item_id, recipient_id) DO UPDATE SET wrapped = excluded.wrapped, created_at = excluded.created_at`,
			k.ItemID, k.RecipientID, k.Wrapped, micros(k.CreatedAt))
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
	return db.update(ctx, "put intel keys", func(tx *sql.Tx) error {
		for _, k := range keys {
			var ok bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM intel_items WHERE id = ?)`, k.ItemID).Scan(&ok); err != nil {
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
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT wrapped, created_at FROM intel_keys WHERE item_id = ? AND recipient_id = ?`,
		itemID, recipientID).Scan(&k.Wrapped, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, lantern.Errorf(lantern.ENOTFOUND, "No key for this item and recipient.")
	} else if err != nil {
		return nil, wrap("read intel key", err)
	}
	k.CreatedAt = fromMicros(at)
	return &k, nil
}

// RecipientIntelKeys returns every item key wrapped for a recipient.
func (db *DB) RecipientIntelKeys(ctx context.Context, recipientID string) ([]lantern.IntelKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT item_id, wrapped, created_at FROM intel_keys WHERE recipient_id = ? ORDER BY item_id`, recipientID)
	if err != nil {
		return nil, wrap("read recipient intel keys", err)
	}
	defer rows.Close()
	var list []lantern.IntelKey
	for rows.Next() {
		k := lantern.IntelKey{RecipientID: recipientID}
		var at int64
		if err := rows.Scan(&k.ItemID, &k.Wrapped, &at); err != nil {
			return nil, wrap("read recipient intel keys", err)
		}
		k.CreatedAt = fromMicros(at)
		list = append(list, k)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read recipient intel keys", err)
	}
	return list, nil
}

// SealIntelItem replaces an item's clear text with sealed text. The clear
// text is overwritten on disk too (secure_delete for this transaction), so
// it does not linger in free space.
func (db *DB) SealIntelItem(ctx context.Context, id int64, sealed *lantern.SealedIntelText) error {
	return db.update(ctx, "seal intel item", func(tx *sql.Tx) error {
		it, err := scanIntel(tx.QueryRowContext(ctx, `SELECT `+intelCols+` FROM intel_items WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return lantern.Errorf(lantern.ENOTFOUND, "Intelligence item not found.")
		} else if err != nil {
			return err
		}
		if err := it.CheckSealing(sealed); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `PRAGMA secure_delete = 1`); err != nil {
			return err
		}
		defer tx.ExecContext(ctx, `PRAGMA secure_delete = 0`)
		_, err = tx.ExecContext(ctx, `UPDATE intel_items SET summary = '', sanitised = '', summary_sealed = ?, sanitised_sealed = ?,
			updated_at = ? WHERE id = ?`, sealed.Summary, sealed.Sanitised, micros(db.timestamp()), id)
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
