package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"aftercare/accounts"
	"aftercare/content"
	"aftercare/courses"
	"aftercare/store"
	"aftercare/store/storetest"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

var (
	catalogOnce sync.Once
	catalog     *courses.Catalog
	catalogErr  error
)

// realCatalog loads the bundled content once for all tests.
func realCatalog(t testing.TB) *courses.Catalog {
	t.Helper()
	catalogOnce.Do(func() { catalog, catalogErr = courses.Load(content.FS) })
	if catalogErr != nil {
		t.Fatalf("bundled content does not load:\n%v", catalogErr)
	}
	return catalog
}

// testEnv is a running server on a real SQLite file with the real content and router, and
// users for every role: trainee A and supervisor of store 001, trainee B and supervisor of
// store 002, and an admin.
type testEnv struct {
	t     testing.TB
	srv   *httptest.Server
	store *store.Store
	users map[string]accounts.User
	clock *testClock
	app   *Server
}

// testClock is the store's clock in tests: real time plus an offset the test moves forward,
// safe to move while the server runs.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time { return time.Now().UTC().Add(time.Duration(c.offset.Load())) }

// advance moves the clock forward by d.
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

func newTestEnv(t *testing.T) *testEnv { return newTestEnvB(t) }

// newTestEnvB builds the environment for a test or a benchmark.
func newTestEnvB(t testing.TB) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.DSN(t), store.Options{}) // SQLite, or PostgreSQL with ACADEMY_TEST_POSTGRES
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &testClock{}
	st.Now = clock.now
	s, err := New(Config{SessionKey: []byte("test key of at least thirty-two bytes"), PasswordCost: bcrypt.MinCost,
		// Tests move the fake clock by days and weeks; a sign-in outlives them (expiry itself
		// is the store's, tested there).
		SessionLifetime: 400 * 24 * time.Hour,
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil))}, st, realCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{t: t, store: st, users: map[string]accounts.User{}, clock: clock, app: s}
	st.EnsureShop(ctx, "001", "人民路店")
	st.EnsureShop(ctx, "002", "滨江店")
	hash, _ := accounts.HashPassword(testPassword, bcrypt.MinCost)
	for _, u := range []accounts.NewUser{
		{Login: "trainee-a", Name: "学员甲", Role: accounts.Trainee, ShopCode: "001"},
		{Login: "trainee-b", Name: "学员乙", Role: accounts.Trainee, ShopCode: "002"},
		{Login: "super-a", Name: "主管甲", Role: accounts.Supervisor, ShopCode: "001"},
		{Login: "super-b", Name: "主管乙", Role: accounts.Supervisor, ShopCode: "002"},
		{Login: "admin", Name: "管理员", Role: accounts.Admin},
	} {
		created, err := st.CreateUser(ctx, u, hash)
		if err != nil {
			t.Fatal(err)
		}
		env.users[u.Login] = created
	}
	env.srv = httptest.NewServer(s.Handler())
	t.Cleanup(env.srv.Close)
	return env
}

// client is a browser-like HTTP client with its own cookies that does not follow redirects.
type client struct {
	env  *testEnv
	http *http.Client
}

func (env *testEnv) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{env: env, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// as signs in with the login and returns the client.
func (env *testEnv) as(login string) *client {
	env.t.Helper()
	c := env.anonymous()
	res, _ := c.post("/login", url.Values{"login": {login}, "password": {testPassword}}, c.csrfFrom("/login"))
	if res.StatusCode != http.StatusSeeOther {
		env.t.Fatalf("login as %s: status %d", login, res.StatusCode)
	}
	return c
}

type response struct {
	*http.Response
	body string
}

func (c *client) get(path string) response {
	c.env.t.Helper()
	res, err := c.http.Get(c.env.srv.URL + path)
	if err != nil {
		c.env.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res, string(b)}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfFrom loads a page and returns the CSRF token of its forms.
func (c *client) csrfFrom(path string) string {
	c.env.t.Helper()
	r := c.get(path)
	m := csrfInput.FindStringSubmatch(r.body)
	if m == nil {
		c.env.t.Fatalf("no CSRF token on %s (status %d)", path, r.StatusCode)
	}
	return m[1]
}

// post submits a form; token "" sends no CSRF token.
func (c *client) post(path string, form url.Values, token string) (response, error) {
	c.env.t.Helper()
	if token != "" {
		form.Set("_csrf", token)
	}
	res, err := c.http.Post(c.env.srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		c.env.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res, string(b)}, nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
