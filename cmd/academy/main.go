// Command academy runs Aftercare Academy: the web platform (the default), and the tools around
// it — content checks, migrations, user administration, backups and GIFT/Aiken conversion.
// main only wires: everything happens in run, which tests call directly.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // display times in Asia/Shanghai even on hosts without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if err != errSilent {
			fmt.Fprintln(os.Stderr, "academy:", err)
		}
		os.Exit(1)
	}
}
