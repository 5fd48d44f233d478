package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func TestScheduleCommandRunsOnePass(t *testing.T) {
	db := filepath.Join(t.TempDir(), "academy.db")
	var out bytes.Buffer
	// A new database has nobody cleared for duty yet: nothing to assign, as of midnight in Shanghai.
	if err := run(context.Background(), []string{"schedule", "--db", db, "--at", "2026-11-01"}, env(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "assigned 0 as of 2026-10-31T16:00:00Z") {
		t.Fatalf("output %q", got)
	}
	if err := run(context.Background(), []string{"schedule", "--db", db, "--at", "1 Nov"}, env(nil), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Fatalf("bad --at: %v", err)
	}
}
