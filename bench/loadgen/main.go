// Command loadgen drives the load scenarios of bench/load.sh that wrk cannot: a burst of
// quiz starts released together, the submits of those attempts (each request its own attempt
// and CSRF token), a store page probed at a fixed rate while that runs, and fixed-rate GETs
// for latency percentiles. It only talks to a server on this machine (loopback), is bounded
// in requests and time, and prints one table row per scenario.
//
//	loadgen prepare --url URL --sessions FILE                 print the cookie and an open attempt's path
//	loadgen rate    --url URL --cookie C --path P --rate N    fixed-rate GETs for --duration
//	loadgen burst   --url URL --sessions FILE --n 10000       starts released together, then their submits
//	loadgen content --from content --to DIR --modules 1000    the bundled library plus generated modules
//	loadgen ready   --url URL --since UNIX_NS                 wait for /healthz; print ms since --since
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen prepare|rate|burst|content|ceiling|ready [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "prepare":
		err = prepare(os.Args[2:])
	case "rate":
		err = rate(os.Args[2:])
	case "burst":
		err = burst(os.Args[2:])
	case "content":
		err = generateContent(os.Args[2:])
	case "ceiling":
		err = ceiling(os.Args[2:])
	case "ready":
		err = ready(os.Args[2:])
	default:
		err = fmt.Errorf("unknown scenario %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// common holds the flags every scenario shares.
type common struct {
	base       string
	sessions   string
	sessionKey string
	pid        int
}

func (c *common) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.base, "url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	fs.StringVar(&c.sessions, "sessions", "", "session file written by `academy seed`")
	fs.StringVar(&c.sessionKey, "session-key", os.Getenv("ACADEMY_SESSION_KEY"), "the server's session key, to compute CSRF tokens instead of fetching them")
	fs.IntVar(&c.pid, "pid", 0, "server process id, for CPU time and RSS")
}

// checkLoopback refuses any target but this machine.
func (c *common) checkLoopback() error {
	u, err := url.Parse(c.base)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url %s: only loopback addresses are allowed", c.base)
}

// session is one line of the seed's session file.
type session struct {
	token, login, role, shop string
	id                       int64
}

func readSessions(path string) ([]session, error) {
	b, err := os.ReadFile(path) // #nosec G304 -- the session file the operator passes to the load generator
	if err != nil {
		return nil, err
	}
	var out []session
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 5 {
			continue
		}
		id, _ := strconv.ParseInt(f[1], 10, 64)
		out = append(out, session{token: f[0], id: id, login: f[2], role: f[3], shop: f[4]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no sessions", path)
	}
	return out, nil
}

func byRole(ss []session, role string) []session {
	var out []session
	for _, s := range ss {
		if s.role == role {
			out = append(out, s)
		}
	}
	return out
}

const sessionCookie = "aa_session"

// client is an HTTP client for many parallel connections that never follows redirects.
func newClient(conns int) *http.Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// call makes one request as the session and returns status, body and latency.
func (c *common) call(cl *http.Client, s session, method, path string, form url.Values) (int, string, http.Header, time.Duration, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, "", nil, 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token}) // #nosec G124 -- a cookie the client sends; Secure/HttpOnly/SameSite are attributes of cookies a server sets
	t0 := time.Now()
	res, err := cl.Do(req)
	if err != nil {
		return 0, "", nil, time.Since(t0), err
	}
	b, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	return res.StatusCode, string(b), res.Header, time.Since(t0), nil
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf is the session's form token: computed from the session key when given (as the server
// does), else read from a page.
func (c *common) csrf(cl *http.Client, s session) (string, error) {
	if c.sessionKey != "" {
		m := hmac.New(sha256.New, []byte(c.sessionKey))
		m.Write([]byte("s:" + s.token))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
	}
	_, body, _, _, err := c.call(cl, s, http.MethodGet, "/me/progress", nil)
	if err != nil {
		return "", err
	}
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		return "", errors.New("no CSRF token on /me/progress (is the session valid?)")
	}
	return m[1], nil
}

var (
	choiceInput = regexp.MustCompile(`type="(?:radio|checkbox)" name="(q\d+)" value="(\d+)"`)
	matchSelect = regexp.MustCompile(`<select name="(q\d+\.\d+)"><option value="">[^<]*</option><option value="(\d+)"`)
	textInput   = regexp.MustCompile(`<input name="(q\d+)"`)
)

// answers fills in a quiz page's form: the first option of each question, the first choice of
// each matching stem, "1" in typed fields — whatever the marks, a valid submission.
func answers(page string) url.Values {
	v := url.Values{}
	for _, m := range choiceInput.FindAllStringSubmatch(page, -1) {
		if !v.Has(m[1]) {
			v.Set(m[1], m[2])
		}
	}
	for _, m := range matchSelect.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], m[2])
	}
	for _, m := range textInput.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], "1")
	}
	return v
}

