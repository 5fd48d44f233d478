package web

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/quiz"
	"aftercare/tracking"
)

// These tests send many requests at once through the real router to a real SQLite file and
// check the totals exactly: nothing lost, nothing counted twice.

// send posts a form from any goroutine (the client helpers stop the test, which only the test's
// own goroutine may do) and returns the status and the Location header.
func (c *client) send(path string, form url.Values, token string) (int, string, error) {
	form.Set("_csrf", token)
	res, err := c.http.Post(c.env.srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Location"), nil
}

// addTrainees creates n more trainees in store 001, signs each in and returns their clients
// and accounts.
func addTrainees(t *testing.T, env *testEnv, prefix string, n int) ([]*client, []accounts.User) {
	t.Helper()
	hash, _ := accounts.HashPassword(testPassword, bcrypt.MinCost)
	out := make([]*client, n)
	users := make([]accounts.User, n)
	for i := range out {
		login := fmt.Sprintf("%s%02d", prefix, i)
		u, err := env.store.CreateUser(t.Context(), accounts.NewUser{Login: login, Name: "并发学员" + strconv.Itoa(i), Role: accounts.Trainee, ShopCode: "001"}, hash)
		if err != nil {
			t.Fatal(err)
		}
		env.users[login], users[i] = u, u
		out[i] = env.as(login)
	}
	return out, users
}

// quizModules are the modules that have a quiz.
func quizModules(cat *courses.Catalog) []*courses.Module {
	var out []*courses.Module
	for _, m := range allModules(cat) {
		if len(m.Questions) > 0 {
			out = append(out, m)
		}
	}
	return out
}

func TestFiveHundredConcurrentSubmitsCountOnceEach(t *testing.T) {
	const trainees, perTrainee = 25, 20 // 500 attempts
	env := newTestEnv(t)
	modules := quizModules(realCatalog(t))
	if len(modules) < perTrainee {
		t.Fatalf("only %d modules with a quiz", len(modules))
	}
	clients, users := addTrainees(t, env, "burst", trainees)
	tokens := make([]string, trainees)
	for i, c := range clients {
		tokens[i] = c.csrfFrom("/me/progress")
	}
	// Start every attempt: each trainee starts their 20 in turn, the trainees at once.
	type job struct {
		client  int
		attempt int64
		form    url.Values
		score   float64
		dup     bool
	}
	jobs := make([]job, trainees*perTrainee)
	began := time.Now()
	var wg sync.WaitGroup
	var failures atomic.Int64
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range perTrainee {
				m := modules[(i+k)%len(modules)]
				status, loc, err := clients[i].send(m.URL()+"/quiz", url.Values{}, tokens[i])
				id, perr := strconv.ParseInt(strings.TrimPrefix(loc, "/attempts/"), 10, 64)
				if err != nil || status != http.StatusSeeOther || perr != nil {
					failures.Add(1)
					continue
				}
				jobs[i*perTrainee+k] = job{client: i, attempt: id}
			}
		}()
	}
	wg.Wait()
	t.Logf("started %d attempts in %s", len(jobs), time.Since(began).Round(time.Millisecond))
	if failures.Load() > 0 {
		t.Fatalf("%d attempts did not start", failures.Load())
	}
	seen := map[int64]bool{}
	for n := range jobs {
		j := &jobs[n]
		if seen[j.attempt] {
			t.Fatalf("attempt %d started twice", j.attempt)
		}
		seen[j.attempt] = true
		// Half answer everything right (100%, give or take Moodle's 33.33333% weights), half hand
		// in a blank paper; every fifth is sent twice.
		j.form, j.score, j.dup = url.Values{}, 0, n%5 == 0
		if n%2 == 0 {
			a, err := env.store.Attempt(t.Context(), j.attempt)
			if err != nil {
				t.Fatal(err)
			}
			j.form, j.score = rightAnswers(t, env, a), 100
		}
	}
	// All submits at once, duplicates included.
	var ok, conflicts, other atomic.Int64
	start := make(chan struct{})
	for n := range jobs {
		j := jobs[n]
		copies := 1
		if j.dup {
			copies = 2
		}
		for range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				form := url.Values{}
				for k, v := range j.form {
					form[k] = append([]string(nil), v...)
				}
				<-start
				status, _, err := clients[j.client].send("/attempts/"+strconv.FormatInt(j.attempt, 10)+"/submit", form, tokens[j.client])
				switch {
				case err != nil:
					other.Add(1)
				case status == http.StatusSeeOther:
					ok.Add(1)
				case status == http.StatusConflict:
					conflicts.Add(1)
				default:
					other.Add(1)
				}
			}()
		}
	}
	began = time.Now()
	close(start)
	wg.Wait()
	t.Logf("submitted in %s", time.Since(began).Round(time.Millisecond))
	dups := int64(len(jobs) / 5)
	if ok.Load() != int64(len(jobs)) || conflicts.Load() != dups || other.Load() != 0 {
		t.Fatalf("%d submits accepted, %d refused as repeats, %d failed; want %d, %d, 0", ok.Load(), conflicts.Load(), other.Load(), len(jobs), dups)
	}
	// The database holds each attempt exactly once, finished, with the score of its answers.
	finished := 0
	for _, u := range users {
		list, err := env.store.Attempts(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list {
			if a.State == quiz.Finished {
				finished++
			}
		}
	}
	for _, j := range jobs {
		a, err := env.store.Attempt(t.Context(), j.attempt)
		if err != nil {
			t.Fatal(err)
		}
		if a.State != quiz.Finished || math.Abs(a.Score-j.score) > 1e-4 || a.SubmittedAt.IsZero() {
			t.Errorf("attempt %d (%s): %s %.6f, want finished %.0f", a.ID, a.Quiz, a.State, a.Score, j.score)
		}
		for _, it := range a.Items {
			if it.Mark == nil {
				t.Errorf("attempt %d item %d has no mark", a.ID, it.Position)
			}
		}
	}
	if finished != len(jobs) {
		t.Fatalf("%d finished attempts in the database, want %d", finished, len(jobs))
	}
	t.Logf("%d concurrent submits plus %d duplicates: %d accepted, %d refused as repeats, 0 lost, 0 counted twice", len(jobs), dups, ok.Load(), conflicts.Load())
}

