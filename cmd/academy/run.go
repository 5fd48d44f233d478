package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// errSilent makes the command exit non-zero after it has already printed what went wrong.
var errSilent = errors.New("exit status 1")

// #nosec G101 -- the usage text shows the shape of a PostgreSQL DSN; it holds no credential
const usage = `usage: academy [command] [flags]

commands:
  serve                     start the platform (the default)
  check [--json]            validate the content and print every problem
  migrate                   apply pending database migrations
  users add|import|list|set-password   manage users (import FILE.csv: UTF-8 or GBK staff list)
  backup FILE               write a consistent copy of the live database
  schedule [--at YYYY-MM-DD]  assign this period's refreshers and assessments now (the server does it hourly)
  seed [--staff N --stores N --attempts N]   fill a NEW database with load-test data
  gift parse FILE           parse a GIFT file and print it as JSON
  gift export COURSE        write a course's question bank as GIFT
  aiken parse FILE          parse an Aiken file and print it as JSON
  export xapi [--since DATE] [--out FILE] [--jsonl] [--base-url URL]
                            quiz attempts, module completions and drills as xAPI 1.0.3 statements

common flags (or ACADEMY_* environment variables):
  --addr ADDR               listen address (ACADEMY_ADDR, default localhost:8080)
  --db PATH|DSN             SQLite database file, or postgres://user:pass@host/db for PostgreSQL
                            (ACADEMY_DB, default academy.db)
  --content DIR             content folder instead of the bundled one (ACADEMY_CONTENT)
`

// run is the whole program: it parses the command line, wires the parts and runs a command.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "check":
		return check(args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "users":
		return users(ctx, args, getenv, stdout, stderr)
	case "backup":
		return backup(ctx, args, getenv, stdout, stderr)
	case "schedule":
		return schedule(ctx, args, getenv, stdout, stderr)
	case "seed":
		return seed(ctx, args, getenv, stdout, stderr)
	case "gift", "aiken":
		return questionsCommand(cmd, args, getenv, stdout, stderr)
	case "export":
		return export(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// config is the settings shared by the commands, from flags with ACADEMY_* fallbacks.
type config struct {
	addr          string
	db            string
	content       string
	sessionKey    string
	secureCookies bool
	proxies       string
	demo          bool
	migrate       bool
}

func newFlags(name string, getenv func(string) string, stderr io.Writer) (*flag.FlagSet, *config) {
	c := &config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.addr, "addr", env("ACADEMY_ADDR", "localhost:8080"), "listen address")
	fs.StringVar(&c.db, "db", env("ACADEMY_DB", "academy.db"), "SQLite database file, or a postgres:// DSN for PostgreSQL")
	fs.StringVar(&c.content, "content", env("ACADEMY_CONTENT", ""), "content folder (default: the bundled content)")
	fs.StringVar(&c.sessionKey, "session-key", env("ACADEMY_SESSION_KEY", ""), "secret for signing CSRF tokens, shared by all instances (default: generated and kept in the database)")
	fs.BoolVar(&c.secureCookies, "secure-cookies", env("ACADEMY_SECURE_COOKIES", "") == "true", "mark cookies Secure (serve over TLS)")
	fs.StringVar(&c.proxies, "trusted-proxies", env("ACADEMY_TRUSTED_PROXIES", ""), "comma-separated addresses/CIDR ranges of load balancers whose X-Forwarded-For names the client (default: none, the connection's address is used)")
	fs.BoolVar(&c.demo, "demo", env("ACADEMY_DEMO", "true") != "false", "create demo accounts when the database has no users")
	fs.BoolVar(&c.migrate, "migrate", env("ACADEMY_MIGRATE", "") == "true", "apply pending migrations at start")
	return fs, c
}

// contentFS is the content to load: the folder given, or the bundled library.
func (c *config) contentFS(bundled fs.FS) (fs.FS, string) {
	if c.content == "" {
		return bundled, "bundled content"
	}
	return os.DirFS(c.content), c.content
}
