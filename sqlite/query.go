package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"lantern"
)

// conds collects the conditions of a filtered query and their arguments.
type conds struct {
	clauses []string
	args    []any
}

// add appends a condition with its arguments.
func (c *conds) add(clause string, args ...any) {
	c.clauses = append(c.clauses, clause)
	c.args = append(c.args, args...)
}

// where returns the WHERE clause, or "" when there are no conditions.
func (c *conds) where() string {
	if len(c.clauses) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.clauses, " AND ")
}

// page returns the LIMIT and OFFSET clause for a filter and its arguments, or
// EINVALID if offset or limit is negative.
func page(offset, limit int) (string, []any, error) {
	if offset < 0 {
		return "", nil, lantern.FieldErrorf("offset", "offset must not be negative")
	}
	if limit < 0 {
		return "", nil, lantern.FieldErrorf("limit", "limit must not be negative")
	}
	if limit == 0 {
		limit = -1 // SQLite's "no limit"
	}
	return " LIMIT ? OFFSET ?", []any{limit, offset}, nil
}

// count returns the number of rows a filtered query matches, ignoring paging.
func count(ctx context.Context, tx *sql.Tx, from string, c *conds) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+from+c.where(), c.args...).Scan(&n)
	return n, err
}

// missing returns the first of ids with no row in table, or "" if all exist.
// table is one of this package's table names, never input.
func missing(ctx context.Context, tx *sql.Tx, table string, ids []string) (string, error) {
	stmt, err := tx.PrepareContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE id = ?)")
	if err != nil {
		return "", err
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		var ok bool
		if err := stmt.QueryRowContext(ctx, id).Scan(&ok); err != nil {
			return "", err
		}
		if !ok {
			return id, nil
		}
	}
	return "", nil
}
