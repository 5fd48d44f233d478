package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/failure"
)

const (
	sessionCookie = "aa_session"
	// visitorCookie ties the CSRF token of a signed-out visitor (the login form) to a browser.
	visitorCookie = "aa_visitor"
	csrfField     = "_csrf"
	ctxUser       = "user"
	ctxSession    = "session"
	ctxVisitor    = "visitor"
)

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

func (s *Server) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	// #nosec G124 -- HttpOnly and SameSite always; Secure with --secure-cookies, since TLS usually ends at the reverse proxy and a plain-HTTP trial install must still be able to sign in
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		c.MaxAge = -1
	} else if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	return c
}

// loadSession finds the signed-in user from the session cookie (a database lookup, so every
// instance sees the same sessions) and gives signed-out visitors a visitor cookie for CSRF.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			u, err := s.store.SessionUser(c.Request().Context(), hashToken(ck.Value))
			switch {
			case err == nil:
				c.Set(ctxUser, u)
				c.Set(ctxSession, ck.Value)
			case errors.Is(err, failure.ErrUnauthenticated):
				c.SetCookie(s.cookie(sessionCookie, "", -1))
			default:
				return err
			}
		}
		if _, ok := currentUser(c); !ok {
			v := ""
			if ck, err := c.Cookie(visitorCookie); err == nil && len(ck.Value) >= 32 {
				v = ck.Value
			} else {
				v = randomToken()
				c.SetCookie(s.cookie(visitorCookie, v, 0))
			}
			c.Set(ctxVisitor, v)
		}
		return next(c)
	}
}

func currentUser(c echo.Context) (accounts.User, bool) {
	u, ok := c.Get(ctxUser).(accounts.User)
	return u, ok
}

// csrfToken is the token the request's forms carry: an HMAC of the session (or visitor)
// token under the shared key, so any instance can check it without storing it.
func (s *Server) csrfToken(c echo.Context) string {
	var subject string
	if sess, ok := c.Get(ctxSession).(string); ok {
		subject = "s:" + sess
	} else if v, ok := c.Get(ctxVisitor).(string); ok {
		subject = "v:" + v
	} else {
		return ""
	}
	m := hmac.New(sha256.New, s.cfg.SessionKey)
	m.Write([]byte(subject))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses any state-changing request whose form token does not match.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		// A body over the size limit fails while the form is read (a streamed upload has no
		// length to refuse it by up front): answer that, not "wrong token".
		if err := c.Request().ParseMultipartForm(32 << 20); err != nil {
			var tooLarge *echo.HTTPError
			if errors.As(err, &tooLarge) && tooLarge.Code == http.StatusRequestEntityTooLarge {
				return tooLarge
			}
		}
		want := s.csrfToken(c)
		got := c.FormValue(csrfField)
		if got == "" {
			got = c.Request().Header.Get("X-CSRF-Token")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

var errCSRF = errors.New("csrf token missing or wrong")

// require checks the route's access rule before the handler runs.
func (s *Server) require(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if a == public {
				return next(c)
			}
			u, ok := currentUser(c)
			if !ok {
				return failure.ErrUnauthenticated
			}
			switch {
			case a == supervisorOrAdmin && !u.AtLeast(accounts.Supervisor),
				a == adminOnly && !u.AtLeast(accounts.Admin):
				return failure.ErrForbidden
			}
			return next(c)
		}
	}
}

// startSession signs the user in with a fresh session token: a token from before the login is
// never reused, so a planted cookie cannot be promoted to a signed-in session.
func (s *Server) startSession(c echo.Context, u accounts.User) error {
	if old, ok := c.Get(ctxSession).(string); ok {
		_ = s.store.DeleteSession(c.Request().Context(), hashToken(old))
	}
	token := randomToken()
	if err := s.store.CreateSession(c.Request().Context(), hashToken(token), u.ID, s.store.Now().Add(s.cfg.SessionLifetime)); err != nil {
		return err
	}
	c.SetCookie(s.cookie(sessionCookie, token, s.cfg.SessionLifetime))
	c.SetCookie(s.cookie(visitorCookie, "", -1))
	return nil
}
