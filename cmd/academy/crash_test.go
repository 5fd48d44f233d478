package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"aftercare/content"
	"aftercare/courses"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/store/storetest"
)

// The crash test runs the real binary, has trainees take quizzes concurrently, kills the
// process with SIGKILL in the middle of the burst, starts it again on the same file and checks
// that every submit the server acknowledged is there exactly once with its score, that nothing
// is half-written and that SQLite's integrity check passes. CRASH_CYCLES sets how many times
// (default 3).

const crashPassword = "crash test password"

// crashTrainees is how many trainees take quizzes at the same time.
const crashTrainees = 6

// submitted is what the test knows about one submit it sent.
type submitted struct {
	attempt int64
	login   string
	quiz    string
	score   float64
	state   quiz.AttemptState
	marks   []quiz.Mark
}

// server is one run of the binary.
type server struct {
	cmd    *exec.Cmd
	addr   string
	stderr *bytes.Buffer
	exited chan error
}

func startBinary(t *testing.T, bin, db string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db, "--demo=false")
	cmd.Env = append(os.Environ(), "ACADEMY_SESSION_KEY=", "ACADEMY_CONTENT=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = &lockedWriter{w: s.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	var out strings.Builder
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if rest, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			s.addr = rest
			break
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		s.exited <- cmd.Wait()
	}()
	if s.addr == "" {
		_ = cmd.Process.Kill()
		<-s.exited
		t.Fatalf("server did not start:\n%s\n%s", out.String(), s.stderr)
	}
	return s
}

// kill ends the server with SIGKILL: no shutdown, no flush, no deferred close.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.exited
}

// stop ends the server as a service manager would, with SIGTERM, and expects a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-s.exited; err != nil {
		t.Fatalf("server did not stop cleanly: %v\n%s", err, s.stderr)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// trainee is a signed-in browser of one trainee; its cookies outlive server restarts, because
