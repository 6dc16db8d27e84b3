// activegroups addition: tests of group_commit.go, run by tests/api/ferretdb-patches.test.ts.

package fsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// openTestDB opens a file database the way FerretDB does (WAL, synchronous=FULL) with table t.
func openTestDB(tb testing.TB) (*DB, string) {
	tb.Helper()

	uri := "file:" + filepath.Join(tb.TempDir(), "test.sqlite") +
		"?_pragma=journal_mode(wal)&_pragma=busy_timeout(10000)&_pragma=synchronous(full)"

	sqlDB, err := sql.Open("sqlite", uri)
	if err != nil {
		tb.Fatal(err)
	}

	sqlDB.SetMaxOpenConns(100)
	db := WrapDB(sqlDB, "test", slog.New(slog.DiscardHandler))
	tb.Cleanup(func() { _ = db.Close() })

	if _, err = db.ExecContext(context.Background(), "CREATE TABLE t (k TEXT PRIMARY KEY)"); err != nil {
		tb.Fatal(err)
	}

	return db, uri
}

// insert returns a transaction that inserts the given keys.
func insert(keys ...string) func(*Tx) error {
	return func(tx *Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(context.Background(), "INSERT INTO t (k) VALUES (?)", k); err != nil {
				return err
			}
		}

		return nil
	}
}

// storedKeys reads table t through a connection of its own, so it sees only what was committed.
func storedKeys(t *testing.T, uri string) map[string]bool {
	t.Helper()

	other, err := sql.Open("sqlite", uri)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	rows, err := other.Query("SELECT k FROM t")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()

	keys := map[string]bool{}

	for rows.Next() {
		var k string
		if err = rows.Scan(&k); err != nil {
			t.Fatal(err)
		}

		keys[k] = true
	}

	return keys
}

// queueWhileHeld starts each transaction in its own goroutine while the writer lock is held, one
// after another in order, so that they are queued in that order; then it lets them run and
// returns their results.
func queueWhileHeld(t *testing.T, db *DB, contexts []context.Context, fs []func(*Tx) error) []error {
	t.Helper()

	db.group.writer.Lock()

	errs := make([]error, len(fs))

	var wg sync.WaitGroup

	for i, f := range fs {
		wg.Add(1)

		go func() {
			defer wg.Done()
			errs[i] = db.InTransaction(contexts[i], f)
		}()

		for deadline := time.Now().Add(5 * time.Second); ; {
			db.group.mu.Lock()
			n := len(db.group.queue)
			db.group.mu.Unlock()

			if n == i+1 {
				break
			}

			if time.Now().After(deadline) {
				t.Fatalf("transaction %d was not queued", i)
			}

			time.Sleep(time.Millisecond)
		}
	}

	db.group.writer.Unlock()
	wg.Wait()

	return errs
}

func backgrounds(n int) []context.Context {
	cs := make([]context.Context, n)
	for i := range cs {
		cs[i] = context.Background()
	}

	return cs
}

func TestGroupCommitConcurrentTransactionsAllCommitInFewerCommits(t *testing.T) {
	db, uri := openTestDB(t)

	const n = 400

	var wg sync.WaitGroup

	errs := make([]error, n)

	for i := range n {
		wg.Add(1)

		go func() {
			defer wg.Done()
			errs[i] = db.InTransaction(context.Background(), insert(fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)))
		}()
	}

	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}

	keys := storedKeys(t, uri)
	if len(keys) != 2*n {
		t.Fatalf("stored %d keys, want %d", len(keys), 2*n)
	}

	transactions, commits := db.GroupCommitStats()
	t.Logf("%d transactions, %d commits", transactions, commits)

	if transactions != n || commits < 1 || commits >= n {
		t.Fatalf("%d transactions in %d commits: want %d transactions in fewer commits", transactions, commits, n)
	}
}

func TestGroupCommitAnsweredOnlyAfterCommit(t *testing.T) {
	db, uri := openTestDB(t)

	errs := queueWhileHeld(t, db, backgrounds(3), []func(*Tx) error{insert("x"), insert("y"), insert("z")})

	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}

	// Answered means committed: another connection sees all three.
	if keys := storedKeys(t, uri); !keys["x"] || !keys["y"] || !keys["z"] {
		t.Fatalf("stored %v", keys)
	}

	if _, commits := db.GroupCommitStats(); commits != 1 {
		t.Fatalf("three queued transactions took %d commits, want 1", commits)
	}
}

func TestGroupCommitFailedTransactionLeavesTheOthers(t *testing.T) {
	db, uri := openTestDB(t)

	errOwn := errors.New("own error")
	failing := func(tx *Tx) error {
		if err := insert("bad1", "bad2")(tx); err != nil {
			return err
		}

		return errOwn
	}
	duplicate := insert("dup", "dup") // the second insert fails on the primary key

	errs := queueWhileHeld(t, db, backgrounds(4), []func(*Tx) error{insert("ok1"), failing, duplicate, insert("ok2")})

	if errs[0] != nil || errs[3] != nil {
		t.Fatalf("the good transactions failed: %v, %v", errs[0], errs[3])
	}

	if errs[1] != errOwn {
		t.Fatalf("the failing transaction's own error was not returned as is: %v", errs[1])
	}

	if errs[2] == nil {
		t.Fatal("the duplicate insert succeeded")
	}

	keys := storedKeys(t, uri)
	if !keys["ok1"] || !keys["ok2"] || keys["bad1"] || keys["bad2"] || keys["dup"] || len(keys) != 2 {
		t.Fatalf("stored %v, want ok1 and ok2 only", keys)
	}
}

