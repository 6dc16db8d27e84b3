// Command activegroups-ferretdb runs FerretDB v1.24.2 (SQLite backend) embedded, as the
// stand-in MongoDB-wire database where no mongod binary can be had (see shared/DESIGN.md §2).
//
// It is built from the embeddable package github.com/FerretDB/FerretDB/ferretdb because the
// module's own cmd/ferretdb panics at start when installed with `go install` (its version.txt
// is not part of the module).
//
// Usage: activegroups-ferretdb -listen 127.0.0.1:0 -sqlite /abs/dir/
// Prints one line "READY mongodb://host:port/" on stdout when it accepts connections.
// Built with id-index.patch applied, so `_id` lookups use an index; databases of an earlier build
// are upgraded before FerretDB opens them (idindex.go).
//
// activegroups-ferretdb -sqlite /abs/dir/ -sql DBNAME 'STATEMENT' …  runs SQL against one
// database file and prints each row as a JSON array (inspection and tests; no server started).
// Exits when stdin closes (the parent process died) or on SIGINT/SIGTERM, so it never outlives
// the app that started it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	sqliteDir := flag.String("sqlite", "", "directory for the SQLite databases (created if missing)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	sqlDB := flag.String("sql", "", "run the SQL statements given as arguments against this database and exit")
	synchronous := flag.String("synchronous", "full", "SQLite synchronous setting: full (fsync every commit) or normal (WAL: fsync at checkpoints)")
	cpuProfile := flag.String("cpuprofile", "", "write a Go CPU profile to this file until exit (benchmarks)")
	flag.Parse()

	if *sqliteDir == "" {
		fail("-sqlite is required")
	}
	dir, err := filepath.Abs(*sqliteDir)
	if err != nil {
		fail(err.Error())
	}
	// FerretDB requires the directory to exist and the URL to end with "/".
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fail(err.Error())
	}
	url := "file:" + strings.TrimSuffix(dir, "/") + "/"
	switch *synchronous {
	case "full":
	case "normal":
		// WAL with synchronous=NORMAL: a commit is not fsynced; an application crash loses
		// nothing, a power cut or OS crash may lose the last commits (never corrupts the file).
		url += "?_pragma=synchronous(normal)"
	default:
		fail("bad -synchronous: " + *synchronous)
	}

	if *sqlDB != "" {
		if err := runSQL(context.Background(), dir, *sqlDB, flag.Args()); err != nil {
			fail(err.Error())
		}
		return
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level: " + err.Error())
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// Before FerretDB opens the files, so nothing else is writing to them.
	upgraded, err := upgradeIDIndexes(context.Background(), dir)
	if err != nil {
		fail("upgrading the _id indexes: " + err.Error())
	}
	if upgraded > 0 {
		logger.Warn("rebuilt _id indexes on the lookup expression", slog.Int("indexes", upgraded))
	}

	// Telemetry is disabled by the embeddable package itself; no debug listener is started.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: url,
	})
	if err != nil {
		fail(err.Error())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	go func() {
		// The parent holds our stdin open; EOF means it is gone.
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	if *cpuProfile != "" {
		out, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err.Error())
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			fail(err.Error())
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = out.Close()
		}()
	}

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()

	fmt.Printf("READY %s\n", f.MongoDBURI())
	<-done
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "activegroups-ferretdb:", msg)
	os.Exit(2)
}
