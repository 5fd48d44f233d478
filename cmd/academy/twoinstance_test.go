package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"aftercare/accounts"
	"aftercare/content"
	"aftercare/courses"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/store/storetest"
)

// The two-instance test runs two separate academy processes on one PostgreSQL database, as
// behind a load balancer, and checks that nothing one instance needs lives in the other's
// memory: they start together on an empty database (one migration, one session key, one set
// of demo accounts), a sign-in on one is valid on the other (session and CSRF token), one quiz
// submit sent to both at once counts once, login throttling counts failures from both, and the
// scheduler run by both at once assigns once. It needs ACADEMY_TEST_POSTGRES (CI provides it).

// envInstanceArgs carries the arguments of a helper process: the test binary run again as
// academy (see TestInstanceProcess).
const envInstanceArgs = "ACADEMY_TEST_INSTANCE_ARGS"

// TestInstanceProcess is not a test of its own: TestTwoInstancesShareOnePostgres runs the test
// binary again with ACADEMY_TEST_INSTANCE_ARGS set, and then this function runs academy with
// those arguments — a real separate process, sharing nothing in memory with the others.
func TestInstanceProcess(t *testing.T) {
	raw := os.Getenv(envInstanceArgs)
	if raw == "" {
		t.Skip("helper process of TestTwoInstancesShareOnePostgres")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, "bad", envInstanceArgs, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "academy:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// academyProcess is one running academy process started by startAcademy.
type academyProcess struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan error
}

// syncBuffer is a bytes.Buffer safe to write from the process pipe and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startAcademy runs `academy ARGS…` as a separate process (the test binary, see
// TestInstanceProcess) with no ACADEMY_* settings but those given; the process is stopped
// when the test ends.
func startAcademy(t *testing.T, vars map[string]string, args ...string) *academyProcess {
	t.Helper()
	encoded, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestInstanceProcess$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACADEMY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, envInstanceArgs+"="+string(encoded))
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &academyProcess{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// wait waits for a command's process to end and returns its output.
func (p *academyProcess) wait(t *testing.T) (string, error) {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return p.stdout.String(), err
	case <-time.After(2 * time.Minute):
		t.Fatalf("academy %v did not finish:\n%s\n%s", p.cmd.Env[len(p.cmd.Env)-1], p.stdout, p.stderr)
		return "", nil
	}
}

// addr waits until a server says where it listens.
func (p *academyProcess) addr(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(p.stdout.String(), "\n") {
			if rest, ok := strings.CutPrefix(line, "listening on "); ok {
				return rest
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("server exited (%v) before listening:\n%s\n%s", err, p.stdout, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("server did not listen:\n%s\n%s", p.stdout, p.stderr)
	return ""
}

// stop ends the process with SIGTERM, as a service manager would, and waits for it.
func (p *academyProcess) stop(t *testing.T) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Errorf("academy did not stop on SIGTERM:\n%s", p.stderr)
	}
}

// browser is one person's browser talking to both instances, as through a load balancer: one
// cookie jar (cookies do not depend on the port), requests to either address.
type browser struct {
	t    *testing.T
	http *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, http: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(base, path string) (int, string) {
	b.t.Helper()
	res, err := b.http.Get(base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

var csrfOnPage = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// token is the CSRF token of the forms on a page.
func (b *browser) token(base, path string) string {
	b.t.Helper()
	status, body := b.get(base, path)
	m := csrfOnPage.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s%s (status %d)", base, path, status)
	}
	return m[1]
}

// post sends a form; it may run on several goroutines at once.
func (b *browser) post(base, path string, form url.Values, token string) (*http.Response, error) {
	form.Set("_csrf", token)
	res, err := b.http.Post(base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res, nil
}

func (b *browser) login(base, login, password string) int {
	b.t.Helper()
	res, err := b.post(base, "/login", url.Values{"login": {login}, "password": {password}}, b.token(base, "/login"))
	if err != nil {
		b.t.Fatal(err)
	}
	return res.StatusCode
}

func TestTwoInstancesShareOnePostgres(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("needs a PostgreSQL server: set " + storetest.EnvPostgres + " (bash .ci/run does)")
	}
	dsn := storetest.DSN(t)
	ctx := context.Background()

	// Two instances start at the same moment on an empty database: one of them migrates (the
	// other waits for the advisory lock), both agree on one generated session key, and one
	// creates the demo accounts while the other neither fails nor creates them twice.
	serve := []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn}
	a, b := startAcademy(t, nil, serve...), startAcademy(t, nil, serve...)
	A, B := a.addr(t), b.addr(t)
	if created := strings.Count(a.stdout.String()+b.stdout.String(), "Created demo accounts"); created != 1 {
		t.Errorf("demo accounts announced %d times, want once:\n%s\n%s", created, a.stdout, b.stdout)
	}

	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.SchemaVersion(ctx); err != nil || v != store.LatestVersion() {
		t.Fatalf("schema version %d (%v), want %d", v, err, store.LatestVersion())
	}
	if n, err := st.CountUsers(ctx); err != nil || n != int64(len(demoUsers)) {
		t.Fatalf("%d users (%v) after two instances started, want the %d demo accounts once", n, err, len(demoUsers))
	}
	const password = "two instances, one database"
	hash, _ := accounts.HashPassword(password, bcrypt.MinCost)
	people := map[string]accounts.User{}
	for _, login := range []string{"pg-trainee", "pg-throttled", "pg-cleared"} {
		u, err := st.CreateUser(ctx, accounts.NewUser{Login: login, Name: "学员" + login, Role: accounts.Trainee, ShopCode: "001"}, hash)
		if err != nil {
			t.Fatal(err)
		}
		people[login] = u
	}

	t.Run("a sign-in on one instance is valid on the other", func(t *testing.T) {
		br := newBrowser(t)
		if status := br.login(A, "pg-trainee", password); status != http.StatusSeeOther {
			t.Fatalf("login on A: %d", status)
		}
		status, body := br.get(B, "/me/progress")
		if status != http.StatusOK || !strings.Contains(body, "学员pg-trainee") {
			t.Fatalf("B does not know A's session: %d", status)
		}
		// A form from A's page is accepted by B: the CSRF key is the same on both.
		res, err := br.post(B, "/logout", url.Values{}, br.token(A, "/me/progress"))
		if err != nil || res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout on B with A's token: %v %v", res.StatusCode, err)
		}
		if status, _ := br.get(A, "/me/progress"); status == http.StatusOK {
			t.Fatal("A still accepts the session B ended")
		}
	})

	t.Run("one quiz submit sent to both instances counts once", func(t *testing.T) {
		cat, err := courses.Load(content.FS)
		if err != nil {
			t.Fatal(err)
		}
		module := cat.Courses[0].Modules[0]
		br := newBrowser(t)
		if status := br.login(B, "pg-trainee", password); status != http.StatusSeeOther {
			t.Fatalf("login on B: %d", status)
		}
		token := br.token(A, module.URL())
		const rounds = 5
		for round := range rounds {
			res, err := br.post(A, module.URL()+"/quiz", url.Values{}, token)
			if err != nil || res.StatusCode != http.StatusSeeOther {
				t.Fatalf("round %d: start the quiz: %v %v", round, res, err)
			}
			path := res.Header.Get("Location")
			id, err := strconv.ParseInt(strings.TrimPrefix(path, "/attempts/"), 10, 64)
			if err != nil {
				t.Fatalf("round %d: attempt at %q", round, path)
			}
			statuses := make([]int, 2)
			var wg sync.WaitGroup
			for i, base := range []string{A, B} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if res, err := br.post(base, path+"/submit", url.Values{}, token); err == nil {
						statuses[i] = res.StatusCode
					}
				}()
			}
			wg.Wait()
			ok, conflict := 0, 0
			for _, s := range statuses {
				switch s {
				case http.StatusSeeOther:
					ok++
				case http.StatusConflict:
					conflict++
				}
			}
			if ok != 1 || conflict != 1 {
				t.Fatalf("round %d: submits to A and B answered %v, want one 303 and one 409", round, statuses)
			}
			att, err := st.Attempt(ctx, id)
			if err != nil || att.State != quiz.Finished || att.SubmittedAt.IsZero() {
				t.Fatalf("round %d: attempt %d is %s (%v), want finished", round, id, att.State, err)
			}
		}
		all, err := st.Attempts(ctx, people["pg-trainee"].ID)
		if err != nil || len(all) != rounds {
			t.Fatalf("%d attempts (%v), want %d: each round's start and submit count once", len(all), err, rounds)
		}
		for _, att := range all {
			if att.State != quiz.Finished {
				t.Fatalf("attempt %d is %s", att.ID, att.State)
			}
		}
	})

	t.Run("login throttling counts failures on both instances", func(t *testing.T) {
		br := newBrowser(t)
		for i := range maxFailuresBeforeLock {
			base := []string{A, B}[i%2]
			if status := br.login(base, "pg-throttled", "wrong password"); status != http.StatusUnauthorized {
				t.Fatalf("failure %d on %s: %d, want 401", i+1, base, status)
			}
		}
		for _, base := range []string{A, B} {
			if status := br.login(base, "pg-throttled", password); status != http.StatusTooManyRequests {
				t.Fatalf("right password on %s after %d failures spread over both: %d, want 429", base, maxFailuresBeforeLock, status)
			}
		}
	})

	t.Run("the scheduler run on both instances at once assigns once", func(t *testing.T) {
		clearOnboarding(t, dsn, people["pg-cleared"].ID)
		// A day far from today, so the servers' own hourly runs (today's periods) stay out of it.
		const day = "2031-02-03"
		runs := []*academyProcess{
			startAcademy(t, nil, "schedule", "--db", dsn, "--at", day),
			startAcademy(t, nil, "schedule", "--db", dsn, "--at", day),
		}
		total := 0
		for _, r := range runs {
			out, err := r.wait(t)
			if err != nil {
				t.Fatalf("schedule: %v\n%s\n%s", err, out, r.stderr)
			}
			var n int
			if _, err := fmt.Sscanf(out, "assigned %d", &n); err != nil {
				t.Fatalf("schedule printed %q", out)
			}
			total += n
		}
		mine, err := st.UserAssignments(ctx, people["pg-cleared"].ID)
		if err != nil {
			t.Fatal(err)
		}
		var periods []string
		for _, as := range mine {
			if strings.HasPrefix(as.Period, "2031") {
				periods = append(periods, as.Period)
			}
		}
		if total != 2 || len(periods) != 2 {
			t.Fatalf("two concurrent runs created %d, stored %v; want the refresher and the quarterly assessment once", total, periods)
		}
	})
}