func TestGroupCommitPanicBecomesThatTransactionsError(t *testing.T) {
	db, uri := openTestDB(t)

	panicking := func(tx *Tx) error {
		_ = insert("half")(tx)
		panic("boom")
	}

	errs := queueWhileHeld(t, db, backgrounds(3), []func(*Tx) error{insert("p1"), panicking, insert("p2")})

	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("results %v", errs)
	}

	keys := storedKeys(t, uri)
	if !keys["p1"] || !keys["p2"] || keys["half"] {
		t.Fatalf("stored %v", keys)
	}
}

func TestGroupCommitContextDoneBeforeItsTurnRunsNothing(t *testing.T) {
	db, uri := openTestDB(t)

	cancelled, cancel := context.WithCancel(context.Background())
	contexts := backgrounds(3)
	contexts[1] = cancelled

	ran := false
	watching := func(tx *Tx) error {
		ran = true
		return insert("late")(tx)
	}

	cancel()

	errs := queueWhileHeld(t, db, contexts, []func(*Tx) error{insert("c1"), watching, insert("c2")})

	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], context.Canceled) || ran {
		t.Fatalf("results %v, ran %v", errs, ran)
	}

	if keys := storedKeys(t, uri); !keys["c1"] || !keys["c2"] || keys["late"] {
		t.Fatalf("stored %v", keys)
	}
}

func TestGroupCommitContextEndingMidTransactionDoesNotInterruptTheGroup(t *testing.T) {
	db, uri := openTestDB(t)

	ctx, cancel := context.WithCancel(context.Background())

	// Cancels its own context between two statements that use it, as a client that disconnects
	// mid-write would: the statements still run and the group commits.
	cancelling := func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO t (k) VALUES ('m1')"); err != nil {
			return err
		}

		cancel()

		_, err := tx.ExecContext(ctx, "INSERT INTO t (k) VALUES ('m2')")

		return err
	}

	errs := queueWhileHeld(t, db, backgrounds(3), []func(*Tx) error{insert("n1"), cancelling, insert("n2")})

	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}

	if keys := storedKeys(t, uri); len(keys) != 4 {
		t.Fatalf("stored %v, want n1, m1, m2, n2", keys)
	}
}

func TestGroupCommitAbandonedByTheDatabaseFailsWhatRanAndRetriesTheRest(t *testing.T) {
	db, uri := openTestDB(t)

	// Ends the shared transaction behind the group's back, as SQLite does after an I/O error:
	// the group's next savepoint statement fails.
	rollingBack := func(tx *Tx) error {
		_, err := tx.ExecContext(context.Background(), "ROLLBACK")
		return err
	}

	errs := queueWhileHeld(t, db, backgrounds(3), []func(*Tx) error{insert("r1"), rollingBack, insert("r2")})

	if errs[0] == nil || errs[1] == nil {
		t.Fatalf("the transactions of the abandoned group succeeded: %v", errs)
	}

	if errs[2] != nil {
		t.Fatalf("the transaction that had not run was not retried: %v", errs[2])
	}

	if keys := storedKeys(t, uri); keys["r1"] || !keys["r2"] || len(keys) != 1 {
		t.Fatalf("stored %v, want r2 only", keys)
	}
}

func TestGroupCommitPlainStatementsWaitForTheGroup(t *testing.T) {
	db, uri := openTestDB(t)

	var wg sync.WaitGroup

	const n = 100

	errs := make([]error, 2*n)

	for i := range n {
		wg.Add(2)

		go func() {
			defer wg.Done()
			errs[i] = db.InTransaction(context.Background(), insert(fmt.Sprintf("g%d", i)))
		}()

		go func() {
			defer wg.Done()
			_, errs[n+i] = db.ExecContext(context.Background(), "INSERT INTO t (k) VALUES (?)", fmt.Sprintf("s%d", i))
		}()
	}

	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}

	if keys := storedKeys(t, uri); len(keys) != 2*n {
		t.Fatalf("stored %d keys, want %d", len(keys), 2*n)
	}
}

// BenchmarkGroupCommit: concurrent one-row transactions, as register saves' writes arrive.
func BenchmarkGroupCommit(b *testing.B) {
	db, _ := openTestDB(b)

	var next atomic.Int64

	b.SetParallelism(8)
	b.ResetTimer()

	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := db.InTransaction(context.Background(), insert(fmt.Sprint(next.Add(1)))); err != nil {
				b.Error(err)
			}
		}
	})

	transactions, commits := db.GroupCommitStats()
	b.ReportMetric(float64(transactions)/float64(max(commits, 1)), "tx/commit")
}
