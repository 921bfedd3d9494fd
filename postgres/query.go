package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"lantern"
)

// conds collects the conditions of a filtered query and their numbered
// arguments.
type conds struct {
	clauses []string
	args    []any
}

// arg appends an argument and returns its placeholder.
func (c *conds) arg(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

// add appends a condition whose placeholders came from arg.
func (c *conds) add(clause string) { c.clauses = append(c.clauses, clause) }

// where returns the WHERE clause, or "" when there are no conditions.
func (c *conds) where() string {
	if len(c.clauses) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.clauses, " AND ")
}

// page appends the paging arguments and returns the LIMIT and OFFSET clause.
// Call it after counting, which takes the filter's arguments only.
func (c *conds) page(offset, limit int) string {
	var l any // NULL is no limit
	if limit > 0 {
		l = limit
	}
	return " LIMIT " + c.arg(l) + " OFFSET " + c.arg(offset)
}

// checkPage returns EINVALID if offset or limit is negative.
func checkPage(offset, limit int) error {
	if offset < 0 {
		return lantern.FieldErrorf("offset", "offset must not be negative")
	}
	if limit < 0 {
		return lantern.FieldErrorf("limit", "limit must not be negative")
	}
	return nil
}

// count returns the number of rows a filtered query matches, ignoring paging.
func count(ctx context.Context, tx pgx.Tx, from string, c *conds) (int, error) {
	var n int
	err := tx.QueryRow(ctx, "SELECT count(*) FROM "+from+c.where(), c.args...).Scan(&n)
	return n, err
}

// missing returns the first, in byte order, of ids with no row in table, or ""
// if all exist. table is one of this package's table names, never input.
func missing(ctx context.Context, tx pgx.Tx, table string, ids []string) (string, error) {
	if len(ids) == 0 {
		return "", nil
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	rows, err := tx.Query(ctx, "SELECT id FROM "+table+" WHERE id = ANY($1)", ids)
	if err != nil {
		return "", err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	exists := make(map[string]bool, len(found))
	for _, id := range found {
		exists[id] = true
	}
	for _, id := range ids {
		if !exists[id] {
			return id, nil
		}
	}
	return "", nil
}

// mustExist returns ENOTFOUND unless every incident, person and member of
// staff named exists. The message names an incident, but not a person or a
// member of staff, whose identifiers are personal data.
func mustExist(ctx context.Context, tx pgx.Tx, incidents, persons, staff []string) error {
	id, err := missing(ctx, tx, "incidents", incidents)
	if err != nil {
		return err
	} else if id != "" {
		return lantern.Errorf(lantern.ENOTFOUND, "Incident %q not found.", id)
	}
	if id, err = missing(ctx, tx, "persons", persons); err != nil {
		return err
	} else if id != "" {
		return lantern.Errorf(lantern.ENOTFOUND, "A person named in the batch does not exist.")
	}
	if id, err = missing(ctx, tx, "staff", staff); err != nil {
		return err
	} else if id != "" {
		return lantern.Errorf(lantern.ENOTFOUND, "A member of staff named in the batch does not exist.")
	}
	return nil
}

// sendBatch sends b, if it holds anything, and returns the first error.
func sendBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}
