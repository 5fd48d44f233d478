package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"aftercare/content"
)

func init() { passwordCost = bcrypt.MinCost } // bcrypt at full cost would dominate the tests

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestRunServesHealthzOnARandomPort(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := filepath.Join(t.TempDir(), "academy.db")
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--db", db}, env(nil), pw, io.Discard)
		pw.Close()
	}()
	var out bytes.Buffer
	lines := bufio.NewScanner(pr)
	addr := ""
	for addr == "" && lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if rest, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			addr = rest
		}
	}
	go io.Copy(io.Discard, pr)
	if addr == "" {
		t.Fatalf("server did not say where it listens; output:\n%s\nerr: %v", out.String(), <-done)
	}
	for _, login := range []string{"admin", "supervisor", "trainee", "trainee2"} {
		if !strings.Contains(out.String(), "  "+login+" ") {
			t.Errorf("demo login %q not printed:\n%s", login, out.String())
		}
	}
	res, err := http.Get(addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Fatalf("healthz: %d %q", res.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop after cancel")
	}
}

// brokenContent copies the bundled content to a folder and breaks one module.
func brokenContent(t *testing.T) (dir, module string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.CopyFS(dir, content.FS); err != nil {
		t.Fatal(err)
	}
	matches, _ := fs.Glob(content.FS, "courses/*/01-*.md")
	if len(matches) == 0 {
		t.Fatal("no module in the bundled content")
	}
	module = matches[0]
	broken := "---\ntitle: 坏掉的一课\nhours: many\nsecret: 1\n---\n正文\n"
	if err := os.WriteFile(filepath.Join(dir, module), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, module
}

func TestBrokenModuleIsReportedByCheckAndServe(t *testing.T) {
	dir, module := brokenContent(t)
	wantLines := []string{module + ":3: hours: want a number", module + `:4: unknown key "secret"`}

	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "--content", dir}, env(nil), &out, io.Discard)
	if err == nil {
		t.Fatal("check passed broken content")
	}
	for _, w := range wantLines {
		if !strings.Contains(out.String(), w) {
			t.Errorf("check output lacks %q:\n%s", w, out.String())
		}
	}

	out.Reset()
	err = run(context.Background(), []string{"check", "--json"}, env(map[string]string{"ACADEMY_CONTENT": dir}), &out, io.Discard)
	var report struct {
		Modules int `json:"modules"`
		Errors  []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if jerr := json.Unmarshal(out.Bytes(), &report); jerr != nil || err == nil {
		t.Fatalf("check --json: %v / %v\n%s", jerr, err, out.String())
	}
	if len(report.Errors) < 2 || report.Errors[0].File == "" || report.Modules == 0 {
		t.Fatalf("check --json report: %+v", report)
	}

	var stderr bytes.Buffer
	err = run(context.Background(), []string{"serve", "--content", dir, "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "a.db")}, env(nil), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "problem") {
		t.Fatalf("serve started on broken content: %v", err)
	}
	for _, w := range wantLines {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("serve output lacks %q:\n%s", w, stderr.String())
		}
	}
}