// sessions live in the database.
type trainee struct {
	login string
	http  *http.Client
	csrf  string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (tr *trainee) get(base, path string) (int, string, error) {
	res, err := tr.http.Get(base + path)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

func (tr *trainee) post(base, path string, form url.Values) (*http.Response, error) {
	form.Set("_csrf", tr.csrf)
	res, err := tr.http.Post(base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res, err
}

func newTrainee(login string) *trainee {
	jar, _ := cookiejar.New(nil)
	return &trainee{login: login, http: &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (tr *trainee) signIn(t *testing.T, base string) {
	t.Helper()
	_, page, err := tr.get(base, "/login")
	m := csrfField.FindStringSubmatch(page)
	if err != nil || m == nil {
		t.Fatalf("login page: %v", err)
	}
	tr.csrf = m[1]
	res, err := tr.post(base, "/login", url.Values{"login": {tr.login}, "password": {crashPassword}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %v %v", tr.login, res, err)
	}
	_, page, err = tr.get(base, "/me/progress")
	if m = csrfField.FindStringSubmatch(page); err != nil || m == nil {
		t.Fatalf("no form token after login: %v", err)
	}
	tr.csrf = m[1]
}

// answer builds the response to one question: the right one, or nothing at all.
func answer(q quiz.Question, key string, l quiz.Layout, right bool) quiz.Response {
	var r quiz.Response
	if !right {
		return r
	}
	switch q.Type {
	case quiz.MultiChoice:
		best := -1
		for pos, idx := range l.Order {
			if q.Answers[idx].Fraction <= 0 {
				continue
			}
			if !q.Single {
				r.Choices = append(r.Choices, pos)
			} else if best < 0 || q.Answers[idx].Fraction > q.Answers[l.Order[best]].Fraction {
				best = pos
			}
		}
		if best >= 0 {
			r.Choices = []int{best}
		}
	case quiz.TrueFalse:
		for _, o := range quiz.Present(q, key, l).Options {
			if (o.Text == "True") == q.Correct {
				r.Choices = []int{o.ID}
			}
		}
	case quiz.Matching:
		r.Matches = map[int]int{}
		for stemPos, pairIdx := range l.Order {
			for choicePos, choiceIdx := range l.ChoiceOrder {
				if q.Pairs[choiceIdx].Answer == q.Pairs[pairIdx].Answer {
					r.Matches[stemPos] = choicePos
				}
			}
		}
	case quiz.Numerical, quiz.ShortAnswer:
		for _, a := range q.Answers {
			if a.Fraction >= 1 && !strings.Contains(a.Text, "*") {
				if q.Type == quiz.Numerical {
					r.Number = a.Text
				} else {
					r.Text = a.Text
				}
				break
			}
		}
	}
	return r
}

// formOf writes a response as the attempt form's fields for the item at position pos.
func formOf(form url.Values, pos int, r quiz.Response) {
	name := "q" + strconv.Itoa(pos)
	for _, c := range r.Choices {
		form.Add(name, strconv.Itoa(c))
	}
	for stem, choice := range r.Matches {
		form.Set(name+"."+strconv.Itoa(stem), strconv.Itoa(choice))
	}
	if r.Number != "" {
		form.Set(name, r.Number)
	}
	if r.Text != "" {
		form.Set(name, r.Text)
	}
}

// crashRun is the state shared by the workers of one test.
type crashRun struct {
	cat     *courses.Catalog
	modules []*courses.Module
	look    *store.Store // the test's own connection, to read layouts of started attempts

	mu       sync.Mutex
	acked    map[int64]submitted // the server answered 303 to the submit
	inflight map[int64]submitted // the submit was sent, the answer never came
	resent   int                 // duplicate submits answered 409
	problems []string            // answers a live server should never give
	// inflightDone and inflightLost count the submits cut off by a kill that the database
	// holds as done, and those it holds as never made (the attempt is still open).
	inflightDone, inflightLost int
}

func (r *crashRun) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// work takes quizzes as one trainee until a request fails (the server was killed).
func (r *crashRun) work(tr *trainee, base string, seed uint64, acks *atomic.Int64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	ctx := context.Background()
	for n := int(seed); ; n++ {
		m := r.modules[n%len(r.modules)]
		res, err := tr.post(base, m.URL()+"/quiz", url.Values{})
		if err != nil {
			return
		}
		id, perr := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/attempts/"), 10, 64)
		if res.StatusCode != http.StatusSeeOther || perr != nil {
			r.problem("%s starting %s: %d to %q", tr.login, m.ID, res.StatusCode, res.Header.Get("Location"))
			return
		}
		a, err := r.look.Attempt(ctx, id)
		if err != nil {
			r.problem("attempt %d the server started is not readable: %v", id, err)
			return
		}
		form := url.Values{}
		sub := submitted{attempt: id, login: tr.login, quiz: a.Quiz}
		for _, it := range a.Items {
			b, _ := r.cat.Question(it.Key)
			resp := answer(b.Question, it.Key, it.Layout, rng.IntN(3) > 0)
			formOf(form, it.Position, resp)
			sub.marks = append(sub.marks, quiz.Grade(b.Question, it.Layout, resp))
		}
		sub.score, _, sub.state = quiz.Result(sub.marks, m.Pass)
		r.mu.Lock()
		r.inflight[id] = sub
		r.mu.Unlock()
		res, err = tr.post(base, "/attempts/"+strconv.FormatInt(id, 10)+"/submit", form)
		if err != nil {
			return
		}
		if res.StatusCode != http.StatusSeeOther {
			r.problem("%s submitting attempt %d: %d", tr.login, id, res.StatusCode)
			return
		}
		r.mu.Lock()
		delete(r.inflight, id)
		r.acked[id] = sub
		r.mu.Unlock()
		acks.Add(1)
		if rng.IntN(4) == 0 { // a double click or a replayed request
			res, err = tr.post(base, "/attempts/"+strconv.FormatInt(id, 10)+"/submit", form)
			if err != nil {
				return
			}
			if res.StatusCode != http.StatusConflict {
				r.problem("%s re-sending the submit of attempt %d: %d, want 409", tr.login, id, res.StatusCode)
				return
			}
			r.mu.Lock()
			r.resent++
			r.mu.Unlock()
		}
	}
}

// verify opens the database after a crash and checks every attempt in it against what the
// server acknowledged. It returns how many acknowledged submits it verified.
func (r *crashRun) verify(t *testing.T, st *store.Store, logins map[string]int64) int {
	t.Helper()
	ctx := context.Background()
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity check after the crash: %q %v", res, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	found := map[int64]bool{}
	for login, uid := range logins {
		list, err := st.Attempts(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		numbers := map[string]map[int]bool{}
		for _, head := range list {
			a, err := st.Attempt(ctx, head.ID)
			if err != nil {
				t.Fatalf("attempt %d does not load: %v", head.ID, err)
			}
			if numbers[a.Quiz] == nil {
				numbers[a.Quiz] = map[int]bool{}
			}
			if numbers[a.Quiz][a.Number] {
				t.Errorf("%s has two attempts numbered %d at %s", login, a.Number, a.Quiz)
			}
			numbers[a.Quiz][a.Number] = true
			src, ok := r.cat.Module(strings.TrimPrefix(a.Quiz, "module:"))
			if !ok || len(a.Items) != len(src.Questions) {
				t.Errorf("attempt %d: %d items, want %d (half-written start?)", a.ID, len(a.Items), len(src.Questions))
				continue
			}
			if a.State == quiz.Open {
				for _, it := range a.Items {
					if it.Mark != nil {
						t.Errorf("open attempt %d has a marked item %d (half-written submit)", a.ID, it.Position)
					}
				}
				if _, ok := r.acked[a.ID]; ok {
					t.Errorf("acknowledged submit of attempt %d was lost: the attempt is open again", a.ID)
				}
				continue
			}
			sub, ok := r.acked[a.ID]
			if !ok {
				if sub, ok = r.inflight[a.ID]; !ok {
					t.Errorf("attempt %d is %s but the test never submitted it", a.ID, a.State)
					continue
				}
			}
			found[a.ID] = true
			if a.State != sub.state || a.Score != sub.score || a.SubmittedAt.IsZero() {
				t.Errorf("attempt %d: %s %.4f, want %s %.4f", a.ID, a.State, a.Score, sub.state, sub.score)
			}
			for i, it := range a.Items {
				if it.Mark == nil || it.Mark.Fraction != sub.marks[i].Fraction {
					t.Errorf("attempt %d item %d: mark %+v, want fraction %v", a.ID, i, it.Mark, sub.marks[i].Fraction)
				}
			}
		}
	}
	// A submit whose answer never came either happened or did not; now that the database says
	// which, it is settled: the ones that happened count as acknowledged from here on.
	for id, sub := range r.inflight {
		if found[id] {
			r.acked[id] = sub
			r.inflightDone++
		} else {
			r.inflightLost++
		}
		delete(r.inflight, id)
	}
	verified := 0
	for id := range r.acked {
		if !found[id] {
			t.Errorf("acknowledged submit of attempt %d is not in the database", id)
			continue
		}
		verified++
	}
	return verified
}

func TestCrashDuringSubmitsLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	if storetest.Postgres() {
		t.Skip("crash safety of the SQLite file; on PostgreSQL the server's own WAL does this job")
	}
	cycles := 3
	if v := os.Getenv("CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CRASH_CYCLES=%q: want a positive number", v)
		}
		cycles = n
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "academy")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "academy.db")
	ctx := context.Background()
	vars := map[string]string{"ACADEMY_PASSWORD": crashPassword}
	var trainees []*trainee
	for i := range crashTrainees {
		login := fmt.Sprintf("crash%d", i)
		args := []string{"users", "add", "--db", db, "--login", login, "--name", "压测学员" + strconv.Itoa(i), "--role", "trainee", "--store", "001"}
		if err := run(ctx, args, env(vars), io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		trainees = append(trainees, newTrainee(login))
	}
	cat, err := courses.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	r := &crashRun{cat: cat, acked: map[int64]submitted{}, inflight: map[int64]submitted{}}
	for _, co := range cat.Courses {
		for _, m := range co.Modules {
			if len(m.Questions) > 0 {
				r.modules = append(r.modules, m)
			}
		}
	}
	look, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer look.Close()
	r.look = look
	logins := map[string]int64{}
	for _, tr := range trainees {
		u, _, err := look.UserByLogin(ctx, tr.login)
		if err != nil {
			t.Fatal(err)
		}
		logins[tr.login] = u.ID
	}

	killed := 0
	for cycle := 1; cycle <= cycles; cycle++ {
		srv := startBinary(t, bin, db)
		if cycle == 1 {
			for _, tr := range trainees {
				tr.signIn(t, srv.addr)
			}
		} else {
			t.Logf("restart %d: %d acknowledged submits verified", cycle-1, r.verify(t, look, logins))
		}
		// The burst: every trainee starts and submits quizzes; after a number of acknowledged
		// submits the server is killed while the others are still on the wire.
		var acks atomic.Int64
		burstStart := time.Now()
		killAt := int64(20 + 10*cycle)
		var wg sync.WaitGroup
		for i, tr := range trainees {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.work(tr, srv.addr, uint64(cycle*100+i), &acks)
			}()
		}
		workersDone := make(chan struct{})
		go func() { wg.Wait(); close(workersDone) }()
	burst:
		for acks.Load() < killAt {
			select {
			case err := <-srv.exited:
				t.Fatalf("server exited by itself: %v\n%s", err, srv.stderr)
			case <-workersDone:
				break burst
			case <-time.After(5 * time.Millisecond):
			}
		}
		srv.kill(t)
		killed++
		t.Logf("cycle %d: killed after %d acknowledged submits (%s)", cycle, acks.Load(), time.Since(burstStart).Round(time.Millisecond))
		<-workersDone
		if len(r.problems) > 0 || acks.Load() < killAt {
			t.Fatalf("cycle %d: %d submits acknowledged before the workers stopped; problems:\n%s\nserver log:\n%s",
				cycle, acks.Load(), strings.Join(r.problems, "\n"), srv.stderr)
		}
	}
	// After the last crash: start once more, check everything, replay acknowledged submits
	// (each must be refused as already done) and stop cleanly.
	srv := startBinary(t, bin, db)
	verified := r.verify(t, look, logins)
	replayed := 0
	for id, sub := range r.acked {
		if replayed == 10 {
			break
		}
		for _, tr := range trainees {
			if tr.login != sub.login {
				continue
			}
			res, err := tr.post(srv.addr, "/attempts/"+strconv.FormatInt(id, 10)+"/submit", url.Values{})
			if err != nil || res.StatusCode != http.StatusConflict {
				t.Errorf("replayed submit of attempt %d after restart: %v %v, want 409", id, res.StatusCode, err)
			}
			replayed++
		}
	}
	srv.stop(t)
	if again := r.verify(t, look, logins); again != verified {
		t.Errorf("after the clean stop %d submits verified, before it %d", again, verified)
	}
	if verified == 0 {
		t.Fatal("no submit was verified")
	}
	t.Logf("%d crash cycles (SIGKILL mid-burst), %d submits verified exactly once with their scores (of them %d cut off by the kill but committed; %d cut off before commit left their attempt open and whole), %d duplicate submits refused, %d replays after restart refused; integrity_check ok",
		killed, verified, r.inflightDone, r.inflightLost, r.resent, replayed)
}
