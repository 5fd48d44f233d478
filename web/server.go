// Package web is the HTTP face of the platform and the only package that imports echo. It
// lists every route in one place (routes.go), checks the session, CSRF token, role and store
// scope on the server for each request, keeps handlers thin (parse, call the domain, render)
// and maps every error to a status and a friendly page in one function (errors.go).
package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/store"
	"aftercare/views"
)

// Config is what the web layer needs from the command line and environment.
type Config struct {
	// SessionKey signs CSRF tokens; all instances behind one load balancer share it.
	SessionKey []byte
	// SecureCookies marks cookies Secure; set it when the platform is served over TLS.
	SecureCookies bool
	// PasswordCost is the bcrypt cost for new password hashes.
	PasswordCost int
	// SessionLifetime is how long a sign-in lasts.
	SessionLifetime time.Duration
	// TrustedProxies are the address ranges of the load balancers in front of the platform.
	// Only a connection from one of them may name the client in X-Forwarded-For; otherwise
	// everyone behind the proxy would share its address for login throttling, while trusting
	// the header from anyone would let an attacker reset the throttle by changing it.
	TrustedProxies []*net.IPNet
	Logger         *slog.Logger
}

// Server holds the dependencies of the handlers.
type Server struct {
	cfg     Config
	store   *store.Store
	catalog *courses.Catalog
	// catalogPrint identifies the content the stored onboarding summaries were evaluated
	// against (catalogFingerprint).
	catalogPrint string
	log          *slog.Logger
	echo         *echo.Echo
	// dummyHash is compared against when a login does not exist, so that a wrong login takes
	// as long as a wrong password and logins cannot be discovered by timing.
	dummyHash func() string
}

// New builds the server and its router.
func New(cfg Config, st *store.Store, cat *courses.Catalog) (*Server, error) {
	if len(cfg.SessionKey) < 32 {
		return nil, errors.New("web: the session key must be at least 32 bytes")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PasswordCost == 0 {
		cfg.PasswordCost = accounts.DefaultCost
	}
	if cfg.SessionLifetime == 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	// A bcrypt hash takes a quarter of a second at the default cost: computed off the start-up
	// path, and the first login of an unknown name waits for it.
	dummy := sync.OnceValue(func() string {
		h, err := accounts.HashPassword("not a real password", cfg.PasswordCost)
		if err != nil { // a cost bcrypt refuses: the stored passwords fail the same way
			h, _ = accounts.HashPassword("not a real password", accounts.DefaultCost)
		}
		return h
	})
	go dummy()
	s := &Server{cfg: cfg, store: st, catalog: cat, catalogPrint: catalogFingerprint(cat), log: cfg.Logger, dummyHash: dummy}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = clientAddress(cfg.TrustedProxies)
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(middleware.BodyLimit("2M"))
	e.Use(s.loadSession)
	e.Use(s.checkCSRF)
	s.registerRoutes(e)
	s.echo = e
	return s, nil
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Shutdown stops the server gracefully when it was started with Start.
func (s *Server) Shutdown(ctx context.Context) error { return s.echo.Shutdown(ctx) }

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a component with the given status. The page is rendered into a pooled buffer
// first, so a rendering error becomes an error page instead of half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer buffers.Put(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	// A known length: without it net/http sends any page over 2 KB chunked, in several writes
	// to the socket instead of one (a quarter of the module page's CPU time, BENCHMARKS.md).
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	return c.HTMLBlob(status, buf.Bytes())
}

// page builds the frame data for a page: the signed-in user and the CSRF token.
func (s *Server) page(c echo.Context, title, nav string) views.Page {
	p := views.Page{Title: title, Nav: nav, CSRF: s.csrfToken(c)}
	if u, ok := currentUser(c); ok {
		p.User = &u
	}
	return p
}

// clientAddress picks how a request's client address is found: from the connection alone, or,
// when trusted proxies are configured, from X-Forwarded-For as written by those proxies only
// (echo's loopback and private-network defaults are switched off, so nothing else is trusted).
func clientAddress(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseTrustedProxies reads a comma-separated list of CIDR ranges or single addresses (the
// --trusted-proxies flag) and names the first entry it cannot read.
func ParseTrustedProxies(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR range", f)
			}
			bits := 32
			if ip.To4() == nil {
				bits = 128
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR range", f)
		}
		out = append(out, n)
	}
	return out, nil
}