func TestUsersMigrateAndBackupCommands(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "academy.db")
	vars := map[string]string{"ACADEMY_DB": db, "ACADEMY_PASSWORD": "a long enough password"}
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, env(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"users", "add", "--login", "xiaoli", "--name", "小李", "--store", "003", "--store-name", "新店", "--hired", "2026-11-01"}, env(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	err := run(ctx, []string{"users", "add", "--login", "x", "--name", "", "--role", "boss"}, env(vars), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("bad user accepted: %v", err)
	}
	if err := run(ctx, []string{"users", "set-password", "--user", "xiaoli"}, env(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"users", "list"}, env(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "xiaoli") || !strings.Contains(out.String(), "新店") {
		t.Fatalf("users list:\n%s", out.String())
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := run(ctx, []string{"backup", copyPath}, env(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"users", "list", "--db", copyPath}, env(nil), &out, io.Discard); err != nil || !strings.Contains(out.String(), "xiaoli") {
		t.Fatalf("the backup does not hold the user: %v\n%s", err, out.String())
	}
}

func TestGiftParseAndExport(t *testing.T) {
	ctx := context.Background()
	fixtures := filepath.Join("..", "..", "..", "shared", "conformance", "gift")
	var out bytes.Buffer
	if err := run(ctx, []string{"gift", "parse", filepath.Join(fixtures, "examples.gift.txt")}, env(nil), &out, io.Discard); err != nil {
		t.Fatalf("examples.gift.txt: %v", err)
	}
	var parsed struct {
		Questions []map[string]any `json:"questions"`
		Errors    []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(out.Bytes(), &parsed); err != nil || len(parsed.Questions) != 43 || len(parsed.Errors) != 0 {
		t.Fatalf("examples: %v, %d questions, %d errors", err, len(parsed.Questions), len(parsed.Errors))
	}
	first := parsed.Questions[0]
	for _, key := range []string{"type", "name", "text", "format", "general_feedback", "id", "tags", "single", "answers"} {
		if _, ok := first[key]; !ok {
			t.Errorf("question JSON lacks %q: %v", key, first)
		}
	}
	out.Reset()
	err := run(ctx, []string{"gift", "parse", filepath.Join(fixtures, "questions_encoding_windows-1252.gift.txt")}, env(nil), &out, io.Discard)
	if err == nil || json.Unmarshal(out.Bytes(), &parsed) != nil || len(parsed.Errors) == 0 {
		t.Fatalf("the cp1252 file was not refused: %v\n%s", err, out.String())
	}

	// Export a bundled course and parse it back: the same questions, none lost.
	out.Reset()
	if err := run(ctx, []string{"gift", "export", "tiles"}, env(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "tiles.gift")
	os.WriteFile(file, out.Bytes(), 0o644)
	var back bytes.Buffer
	if err := run(ctx, []string{"gift", "parse", file}, env(nil), &back, io.Discard); err != nil {
		t.Fatalf("exported GIFT does not parse: %v\n%s", err, back.String())
	}
	if err := json.Unmarshal(back.Bytes(), &parsed); err != nil {
		t.Fatal(err)
	}
	questions := 0
	for _, q := range parsed.Questions {
		if q["type"] != "category" {
			questions++
		}
	}
	cat, _ := loadCatalog(&config{}, io.Discard)
	co, _ := cat.Course("tiles")
	want := 0
	for _, m := range co.Modules {
		want += len(m.Questions)
	}
	if questions != want {
		t.Fatalf("export holds %d questions, the course %d", questions, want)
	}
}

func TestUsersImport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	vars := map[string]string{"ACADEMY_DB": filepath.Join(dir, "a.db"), "ACADEMY_PASSWORD": "a long enough password"}
	var out, errOut bytes.Buffer
	run(ctx, []string{"users", "add", "--login", "boss", "--name", "店长", "--role", "supervisor", "--store", "001"}, env(vars), &out, io.Discard)
	good := "登录名,姓名,角色,门店编号,入职日期\nxiaoli,小李,学员,001,2026-11-20\nxiaowang,小王,学员,001,2026/11/21\n"
	bad := good + "boss,重名,学员,001,2026-11-21\nxiaozhao,小赵,学员,999,2026-11-21\n"
	badFile, goodFile := filepath.Join(dir, "bad.csv"), filepath.Join(dir, "good.csv")
	os.WriteFile(badFile, []byte(bad), 0o644)
	os.WriteFile(goodFile, []byte(good), 0o644)
	if err := run(ctx, []string{"users", "import", badFile}, env(vars), &out, &errOut); err == nil {
		t.Fatal("a list with bad lines was imported")
	}
	for _, want := range []string{"第 4 行", "boss 已被使用", "第 5 行", "999 不存在"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, errOut.String())
		}
	}
	out.Reset()
	run(ctx, []string{"users", "list"}, env(vars), &out, io.Discard)
	if strings.Contains(out.String(), "xiaoli") {
		t.Fatal("a refused import wrote users")
	}
	out.Reset()
	if err := run(ctx, []string{"users", "import", goodFile}, env(vars), &out, io.Discard); err != nil || !strings.Contains(out.String(), "imported 2 users") {
		t.Fatalf("good import: %v\n%s", err, out.String())
	}
}
