package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"aftercare/accounts"
	"aftercare/content"
	"aftercare/courses"
	"aftercare/failure"
	"aftercare/store"
	"aftercare/web"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl, cfg := newFlags("serve", getenv, stderr)
	if err := fl.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cat, err := loadCatalog(cfg, stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.db, store.Options{Migrate: cfg.migrate})
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := sessionKey(ctx, st, cfg.sessionKey)
	if err != nil {
		return err
	}
	if cfg.demo {
		if err := createDemoAccounts(ctx, st, stdout, passwordCost); err != nil {
			return err
		}
	}
	proxies, err := web.ParseTrustedProxies(cfg.proxies)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{SessionKey: key, SecureCookies: cfg.secureCookies, TrustedProxies: proxies, PasswordCost: passwordCost, Logger: logger}, st, cat)
	if err != nil {
		return err
	}
	// In the background: dashboard summaries are brought up to date (after a seed, an import or
	// a content change the first dashboard would otherwise wait for them), then recurring
	// training is assigned, at once and hourly. Both stop (and are waited for) before the store
	// closes; one after the other, so they never evaluate the same people twice.
	schedCtx, stopScheduler := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		if err := srv.WarmSummaries(schedCtx); err != nil && schedCtx.Err() == nil {
			logger.Error("bringing dashboard summaries up to date failed", "err", err)
		}
		srv.RunSchedulerEvery(schedCtx, web.SchedulerInterval)
	}()
	defer func() { stopScheduler(); <-schedDone }()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if err := startProfiling(getenv("ACADEMY_PPROF"), stdout); err != nil {
		return err
	}
	s := catalogSummary(cat)
	fmt.Fprintf(stdout, "Aftercare Academy: %d courses, %d modules, %d questions, %d role-plays; database %s\n",
		s.Courses, s.Modules, s.Questions, s.Roleplays, store.DisplayName(cfg.db))
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// passwordCost is the bcrypt cost for every password the command hashes; tests lower it.
var passwordCost = accounts.DefaultCost

func catalogSummary(cat *courses.Catalog) courses.Summary { return cat.Summarise() }

// loadCatalog loads and validates the content; on any problem it prints all of them as
// path:line: message and refuses to go on.
func loadCatalog(cfg *config, stderr io.Writer) (*courses.Catalog, error) {
	fsys, where := cfg.contentFS(content.FS)
	cat, err := courses.Load(fsys)
	var ps courses.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintf(stderr, "%s\n", p)
		}
		return nil, fmt.Errorf("%s has %d problem(s); fix them and start again", where, len(ps))
	}
	return cat, err
}

// sessionKey is the configured key, or one generated once and kept in the database so that
// every instance on the same database signs tokens alike.
func sessionKey(ctx context.Context, st *store.Store, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("ACADEMY_SESSION_KEY must be at least 32 characters")
		}
		return []byte(configured), nil
	}
	key, err := st.EnsureSetting(ctx, "session_key", randomSecret(32))
	if err != nil {
		return nil, err
	}
	return []byte(key), nil
}

func randomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// demoUsers are the accounts created on first start so a new user can try every role.
var demoUsers = []struct {
	login, name string
	role        accounts.Role
	shop        string
}{
	{"admin", "王敏（管理员）", accounts.Admin, ""},
	{"supervisor", "李娟（人民路店主管）", accounts.Supervisor, "001"},
	{"trainee", "陈小雨（人民路店新员工）", accounts.Trainee, "001"},
	{"trainee2", "赵一凡（滨江店新员工）", accounts.Trainee, "002"},
}

// createDemoAccounts creates two stores and the demo users when the database has no users, and
// prints the logins with freshly generated passwords.
func createDemoAccounts(ctx context.Context, st *store.Store, stdout io.Writer, cost int) error {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	for _, s := range [][2]string{{"001", "人民路旗舰店"}, {"002", "滨江万达店"}} {
		if _, err := st.EnsureShop(ctx, s[0], s[1]); err != nil {
			return err
		}
	}
	today := time.Now().Format(time.DateOnly)
	for i, d := range demoUsers {
		pw := randomSecret(9)
		nu := accounts.NewUser{Login: d.login, Name: d.name, Role: d.role, ShopCode: d.shop, Password: pw}
		if d.role == accounts.Trainee {
			nu.HiredOn = today
		}
		if err := nu.Validate(); err != nil {
			return err
		}
		hash, err := accounts.HashPassword(pw, cost)
		if err != nil {
			return err
		}
		if _, err := st.CreateUser(ctx, nu, hash); err != nil {
			var f failure.Fields
			if errors.As(err, &f) && f["login"] != "" {
				// Another instance on the same database started at the same moment and took
				// the login first: it creates (and prints) the demo accounts.
				fmt.Fprintf(stdout, "Demo accounts: %s and the others are being created by another instance.\n", d.login)
				return nil
			}
			return err
		}
		if i == 0 {
			fmt.Fprintln(stdout, "Created demo accounts (shown once; change them with `academy users set-password`):")
		}
		fmt.Fprintf(stdout, "  %-10s  password %-14s  %s\n", d.login, pw, d.name)
	}
	return nil
}
