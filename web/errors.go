package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"aftercare/failure"
	"aftercare/views"
)

// handleError is the one place where errors become HTTP statuses. Users see a friendly page;
// the log gets the detail of anything unexpected.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, title, msg := http.StatusInternalServerError, "出错了", "服务器暂时无法完成这个操作，请稍后再试。如果一直这样，请联系管理员。"
	var he *echo.HTTPError
	switch {
	case errors.Is(err, failure.ErrUnauthenticated):
		if c.Request().Method == http.MethodGet {
			_ = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			return
		}
		status, title, msg = http.StatusUnauthorized, "请先登录", "登录已过期或尚未登录，请重新登录后再试。"
	case errors.Is(err, failure.ErrForbidden):
		status, title, msg = http.StatusForbidden, "没有权限", "你的账号没有权限打开这个页面。"
	case errors.Is(err, failure.ErrNotFound):
		status, title, msg = http.StatusNotFound, "找不到页面", "这个页面不存在，或者你没有权限查看。"
	case errors.Is(err, failure.ErrConflict):
		status, title, msg = http.StatusConflict, "操作未完成", "这项操作已经完成过，或者当前状态不允许再做一次。"
	case errors.Is(err, errCSRF):
		status, title, msg = http.StatusForbidden, "页面已过期", "表单已过期或来源不明。请返回上一页，刷新后重新提交。"
	case errors.As(err, &he):
		status = he.Code
		switch he.Code {
		case http.StatusNotFound:
			title, msg = "找不到页面", "这个页面不存在，或者你没有权限查看。"
		case http.StatusMethodNotAllowed:
			title, msg = "不支持的操作", "这个地址不支持这种请求。"
		case http.StatusRequestEntityTooLarge:
			title, msg = "内容太大", "提交的内容超过了大小限制（2 MB）。"
		default:
			if he.Code < 500 {
				title, msg = "请求有误", "请求无法处理，请检查后重试。"
			}
		}
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if err := s.render(c, status, views.ErrorPage(s.page(c, title, ""), status, msg)); err != nil {
		s.log.Error("render error page", "err", err)
		_ = c.String(status, msg)
	}
}
