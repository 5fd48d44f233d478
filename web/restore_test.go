package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"aftercare/quiz"
	"aftercare/store"
	"aftercare/store/storetest"
)

// The restore drill: back up the live database while trainees keep submitting, then treat the
// copy as the server would after a restore — open it, check it, serve it and sign in.
func TestRestoreDrillFromABackupTakenUnderLoad(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("academy backup is SQLite's; PostgreSQL is backed up with pg_dump (store.ErrBackupWithPgDump)")
	}
	env := newTestEnv(t)
	modules := quizModules(realCatalog(t))
	clients, users := addTrainees(t, env, "restore", 4)
	tokens := make([]string, len(clients))
	for i, c := range clients {
		tokens[i] = c.csrfFrom("/me/progress")
	}
	var acked atomic.Int64
	var failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				m := modules[(i+n)%len(modules)]
				status, loc, err := c.send(m.URL()+"/quiz", url.Values{}, tokens[i])
				if err != nil || status != http.StatusSeeOther {
					failed.Add(1)
					return
				}
				if status, _, err = c.send(loc+"/submit", url.Values{}, tokens[i]); err != nil || status != http.StatusSeeOther {
					failed.Add(1)
					return
				}
				acked.Add(1)
				if status, _, err = c.send(m.URL()+"/activity", url.Values{}, tokens[i]); err != nil || status != http.StatusNoContent {
					failed.Add(1)
					return
				}
			}
		}()
	}
	// Wait until writes are flowing, then back up in the middle of them.
	for acked.Load() < 20 && failed.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	before := acked.Load()
	dest := filepath.Join(t.TempDir(), "academy-copy.db")
	backupErr := env.store.Backup(t.Context(), dest)
	during := acked.Load() - before
	close(stop)
	wg.Wait()
	if backupErr != nil {
		t.Fatal(backupErr)
	}
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed while the backup ran", failed.Load())
	}
	after := acked.Load()

	// Restore: open the copy as the server does at start.
	ctx := context.Background()
	copyStore, err := store.Open(ctx, dest, store.Options{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer copyStore.Close()
	if res, err := copyStore.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity check of the backup: %q %v", res, err)
	}
	held := 0
	var someAttempt int64
	for _, u := range users {
		list, err := copyStore.Attempts(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list {
			full, err := copyStore.Attempt(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if full.State != quiz.Open {
				held++
				someAttempt = a.ID
				for _, it := range full.Items {
					if it.Mark == nil {
						t.Errorf("attempt %d in the backup is finished but item %d has no mark", a.ID, it.Position)
					}
				}
			}
		}
	}
	if int64(held) < before || int64(held) > after {
		t.Fatalf("backup holds %d submitted attempts; %d were acknowledged before it started and %d by the end", held, before, after)
	}
	if n, err := copyStore.CountUsers(ctx); err != nil || n != int64(len(env.users)) {
		t.Fatalf("backup holds %d users, want %d (%v)", n, len(env.users), err)
	}

	// Serve the copy and sign in with a password from the live database.
	srv, err := New(Config{SessionKey: []byte("another key of at least thirty-two bytes"), PasswordCost: bcrypt.MinCost,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, copyStore, realCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	restored := httptest.NewServer(srv.Handler())
	defer restored.Close()
	c := &client{env: &testEnv{t: t, srv: restored}, http: env.anonymous().http}
	login := users[0].Login
	res, _ := c.post("/login", url.Values{"login": {login}, "password": {testPassword}}, c.csrfFrom("/login"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on the restored copy: %d", res.StatusCode)
	}
	owner := c
	if a, _ := copyStore.Attempt(ctx, someAttempt); a.UserID != users[0].ID {
		owner = &client{env: &testEnv{t: t, srv: restored}, http: env.anonymous().http}
		u, _ := copyStore.UserByID(ctx, a.UserID)
		owner.post("/login", url.Values{"login": {u.Login}, "password": {testPassword}}, owner.csrfFrom("/login"))
	}
	if page := owner.get("/attempts/" + strconv.FormatInt(someAttempt, 10)); page.StatusCode != http.StatusOK || !strings.Contains(page.body, "%") {
		t.Fatalf("a submitted attempt on the restored copy: %d", page.StatusCode)
	}
	if page := c.get("/me/progress"); page.StatusCode != http.StatusOK {
		t.Fatalf("progress on the restored copy: %d", page.StatusCode)
	}
	t.Logf("backup taken while %d submits were acknowledged around it (%d during the copy); the copy holds %d, passes integrity_check, serves and signs in", after, during, held)
}