// prepare opens (or resumes) a module quiz attempt for the first trainee of the session file
// and prints shell assignments for load.sh: the cookie, the attempt's path, the supervisor's
// cookie and a module page path.
func prepare(args []string) error {
	var c common
	fs := flag.NewFlagSet("prepare", flag.ContinueOnError)
	c.flags(fs)
	module := fs.String("module", "/courses/service-basics/why-after-sales", "module page whose quiz to open")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.checkLoopback(); err != nil {
		return err
	}
	ss, err := readSessions(c.sessions)
	if err != nil {
		return err
	}
	trainee, super := byRole(ss, "trainee")[0], byRole(ss, "supervisor")[0]
	cl := newClient(2)
	tok, err := c.csrf(cl, trainee)
	if err != nil {
		return err
	}
	status, _, h, _, err := c.call(cl, trainee, http.MethodPost, *module+"/quiz", url.Values{"_csrf": {tok}})
	if err != nil {
		return err
	}
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/attempts/") {
		return fmt.Errorf("starting the quiz of %s: status %d", *module, status)
	}
	fmt.Printf("TRAINEE_COOKIE='%s=%s'\n", sessionCookie, trainee.token)
	fmt.Printf("SUPERVISOR_COOKIE='%s=%s'\n", sessionCookie, super.token)
	fmt.Printf("ATTEMPT_PATH='%s'\n", h.Get("Location"))
	fmt.Printf("MODULE_PATH='%s'\n", *module)
	return nil
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu     sync.Mutex
	d      []time.Duration
	errors atomic.Int64
	codes  sync.Map // status → *atomic.Int64
}

