package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// upload posts a file to the staff import as a browser form would.
func (c *client) upload(t *testing.T, path, token, name string, data []byte) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", token)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	res, err := c.http.Post(c.env.srv.URL+path, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res, string(b)}
}

func TestStaffImportFromExcelGBK(t *testing.T) {
	env := newTestEnv(t)
	admin := env.as("admin")
	token := admin.csrfFrom("/admin/users")
	list := "登录名,姓名,角色,门店编号,入职日期\r\nxiaoli,李小丽,学员,001,2026/11/20\r\nxiaozhou,周杰,主管,002,2026-11-21\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(list))
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(list + "trainee-a,重名,学员,001,2026-11-21\r\nnew1,新人,学员,001,2026-13-01\r\n"))
	r := admin.upload(t, "/admin/users/import", token, "名单.csv", bad)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "整份名单都没有导入") || !strings.Contains(r.body, "第 5 行") {
		t.Fatalf("bad list: %d\n%s", r.StatusCode, r.body)
	}
	if users := admin.get("/admin/users"); strings.Contains(users.body, "李小丽") {
		t.Fatal("a refused list wrote users")
	}
	r = admin.upload(t, "/admin/users/import", token, "名单.csv", gbk)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "已导入 2 人") || !strings.Contains(r.body, "李小丽") {
		t.Fatalf("GBK list: %d\n%s", r.StatusCode, r.body)
	}
	if users := env.as("super-b").get("/admin/users"); !strings.Contains(users.body, "周杰") || strings.Contains(users.body, "李小丽") {
		t.Fatal("imported staff are not in their stores")
	}
	super := env.as("super-a")
	if r := super.upload(t, "/admin/users/import", super.csrfFrom("/courses"), "x.csv", gbk); r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, "没有权限") {
		t.Fatalf("supervisor import: %d", r.StatusCode)
	}
}