// frozenClock is a store clock that stands still until the test moves it, so that credited
// seconds do not depend on how long the requests take.
type frozenClock struct{ at atomic.Int64 }

func (c *frozenClock) now() time.Time          { return time.Unix(0, c.at.Load()).UTC() }
func (c *frozenClock) advance(d time.Duration) { c.at.Add(int64(d)) }

func TestParallelActivityCreditsSeatTimeExactlyOnce(t *testing.T) {
	env := newTestEnv(t)
	clock := &frozenClock{}
	clock.at.Store(time.Now().UnixNano())
	env.store.Now = clock.now // before any request: the server reads it after
	const people, parallel = 10, 8
	clients, users := addTrainees(t, env, "seat", people)
	var m *courses.Module
	for _, cand := range allModules(realCatalog(t)) {
		if tracking.DefaultSeatRules.ModuleCap(cand.Minutes) >= 10*time.Minute {
			m = cand
			break
		}
	}
	if m == nil {
		t.Fatal("no module with a seat-time cap of 10 minutes")
	}
	tokens := make([]string, people)
	for i, c := range clients {
		tokens[i] = c.csrfFrom("/me/progress")
	}
	burst := func(do func(i int) bool) {
		t.Helper()
		var wg sync.WaitGroup
		var bad atomic.Int64
		for i := range clients {
			for range parallel {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if !do(i) {
						bad.Add(1)
					}
				}()
			}
		}
		wg.Wait()
		if bad.Load() > 0 {
			t.Fatalf("%d requests of the burst failed", bad.Load())
		}
	}
	// Everybody opens the lesson eight times at once: eight visits each, no time yet.
	burst(func(i int) bool {
		res, err := clients[i].http.Get(env.srv.URL + m.URL())
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	heartbeat := func(i int) bool {
		status, _, err := clients[i].send(m.URL()+"/activity", url.Values{}, tokens[i])
		return err == nil && status == http.StatusNoContent
	}
	// Three minutes of reading, then eight heartbeats at once from each: three minutes, once.
	clock.advance(3 * time.Minute)
	burst(heartbeat)
	clock.advance(2 * time.Minute)
	burst(heartbeat)
	for i, u := range users {
		p, err := env.store.ModuleProgress(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := p[m.ID]; got.ActiveSeconds != 300 || got.Visits != parallel {
			t.Errorf("trainee %d: %d s in %d visits, want exactly 300 s in %d", i, got.ActiveSeconds, got.Visits, parallel)
		}
	}
	t.Logf("%d people × %d parallel requests per step: seat time exactly 300 s and %d visits each", people, parallel, parallel)
}

func TestParallelDrillRatingsAreStoredOnce(t *testing.T) {
	env := newTestEnv(t)
	addSupervisor(t, env, "super-a2", "主管丙", "001")
	primary, second := env.as("super-a"), env.as("super-a2")
	rp, _ := realCatalog(t).Roleplay(tileScenario)
	const drills = 12
	ids := make([]int64, drills)
	scores := make([]map[string]int, drills)
	for n := range ids {
		ids[n] = bookDrill(t, env, primary, "trainee-a", tileScenario, true, true)
		scores[n] = levels(n%4, (n+1)%4, 3, n%3, 2, (n+2)%4)
	}
	tokens := map[*client]string{primary: primary.csrfFrom("/drills"), second: second.csrfFrom("/drills")}
	form := func(s map[string]int, action string) url.Values {
		f := url.Values{"action": {action}, "notes": {"并发"}}
		for k, v := range s {
			f.Set("score-"+k, strconv.Itoa(v))
		}
		return f
	}
	// For every drill at once: the primary rater submits twice (a double click) while saving a
	// draft, and the second rater submits twice; each rater's rating must exist once.
	var ok, conflicts, other atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for n, id := range ids {
		path := drillPath(id, "/rate")
		for _, r := range []struct {
			c      *client
			action string
		}{{primary, "submit"}, {primary, "submit"}, {second, "submit"}, {second, "submit"}, {second, "save"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status, _, err := r.c.send(path, form(scores[n], r.action), tokens[r.c])
				switch {
				case err != nil:
					other.Add(1)
				case status == http.StatusSeeOther:
					ok.Add(1)
				case status == http.StatusConflict:
					conflicts.Add(1)
				default:
					other.Add(1)
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	if other.Load() != 0 {
		t.Fatalf("%d rating requests failed", other.Load())
	}
	// Per drill: two submits accepted (one per rater), the repeat of each refused; the draft
	// save is accepted only if it came before the second rater's submit.
	if ok.Load() < 2*drills || ok.Load() > 3*drills || ok.Load()+conflicts.Load() != 5*drills {
		t.Fatalf("%d accepted, %d refused", ok.Load(), conflicts.Load())
	}
	for n, id := range ids {
		d, err := env.store.Drill(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		want, err := rp.Rubric.Score(scores[n])
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Ratings) != 2 || d.SubmittedRatings() != 2 {
			t.Errorf("drill %d: %d ratings, %d submitted; want 2 and 2", id, len(d.Ratings), d.SubmittedRatings())
		}
		if !d.Scored || d.Score != want || d.State != "submitted" {
			t.Errorf("drill %d: %s, score %.2f (scored %v), want submitted %.2f", id, d.State, d.Score, d.Scored, want)
		}
		for _, r := range d.Ratings {
			if !r.Submitted || r.Score != want {
				t.Errorf("drill %d rating by %d: submitted %v score %.2f, want %.2f", id, r.RaterID, r.Submitted, r.Score, want)
			}
		}
	}
	t.Logf("%d drills × 5 parallel rating requests: %d accepted, %d refused as repeats; 2 ratings per drill, scores exact", drills, ok.Load(), conflicts.Load())
}