func (l *latencies) add(d time.Duration, status int, err error) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
	if err != nil || status < 200 || status >= 400 {
		l.errors.Add(1)
		v, _ := l.codes.LoadOrStore(status, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
}

func (l *latencies) pct(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

func (l *latencies) codeSummary() string {
	var parts []string
	l.codes.Range(func(k, v any) bool {
		parts = append(parts, fmt.Sprintf("%v×%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// procStat is the server's CPU time and resident memory.
type procStat struct {
	cpu time.Duration
	rss int64 // kB
}

func readProc(pid int) procStat {
	var ps procStat
	if pid == 0 {
		return ps
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i > 0 {
			f := strings.Fields(s[i+2:])
			if len(f) > 12 {
				ut, _ := strconv.ParseInt(f[11], 10, 64)
				st, _ := strconv.ParseInt(f[12], 10, 64)
				ps.cpu = time.Duration(ut+st) * (time.Second / 100) // USER_HZ is 100 on Linux
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				ps.rss, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			}
		}
	}
	return ps
}

// row prints one line of the results table (the same columns load.sh prints for wrk).
func row(name string, n int, elapsed time.Duration, l *latencies, before, after procStat, target string) {
	cpuPer := "-"
	if n > 0 && after.cpu > 0 {
		cpuPer = fmt.Sprintf("%.2f", float64((after.cpu-before.cpu).Microseconds())/1000/float64(n))
	}
	fmt.Printf("| %-34s | %9.0f | %8s | %8s | %6d | %6.0f MB | %9s | %s |\n", name, float64(n)/elapsed.Seconds(),
		ms(l.pct(0.50)), ms(l.pct(0.99)), l.errors.Load(), float64(after.rss)/1024, cpuPer, target)
	if s := l.codeSummary(); s != "" {
		fmt.Printf("|   errors by status: %s\n", s)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// rate sends GETs at a fixed rate (open loop: a slow answer does not slow the sender), so
// percentiles are those a steady stream of users sees.
func rate(args []string) error {
	var c common
	fs := flag.NewFlagSet("rate", flag.ContinueOnError)
	c.flags(fs)
	cookie := fs.String("cookie", "", "Cookie header value")
	path := fs.String("path", "/", "path to GET")
	perSecond := fs.Int("rate", 1000, "requests per second")
	duration := fs.Duration("duration", 10*time.Second, "how long")
	name := fs.String("name", "fixed-rate GET", "scenario name for the table")
	target := fs.String("target", "", "target text for the table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.checkLoopback(); err != nil {
		return err
	}
	token := strings.TrimPrefix(*cookie, sessionCookie+"=")
	s := session{token: token}
	cl := newClient(256)
	var l latencies
	var wg sync.WaitGroup
	total := int(float64(*perSecond) * duration.Seconds())
	interval := time.Second / time.Duration(*perSecond)
	before := readProc(c.pid)
	start := time.Now()
	for i := range total {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() {
			status, _, _, d, err := c.call(cl, s, http.MethodGet, *path, nil)
			l.add(d, status, err)
		})
	}
	wg.Wait()
	row(*name, l.count(), time.Since(start), &l, before, readProc(c.pid), *target)
	return nil
}

// startedAttempt is an attempt the burst opened, ready to submit.
type startedAttempt struct {
	s    session
	path string
	form url.Values
}

// burst releases n quiz starts at once (one goroutine per trainee, all waiting on one signal),
// each followed by the quiz page as a browser follows the redirect; then submits every
// attempt it opened with a fixed number of parallel clients while a supervisor's store page
// is probed at a fixed rate.
func burst(args []string) error {
	var c common
	fs := flag.NewFlagSet("burst", flag.ContinueOnError)
	c.flags(fs)
	n := fs.Int("n", 10000, "quiz starts released together (one per staff member)")
	programme := fs.String("start", "/programmes/onboarding/assessment", "POST path that starts the quiz")
	submitters := fs.Int("submitters", 64, "parallel clients submitting")
	probe := fs.String("probe", "/reports/quizzes", "store page a supervisor loads during the submits")
	probeRate := fs.Int("probe-rate", 20, "store page requests per second during the submits")
	limit := fs.Duration("limit", 60*time.Second, "give up on a phase after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.checkLoopback(); err != nil {
		return err
	}
	ss, err := readSessions(c.sessions)
	if err != nil {
		return err
	}
	trainees := append(byRole(ss, "trainee"), byRole(ss, "supervisor")...) // staff: everyone but admins
	if len(trainees) < *n {
		return fmt.Errorf("%d staff sessions in %s, need %d", len(trainees), c.sessions, *n)
	}
	trainees = trainees[:*n]
	supers := byRole(ss, "supervisor")
	cl := newClient(*n)
	tokens := make([]string, len(trainees))
	for i, s := range trainees {
		if tokens[i], err = c.csrf(cl, s); err != nil {
			return err
		}
	}

	// Phase 1: n starts released together.
	var starts, pages latencies
	opened := make([]startedAttempt, len(trainees))
	release := make(chan struct{})
	var ready, done sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), *limit)
	defer cancel()
	for i, s := range trainees {
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			<-release
			if ctx.Err() != nil {
				return
			}
			status, _, h, d, err := c.call(cl, s, http.MethodPost, *programme, url.Values{"_csrf": {tokens[i]}})
			starts.add(d, status, err)
			loc := h.Get("Location")
			if err != nil || status != http.StatusSeeOther || !strings.HasPrefix(loc, "/attempts/") {
				return
			}
			status, page, _, d, err := c.call(cl, s, http.MethodGet, loc, nil)
			pages.add(d, status, err)
			if err == nil && status == http.StatusOK {
				form := answers(page)
				form.Set("_csrf", tokens[i])
				opened[i] = startedAttempt{s: s, path: loc, form: form}
			}
		})
	}
	ready.Wait()
	before := readProc(c.pid)
	beforeStarts := before
	t0 := time.Now()
	close(release)
	done.Wait()
	startElapsed := time.Since(t0)
	afterStarts := readProc(c.pid)
	fmt.Printf("| %-34s | %9s | %8s | %8s | %6s | %9s | %9s | %s |\n", "scenario", "req/s", "p50", "p99", "errors", "RSS", "CPU ms/op", "target")
	fmt.Printf("|%s|\n", strings.Repeat("-", 120))
	row(fmt.Sprintf("%d starts released at once", *n), starts.count(), startElapsed, &starts, before, afterStarts,
		fmt.Sprintf("all served in %.1f s (target ≤ 10 s, 0 errors)", startElapsed.Seconds()))
	row("  … their quiz pages (40 q)", pages.count(), startElapsed, &pages, before, afterStarts, "")

	// Phase 2: submit every opened attempt, with the store page probed alongside.
	var todo []startedAttempt
	for _, a := range opened {
		if a.path != "" {
			todo = append(todo, a)
		}
	}
	var submits, probes latencies
	var next atomic.Int64
	stop := make(chan struct{})
	var probing sync.WaitGroup
	if len(supers) > 0 && *probeRate > 0 {
		probing.Go(func() {
			tick := time.NewTicker(time.Second / time.Duration(*probeRate))
			defer tick.Stop()
			var inflight sync.WaitGroup
			for k := 0; ; k++ {
				select {
				case <-stop:
					inflight.Wait()
					return
				case <-tick.C:
				}
				s := supers[k%len(supers)]
				inflight.Go(func() {
					status, _, _, d, err := c.call(cl, s, http.MethodGet, *probe, nil)
					probes.add(d, status, err)
				})
			}
		})
	}
	before = readProc(c.pid)
	t0 = time.Now()
	var workers sync.WaitGroup
	for range *submitters {
		workers.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) || time.Since(t0) > *limit {
					return
				}
				a := todo[i]
				status, _, _, d, err := c.call(cl, a.s, http.MethodPost, a.path+"/submit", a.form)
				submits.add(d, status, err)
			}
		})
	}
	workers.Wait()
	submitElapsed := time.Since(t0)
	close(stop)
	probing.Wait()
	after := readProc(c.pid)
	row(fmt.Sprintf("submit (%d parallel, 40 q each)", *submitters), submits.count(), submitElapsed, &submits, before, after, "≥ 1,500/s, no \"database is locked\"")
	row("  store page during the submits", probes.count(), submitElapsed, &probes, before, after, "p99 ≤ 20 ms")
	if n := submits.count(); n > 0 && after.cpu > 0 {
		fmt.Printf("server CPU per completed attempt (start + page + submit): %.2f ms\n",
			float64((after.cpu-beforeStarts.cpu).Microseconds())/1000/float64(n))
	}
	return nil
}