// maxFailuresBeforeLock is the web layer's account lockout threshold (five failures).
const maxFailuresBeforeLock = 5

// clearOnboarding writes a finished onboarding for a person straight into the database — every
// onboarding module read with its quiz passed, every required drill passed and released, every
// offline activity signed off and the final assessment passed — so the real clearance rule
// finds them cleared for duty and the scheduler assigns them recurring training.
func clearOnboarding(t *testing.T, dsn string, userID int64) {
	t.Helper()
	cat, err := courses.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := cat.Programme("onboarding")
	if !ok {
		t.Fatal("no onboarding programme")
	}
	db := storetest.Raw(t, dsn)
	ctx := context.Background()
	long := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	var admin int64
	if err := db.QueryRowContext(ctx, "SELECT id FROM users WHERE login = 'admin'").Scan(&admin); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatalf("seed %s: %v", q, err)
		}
	}
	attempt := func(quizID string) {
		exec(`INSERT INTO attempts (user_id, quiz, number, state, started_at, submitted_at, pass, score, passed)
			VALUES (?, ?, 1, 'finished', ?, ?, 80, 100, TRUE)`, userID, quizID, long, long)
	}
	for _, id := range p.Modules {
		m, _ := cat.Module(id)
		exec(`INSERT INTO module_progress (user_id, module_id, first_opened_at, last_seen_at, active_seconds, visits)
			VALUES (?, ?, ?, ?, ?, 1)`, userID, id, long, long, m.Minutes*60)
		attempt("module:" + id)
	}
	for _, slug := range p.Drills {
		exec(`INSERT INTO drills (trainee_id, scenario, state, pass, rater_id, created_by, created_at, released_at, score, passed)
			VALUES (?, ?, 'released', 70, ?, ?, ?, ?, 90, TRUE)`, userID, slug, admin, admin, long, long)
	}
	for _, o := range p.Offline {
		exec(`INSERT INTO offline_hours (user_id, activity, hours, on_date, logged_by, logged_at, signed_off_by, signed_off_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, userID, o.Key, o.Hours, long, admin, long, admin, long)
	}
	attempt(store.ProgrammeQuiz(p.Slug, ""))
}
