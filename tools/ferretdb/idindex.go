package main

// The `_id` index of FerretDB's SQLite backend, made usable (see id-index.patch for the why).
// Collections created by this build get the right `_id_` index from FerretDB itself; this file
// upgrades the databases of an earlier build when the program starts, before FerretDB opens them,
// and offers a small SQL mode for inspecting the files (tests, support).

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const (
	// FerretDB's names (internal/backends/sqlite/metadata): the metadata table, the document
	// column, the `_id` lookup expression (IDColumn) and the default index name.
	metadataTable = "_ferretdb_collections"
	idExpression  = "_ferretdb_sjson->'$._id'"
	idIndexSuffix = "__id_"
)

// openFile opens one database file of the directory. mode=rw: never creates a file (a database
// FerretDB has just dropped stays dropped). The busy timeout waits for another writer.
func openFile(file string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// retryBusy runs f again while SQLite says the database is locked or busy (another process
// holding the write lock longer than the busy timeout): five tries, a second apart.
func retryBusy(f func() error) error {
	var err error
	for try := 0; try < 5; try++ {
		if err = f(); err == nil || !isBusy(err) {
			return err
		}
		time.Sleep(time.Second)
	}
	return err
}

func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff // primary result code
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return strings.Contains(err.Error(), "database is locked")
}

// upgradeIDIndexes rebuilds every `_id_` index that is not on the lookup expression, in every
// database file of dir. Returns how many indexes it rebuilt.
func upgradeIDIndexes(ctx context.Context, dir string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return 0, err
	}
	total := 0
	for _, file := range files {
		n, err := upgradeFile(ctx, file)
		total += n
		if err != nil {
			return total, fmt.Errorf("%s: %w", filepath.Base(file), err)
		}
	}
	return total, nil
}

func upgradeFile(ctx context.Context, file string) (int, error) {
	db, err := openFile(file)
	if err != nil {
		return 0, err
	}
	defer db.Close()

	var tables []string
	err = retryBusy(func() error {
		tables = tables[:0]
		rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT table_name FROM %q", metadataTable))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				return err
			}
			tables = append(tables, t)
		}
		return rows.Err()
	})
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0, nil // not (yet) a FerretDB database
		}
		return 0, err
	}

	upgraded := 0
	for _, table := range tables {
		index := table + idIndexSuffix
		var def sql.NullString
		err := retryBusy(func() error {
			return db.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ? AND tbl_name = ?", index, table).Scan(&def)
		})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return upgraded, err
		}
		if def.Valid && strings.Contains(def.String, idExpression) {
			continue
		}
		// Drop and create in one transaction: the unique _id index is never missing.
		err = retryBusy(func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback() //nolint:errcheck // no-op after Commit
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("DROP INDEX IF EXISTS %q", index)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("CREATE UNIQUE INDEX %q ON %q (%s)", index, table, idExpression)); err != nil {
				return err
			}
			return tx.Commit()
		})
		if err != nil {
			return upgraded, fmt.Errorf("index of %s: %w", table, err)
		}
		upgraded++
	}
	return upgraded, nil
}

// runSQL runs statements against one database of dir (by FerretDB database name) and prints
// each result row as a JSON array on its own line. For inspection while FerretDB is stopped
// (or read-only while it runs), e.g. EXPLAIN QUERY PLAN of an `_id` lookup.
func runSQL(ctx context.Context, dir, dbName string, statements []string) error {
	file := filepath.Join(dir, dbName+".sqlite")
	if _, err := os.Stat(file); err != nil {
		return err
	}
	db, err := openFile(file)
	if err != nil {
		return err
	}
	defer db.Close()
	out := json.NewEncoder(os.Stdout)
	for _, q := range statements {
		err := retryBusy(func() error {
			rows, err := db.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			defer rows.Close()
			cols, err := rows.Columns()
			if err != nil {
				return err
			}
			for rows.Next() {
				values := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range values {
					ptrs[i] = &values[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					return err
				}
				for i, v := range values {
					if b, ok := v.([]byte); ok {
						values[i] = string(b)
					}
				}
				if err := out.Encode(values); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