// generateContent copies a content folder and adds generated courses until it holds the asked
// number of extra modules (50 per course, 10 questions each), for the startup measurement.
func generateContent(args []string) error {
	fs := flag.NewFlagSet("content", flag.ContinueOnError)
	from := fs.String("from", "content", "content folder to start from")
	to := fs.String("to", "", "folder to write (replaced)")
	modules := fs.Int("modules", 1000, "modules to add")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("--to is required")
	}
	if err := os.RemoveAll(*to); err != nil {
		return err
	}
	if err := os.CopyFS(*to, os.DirFS(*from)); err != nil {
		return err
	}
	lesson := "## 要点\n\n顾客投诉时先倾听、再登记、再诊断。\n\n| 这样说 | 不要这样说 |\n|---|---|\n| 您别急，我来处理 | 这很正常 |\n\n"
	for m := range *modules {
		dir := fmt.Sprintf("%s/courses/%02d-generated-%d", *to, 50+m/50, m/50)
		if m%50 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil { // #nosec G301 -- a generated content folder, readable like content/
				return err
			}
			intro := "---\ntitle: 生成课程\nsummary: 启动测试用的生成课程。\ntags: [service]\n---\n介绍\n"
			if err := os.WriteFile(dir+"/_course.md", []byte(intro), 0o644); err != nil { // #nosec G306 -- generated course content, not a secret
				return err
			}
		}
		var b strings.Builder
		b.WriteString("---\ntitle: 生成的一课\nsummary: 启动测试用。\nhours: 1\ntracks: [refresher]\ntags: [service]\n---\n")
		b.WriteString(lesson + lesson + "```quiz\n")
		for q := range 10 {
			fmt.Fprintf(&b, "// [tag:complaint]\n::题%d:: 第一步做什么？ {\n=倾听 # 对\n~争辩 # 错\n~改天再来 # 错\n}\n\n", q)
		}
		b.WriteString("```\n")
		if err := os.WriteFile(fmt.Sprintf("%s/%02d-m%d.md", dir, m%50+1, m), []byte(b.String()), 0o644); err != nil { // #nosec G306 -- generated course content, not a secret
			return err
		}
	}
	return nil
}

// ready polls /healthz every millisecond until it answers 200 and prints the milliseconds
// since --since (the script's clock reading just before it started the server). Polling from
// one process pinned to the load core keeps the measurement off the server's core: a shell
// loop forking curl every few milliseconds stole that core from the server it was timing.
func ready(args []string) error {
	fs := flag.NewFlagSet("ready", flag.ContinueOnError)
	var c common
	c.flags(fs)
	since := fs.Int64("since", 0, "start time in Unix nanoseconds")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.checkLoopback(); err != nil {
		return err
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		if res, err := client.Get(c.base + "/healthz"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				fmt.Println((time.Now().UnixNano() - *since) / int64(time.Millisecond))
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("%s/healthz did not answer within %s", c.base, *timeout)
}

// ceiling serves a fixed page of the given size with nothing else (no router, session or
// database), so the load script can show what net/http and the kernel's loopback alone reach
// on this machine's one core: the ceiling any real page stays under.
func ceiling(args []string) error {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18090", "loopback address to serve on")
	size := fs.Int("size", 10000, "body size in bytes (the module page's size)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	body := []byte(strings.Repeat("售后学院", *size/12+1))[:*size]
	length := strconv.Itoa(len(body))
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", length)
		_, _ = w.Write(body)
	})}
	return srv.ListenAndServe()
}
