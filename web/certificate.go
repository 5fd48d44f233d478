package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/tracking"
	"aftercare/views"
)

// myCertificate is the signed-in person's printable onboarding certificate, once cleared.
// Someone not cleared yet is sent to their progress page, which says what is still missing.
func (s *Server) myCertificate(c echo.Context) error {
	u, _ := currentUser(c)
	err := s.renderCertificate(c, u)
	if errors.Is(err, failure.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, "/me/progress#clearance")
	}
	return err
}

// staffCertificate is a person's certificate as their supervisor or an admin prints it.
func (s *Server) staffCertificate(c echo.Context) error {
	_, person, err := s.staffPerson(c)
	if err != nil {
		return err
	}
	return s.renderCertificate(c, person)
}

// renderCertificate shows the certificate of a cleared person; someone not (yet) cleared has
// none (404).
func (s *Server) renderCertificate(c echo.Context, person accounts.User) error {
	d, err := s.onboarding(c.Request().Context(), person.ID)
	if err != nil {
		return err
	}
	if d.Certificate == nil {
		return failure.ErrNotFound
	}
	title := "新员工入职培训"
	if d.Programme != nil {
		title = d.Programme.Title
	}
	cd := views.CertificateData{Name: person.Name, Shop: person.ShopName, Programme: title, Required: d.Required,
		Certificate: *d.Certificate, VerifyURL: c.Scheme() + "://" + c.Request().Host + "/verify"}
	return s.render(c, http.StatusOK, views.CertificatePage(s.page(c, "上岗证书 · "+person.Name, "progress"), cd))
}

// verify lets anyone holding a printed certificate check its code: a valid code shows the
// name, store and clearance date and nothing else; anything else is "无效".
func (s *Server) verify(c echo.Context) error {
	typed := strings.TrimSpace(c.QueryParam("code"))
	d := views.VerifyData{Code: typed}
	if typed != "" {
		d.Checked = true
		if code := tracking.NormalizeCode(typed); code != "" {
			rec, person, err := s.store.ClearanceByCode(c.Request().Context(), code)
			switch {
			case errors.Is(err, failure.ErrNotFound):
			case err != nil:
				return err
			case tracking.VerifyCode(s.cfg.SessionKey, rec.UserID, rec.ClearedAt, code):
				d.Valid, d.Name, d.Shop, d.ClearedOn = true, person.Name, person.ShopName, views.LocalDate(rec.ClearedAt)
			}
		}
	}
	return s.render(c, http.StatusOK, views.VerifyPage(s.page(c, "证书验证", "verify"), d))
}
