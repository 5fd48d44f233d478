package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLoginThrottling(t *testing.T) {
	env := newTestEnv(t)
	c := env.anonymous()
	token := c.csrfFrom("/login")
	login := func(name, password, forwardedFor string) int {
		t.Helper()
		form := url.Values{"login": {name}, "password": {password}, "_csrf": {token}}
		req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if forwardedFor != "" {
			req.Header.Set("X-Forwarded-For", forwardedFor)
		}
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := 0; i < 5; i++ {
		if got := login("trainee-a", "wrong password", ""); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, got)
		}
	}
	if got := login("trainee-a", testPassword, ""); got != http.StatusTooManyRequests {
		t.Fatalf("right password on a locked account: %d, want 429", got)
	}
	if got := login("trainee-b", testPassword, ""); got != http.StatusSeeOther {
		t.Fatalf("another account from the same address: %d, want a normal login", got)
	}
	// Many accounts from one address: a forged X-Forwarded-For does not make them look like
	// different clients.
	c = env.anonymous()
	token = c.csrfFrom("/login")
	for i := 0; i < 15; i++ {
		login("nobody"+strings.Repeat("x", i), "wrong password", "203.0.113."+strings.Repeat("1", i%3+1))
	}
	if got := login("super-b", testPassword, "198.51.100.7"); got != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one address: %d, want 429", got)
	}
	log, _ := env.store.AuditLog(t.Context(), 100)
	locked := 0
	for _, e := range log {
		if e.Action == "login.locked" {
			locked++
		}
	}
	if locked == 0 {
		t.Error("lock-outs are not in the audit log")
	}
	env.clock.advance(16 * time.Minute)
	if got := login("trainee-a", testPassword, ""); got != http.StatusSeeOther {
		t.Fatalf("after the lock-out window: %d", got)
	}
}
