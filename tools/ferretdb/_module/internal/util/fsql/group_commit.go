// activegroups addition to FerretDB's SQL wrapper (tools/ferretdb/one-writer.patch routes
// InTransaction here).
//
// Why: with SQLite's synchronous=FULL every commit waits for an fsync of the WAL, and the database
// has one writer, so a register save's four write transactions queued behind one another's
// fsyncs. Group commit: transactions that arrive while another commits wait for it, then the next
// of them to get the write lock runs all of them in one SQLite transaction, each inside its own
// savepoint, and commits them with one fsync. A transaction's caller hears back only after that
// commit, so an answer still means the write is on disk; a transaction that fails is rolled back
// to its savepoint and leaves the others alone.

package fsql

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// maxGroup bounds how many transactions share one commit, so a long queue is committed in steps.
const maxGroup = 256

// groupCommit is the write side of one database: a lock held by whoever writes, and the queue of
// transactions waiting for a commit.
type groupCommit struct {
	writer sync.Mutex // held while running a group or a plain write statement (ExecContext)

	mu    sync.Mutex // guards queue
	queue []*queuedTx

	transactions atomic.Int64 // transactions committed or failed
	commits      atomic.Int64 // SQLite transactions that committed
}

// queuedTx is one caller's transaction; done receives its result exactly once.
type queuedTx struct {
	ctx  context.Context
	f    func(*Tx) error
	done chan error
}

// GroupCommitStats returns how many transactions went through InTransaction and how many SQLite
// commits they took.
func (db *DB) GroupCommitStats() (transactions, commits int64) {
	return db.group.transactions.Load(), db.group.commits.Load()
}

// InTransaction runs f in a transaction, committed together with the transactions of other
// callers that are waiting at the same time.
//
// If f returns an error or panics, or ctx is done before f runs, f's changes are rolled back and
// the error is returned (f's own error unwrapped, as callers depend on it). f's statements are
// not interrupted when ctx ends once f has started (tx.go): interrupting a statement would roll
// back the whole shared transaction.
func (db *DB) InTransaction(ctx context.Context, f func(*Tx) error) error {
	q := &queuedTx{ctx: ctx, f: f, done: make(chan error, 1)}

	db.group.mu.Lock()
	db.group.queue = append(db.group.queue, q)
	db.group.mu.Unlock()

	db.group.writer.Lock()
	defer db.group.writer.Unlock()

	// Whoever held the lock before may have committed q already; otherwise q is still queued and
	// this caller commits the queue's front, q's group included.
	for {
		select {
		case err := <-q.done:
			return err
		default:
		}

		db.group.mu.Lock()
		n := min(len(db.group.queue), maxGroup)
		group := append([]*queuedTx(nil), db.group.queue[:n]...)
		db.group.queue = db.group.queue[n:]
		db.group.mu.Unlock()

		db.commitGroup(group)
	}
}

// commitGroup runs the group's transactions in one SQLite transaction and answers each of them.
// If SQLite abandons the transaction itself (a failed savepoint statement or commit), the
// transactions that had run are answered with that error, and those that had not yet run go back
// to the front of the queue.
func (db *DB) commitGroup(group []*queuedTx) {
	// Not the callers' contexts: the shared transaction must not end with one of them.
	bg := context.Background()

	sqlTx, err := db.sqlDB.BeginTx(bg, nil)
	if err != nil {
		db.answer(group, lazyerrors.Error(err))
		return
	}

	tx := wrapTx(sqlTx, db.l)
	ran := make([]*queuedTx, 0, len(group))

	abandon := func(err error, notRun []*queuedTx) {
		_ = tx.Rollback()
		db.answer(ran, lazyerrors.Error(err))
		db.requeueFront(notRun)
	}

	for i, q := range group {
		if err = q.ctx.Err(); err != nil {
			db.answer([]*queuedTx{q}, err)
			continue
		}

		if _, err = tx.ExecContext(bg, "SAVEPOINT activegroups_group"); err != nil {
			abandon(err, group[i:])
			return
		}

		ferr := runGuarded(q.f, tx)

		if ferr == nil {
			ran = append(ran, q)
			if _, err = tx.ExecContext(bg, "RELEASE activegroups_group"); err != nil {
				abandon(err, group[i+1:])
				return
			}

			continue
		}

		if _, err = tx.ExecContext(bg, "ROLLBACK TO activegroups_group"); err == nil {
			_, err = tx.ExecContext(bg, "RELEASE activegroups_group")
		}

		db.answer([]*queuedTx{q}, ferr)

		if err != nil {
			abandon(err, group[i+1:])
			return
		}
	}

	if err = tx.Commit(); err != nil {
		db.answer(ran, lazyerrors.Error(err))
		return
	}

	if len(ran) > 0 {
		db.group.commits.Add(1)
	}

	db.answer(ran, nil)
}

// runGuarded calls f, turning a panic into an error so that one transaction's panic does not
// leave the others of its group unanswered.
func runGuarded(f func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = lazyerrors.Error(fmt.Errorf("transaction panicked: %v", p))
		}
	}()

	return f(tx)
}

// answer sends err to each transaction of qs.
func (db *DB) answer(qs []*queuedTx, err error) {
	for _, q := range qs {
		db.group.transactions.Add(1)
		q.done <- err
	}
}

// requeueFront puts transactions back at the front of the queue, in their order.
func (db *DB) requeueFront(qs []*queuedTx) {
	if len(qs) == 0 {
		return
	}

	db.group.mu.Lock()
	db.group.queue = append(append([]*queuedTx(nil), qs...), db.group.queue...)
	db.group.mu.Unlock()
}
