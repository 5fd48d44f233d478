package tracking

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var update = flag.Bool("update", false, "rewrite generated files in testdata/")

// gbk encodes UTF-8 text as Excel on Chinese Windows saves it.
func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("GBK encode: %v", err)
	}
	return b
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGBKFixture keeps testdata/kpi_gbk.csv the GBK encoding of testdata/kpi.csv; run
// `go test ./tracking/ -run GBKFixture -update` after editing kpi.csv.
func TestGBKFixture(t *testing.T) {
	want := gbk(t, string(readFixture(t, "kpi.csv")))
	path := filepath.Join("testdata", "kpi_gbk.csv")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := readFixture(t, "kpi_gbk.csv")
	if !bytes.Equal(got, want) {
		t.Fatal("testdata/kpi_gbk.csv is stale: run go test ./tracking/ -run GBKFixture -update")
	}
	if bytes.Equal(got, readFixture(t, "kpi.csv")) {
		t.Fatal("GBK fixture has no non-ASCII bytes, so it tests nothing")
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		text string
		enc  string
		err  string // substring of the error; "" for none
	}{
		{"UTF-8 with BOM", []byte("\xef\xbb\xbf登录名,月份\r\n"), "登录名,月份\r\n", EncodingUTF8BOM, ""},
		{"plain UTF-8", []byte("登录名,月份\n"), "登录名,月份\n", EncodingUTF8, ""},
		{"ASCII is UTF-8", []byte("login,month\n"), "login,month\n", EncodingUTF8, ""},
		{"empty", nil, "", EncodingUTF8, ""},
		{"GBK", gbk(t, "登录名,月份,顾客满意度％\r\n"), "登录名,月份,顾客满意度％\r\n", EncodingGBK, ""},
		{"GBK euro byte", []byte{0x80}, "€", EncodingGBK, ""},
		{"old Mac line ends", []byte("a,b\rc,d\r"), "a,b\nc,d\n", EncodingUTF8, ""},
		{"CR inside CRLF file kept", []byte("a,b\r\n"), "a,b\r\n", EncodingUTF8, ""},
		{"neither UTF-8 nor GBK", []byte{'a', 0xFF, 'b'}, "", "", "既不是 UTF-8 也不是 GBK"},
		{"GBK lead byte at the end", append(gbk(t, "姓名"), 0x81), "", "", "既不是 UTF-8 也不是 GBK"},
		{"GBK lead byte with bad trail", []byte{0xB5, 0x20}, "", "", "既不是 UTF-8 也不是 GBK"},
		{"BOM then invalid UTF-8", []byte("\xef\xbb\xbf\xb5\xc7"), "", "", "不是有效的 UTF-8"},
		{"xlsx workbook", []byte("PK\x03\x04\x14\x00"), "", "", "Excel 工作簿"},
		{"UTF-16LE", []byte{0xFF, 0xFE, 'a', 0}, "", "", "UTF-16"},
		{"UTF-16BE", []byte{0xFE, 0xFF, 0, 'a'}, "", "", "UTF-16"},
		{"NUL byte", []byte("a\x00b"), "", "", "二进制"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, enc, err := DecodeText(tt.data)
			if tt.err != "" {
				if err == nil || !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want ErrEncoding containing %q", err, tt.err)
				}
				if !strings.Contains(err.Error(), "另存为") {
					t.Errorf("error %q does not say how to fix it", err)
				}
				return
			}
			if err != nil || text != tt.text || enc != tt.enc {
				t.Errorf("DecodeText = %q, %q, %v; want %q, %q", text, enc, err, tt.text, tt.enc)
			}
		})
	}
}

func TestParseKPICSVEncodings(t *testing.T) {
	want := []KPIValue{
		{"xiaoli", "2026-10", "satisfaction", 4.9},
		{"xiaoli", "2026-10", "complaints-on-time", 92},
		{"xiaoli", "2026-10", "first-contact-resolution", 85},
		{"xiaoli", "2026-10", "service-cost", 2.5},
		{"xiaoli", "2026-10", "return-rate", 1.2},
		{"wang.fang", "2026-10", "satisfaction", 4.6},
		{"wang.fang", "2026-10", "complaints-on-time", 88.5},
		{"wang.fang", "2026-10", "service-cost", 3.6},
		{"wang.fang", "2026-10", "response-24h", 90},
		{"zhaolei", "2026-10", "satisfaction", 5},
		{"zhaolei", "2026-10", "complaints-on-time", 100},
		{"zhaolei", "2026-10", "first-contact-resolution", 80},
		{"zhaolei", "2026-10", "service-cost", 0},
		{"zhaolei", "2026-10", "response-24h", 85},
		{"zhaolei", "2026-10", "return-rate", 3},
	}
	utf := readFixture(t, "kpi.csv")
	tests := []struct {
		name string
		data []byte
		enc  string
	}{
		{"UTF-8", utf, EncodingUTF8},
		{"UTF-8 with BOM", append([]byte("\xef\xbb\xbf"), utf...), EncodingUTF8BOM},
		{"GBK", readFixture(t, "kpi_gbk.csv"), EncodingGBK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, enc, _ := DecodeText(tt.data); enc != tt.enc {
				t.Errorf("encoding %q, want %q", enc, tt.enc)
			}
			got, errs := ParseKPICSV(tt.data, testKPIs())
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("values =\n%v\nwant\n%v", got, want)
			}
		})
	}
}

func TestParseStaffCSVFixture(t *testing.T) {
	data := readFixture(t, "staff_bom.csv")
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Fatal("staff_bom.csv lost its BOM")
	}
	want := []StaffRow{
		{Line: 2, Login: "xiaoli", Name: "小李", Role: "trainee", Store: "001", HiredOn: "2026-01-05"},
		{Line: 3, Login: "wangfang", Name: "王芳", Role: "supervisor", Store: "001", HiredOn: "2025-03-01"},
		{Line: 4, Login: "boss", Name: "总部管理员", Role: "admin"},
		{Line: 5, Login: "li.na", Name: "李娜, 珠宝柜", Role: "trainee", Store: "002", HiredOn: "2026-02-03"},
	}
	for _, enc := range []struct {
		name string
		data []byte
	}{
		{"UTF-8 with BOM", data},
		{"UTF-8", data[3:]},
		{"GBK", gbk(t, string(data[3:]))},
	} {
		t.Run(enc.name, func(t *testing.T) {
			got, errs := ParseStaffCSV(enc.data)
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("rows =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// errorsText renders errors one per line for comparison and failure messages.
func errorsText(errs []RowError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// wantErr is an expected error: its line, column, and a substring of its message.
type wantErr struct {
	line   int
	column string
	msg    string
}

func checkErrors(t *testing.T, got []RowError, want []wantErr) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(got), len(want), errorsText(got))
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Column != w.column || !strings.Contains(g.Message, w.msg) {
			t.Errorf("error %d = %s, want line %d 「%s」 containing %q", i, g.Error(), w.line, w.column, w.msg)
		}
	}
}

func TestParseStaffCSVBadFixture(t *testing.T) {
	rows, errs := ParseStaffCSV(readFixture(t, "staff_bad.csv"))
	want := []StaffRow{{Line: 7, Login: "ok.user", Name: "好人", Role: "admin"}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("valid rows = %+v, want %+v", rows, want)
	}
	checkErrors(t, errs, []wantErr{
		{2, "login", "登录名「xiao li」不合规"},
		{3, "name", "请填写姓名"},
		{4, "role", "无法识别的角色「店长」"},
		{4, "hired", "入职日期「2025-13-01」无效"},
		{5, "store", "必须填写门店编号"},
		{5, "hired", "入职日期「2026-02-30」无效"},
		{6, "login", "登录名「wangfang」与第 3 行重复"},
		{8, "login", "登录名「x」不合规"},
		{9, "name", "姓名不能超过 40 个字"},
	})
}

func TestParseKPICSVBadFixture(t *testing.T) {
	vals, errs := ParseKPICSV(readFixture(t, "kpi_bad.csv"), testKPIs())
	want := []KPIValue{
		{"xiaoli", "2026-10", "satisfaction", 4.9},
		{"xiaoli", "2026-10", "complaints-on-time", 92},
		{"xiaoli", "2026-10", "service-cost", 2.5},
	}
	if !reflect.DeepEqual(vals, want) {
		t.Errorf("values = %v, want %v", vals, want)
	}
	checkErrors(t, errs, []wantErr{
		{1, "sales-target", "无法识别的列「sales-target」"},
		{3, "login", "「xiaoli」2026-10 的数据与第 2 行重复"},
		{4, "month", "月份「2026-13」无效"},
		{4, "satisfaction", "「abc」不是数字"},
		{4, "complaints-on-time", "「-5」不能为负数"},
		{4, "service-cost", "「101%」超过 100%"},
		{5, "login", "请填写登录名"},
		{6, "month", "月份「Oct-26」无效"},
		{6, "satisfaction", "「顾客满意度」的单位是「分」，不能带百分号"},
		{7, "complaints-on-time", "「１００」不是数字"},
		{7, "service-cost", "「NaN」不是数字"},
	})
}

func TestParseStaffCSV(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		logins []string
		errs   []wantErr
	}{
		{
			name:   "English header, any order, any case",
			data:   "Role,LOGIN,Name,Store,Hired\ntrainee,a1,甲,001,2026-01-01\nSupervisor,b2,乙,001,\n督导,c3,丙,002,\n",
			logins: []string{"a1", "b2", "c3"},
		},
		{
			name:   "header notes in brackets",
			data:   "登录名（小写）,姓名,角色,门店编号,入职日期(YYYY-MM-DD)\nab,甲,学员,1,2026/3/9\n",
			logins: []string{"ab"},
		},
		{
			name:   "login upper case and spaces are normalised",
			data:   "登录名,姓名,角色,门店编号\n  ZhangSan ,　张三　,学员,001\n",
			logins: []string{"zhangsan"},
		},
		{
			name:   "optional columns may be absent for admins",
			data:   "login,name,role\nroot,管理员,admin\n",
			logins: []string{"root"},
		},
		{
			name: "store column missing for trainees",
			data: "login,name,role\nab,甲,学员\ncd,乙,主管\n",
			errs: []wantErr{{1, "门店编号", "缺少「门店编号」列"}},
		},
		{
			name: "required columns missing",
			data: "姓名,门店编号\n甲,001\n",
			errs: []wantErr{{1, "登录名", "缺少「登录名」列"}, {1, "角色", "缺少「角色」列"}},
		},
		{
			name: "unknown and repeated columns",
			data: "登录名,姓名,角色,门店编号,login,电话\nab,甲,学员,001,ab,138\n",
			errs: []wantErr{
				{1, "login", "「登录名」列重复出现"},
				{1, "电话", "无法识别的列「电话」"},
			},
			logins: []string{"ab"},
		},
		{
			name:   "trailing empty columns and rows are ignored",
			data:   "登录名,姓名,角色,门店编号,,,\nab,甲,学员,001,,,\n,,,,,,\n\n,,,\n",
			logins: []string{"ab"},
		},
		{
			name: "a value under an empty header",
			data: "登录名,姓名,角色,门店编号,\nab,甲,学员,001,备注\ncd,乙,学员,001,,多出来\n",
			errs: []wantErr{
				{2, "第 5 列", "这一列没有列名，无法识别其中的「备注」"},
				{3, "第 6 列", "无法识别其中的「多出来」"},
			},
			logins: []string{"ab", "cd"},
		},
		{
			name: "line numbers count Excel rows: quoted line breaks and blank lines",
			data: "登录名,姓名,角色,门店编号\nab,\"甲\n乙\",学员,001\n\ncd,丙,学员,\nef,\"丁\r\n\r\n戊\",学员,001\ngh,己,坏,001\n",
			errs: []wantErr{
				{4, "门店编号", "必须填写门店编号"},
				{6, "角色", "无法识别的角色「坏」"},
			},
			logins: []string{"ab", "ef"},
		},
		{
			name:   "broken quote reported and reading goes on",
			data:   "登录名,姓名,角色,门店编号\nab,甲\"乙,学员,001\ncd,丙,学员,001\n",
			errs:   []wantErr{{2, "", "引号不成对"}},
			logins: []string{"cd"},
		},
		{
			name: "date forms",
			data: "登录名,姓名,角色,门店编号,入职日期\n" +
				"d1,甲,学员,1,2026-1-5\nd2,甲,学员,1,2026/01/05\nd3,甲,学员,1,2026年1月5日\nd4,甲,学员,1,2026年1月5\n" +
				"d5,甲,学员,1,2024-02-29\nd6,甲,学员,1,2026-02-29\nd7,甲,学员,1,46023\nd8,甲,学员,1,26/1/5\nd9,甲,学员,1,0999-01-01\n",
			logins: []string{"d1", "d2", "d3", "d4", "d5"},
			errs: []wantErr{
				{7, "入职日期", "「2026-02-29」无效"},
				{8, "入职日期", "「46023」无效"},
				{9, "入职日期", "「26/1/5」无效"},
				{10, "入职日期", "「0999-01-01」无效"},
			},
		},
		{
			name: "login rules",
			data: "登录名,姓名,角色,门店编号\n" +
				"ab,甲,学员,1\n.ab,甲,学员,1\nab!,甲,学员,1\n张三,甲,学员,1\n" + strings.Repeat("a", 33) + ",甲,学员,1\n" +
				strings.Repeat("a", 32) + ",甲,学员,1\n,甲,学员,1\nAB,甲,学员,1\n",
			logins: []string{"ab", strings.Repeat("a", 32)},
			errs: []wantErr{
				{3, "登录名", "不合规"},
				{4, "登录名", "不合规"},
				{5, "登录名", "不合规"},
				{6, "登录名", "不合规"},
				{8, "登录名", "请填写登录名"},
				{9, "登录名", "与第 2 行重复"},
			},
		},
		{
			name:   "name of exactly 40 characters",
			data:   "登录名,姓名,角色,门店编号\nab," + strings.Repeat("名", 40) + ",学员,1\n",
			logins: []string{"ab"},
		},
		{
			name: "role blank",
			data: "登录名,姓名,角色,门店编号\nab,甲,,1\n",
			errs: []wantErr{{2, "角色", "请填写角色"}},
		},
		{
			name: "empty file",
			data: "",
			errs: []wantErr{{1, "", "文件是空的"}},
		},
		{
			name: "only empty rows",
			data: ",,,\n\n",
			errs: []wantErr{{1, "", "文件是空的"}},
		},
		{
			name: "header only",
			data: "登录名,姓名,角色,门店编号\n,,,\n",
			errs: []wantErr{{1, "", "没有数据行"}},
		},
		{
			name: "unreadable encoding",
			data: "a\xffb",
			errs: []wantErr{{1, "", "无法识别文件编码"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := ParseStaffCSV([]byte(tt.data))
			var logins []string
			for _, r := range rows {
				logins = append(logins, r.Login)
			}
			if !reflect.DeepEqual(logins, tt.logins) {
				t.Errorf("logins = %q, want %q", logins, tt.logins)
			}
			checkErrors(t, errs, tt.errs)
		})
	}
}

func TestParseKPICSV(t *testing.T) {
	defs := testKPIs()
	tests := []struct {
		name string
		data string
		vals []KPIValue
		errs []wantErr
	}{
		{
			name: "month forms",
			data: "login,month,satisfaction\n" +
				"a1,2026-10,4\na2,2026/9,4\na3,2026年1月,4\na4,2026/10/1,4\na5,2026.12,4\n" +
				"b1,2026-10-15,4\nb2,2026-0,4\nb3,1999-01,4\nb4,10/2026,4\n",
			vals: []KPIValue{
				{"a1", "2026-10", "satisfaction", 4}, {"a2", "2026-09", "satisfaction", 4},
				{"a3", "2026-01", "satisfaction", 4}, {"a4", "2026-10", "satisfaction", 4},
				{"a5", "2026-12", "satisfaction", 4},
			},
			errs: []wantErr{
				{7, "month", "「2026-10-15」无效"},
				{8, "month", "「2026-0」无效"},
				{9, "month", "「1999-01」无效"},
				{10, "month", "「10/2026」无效"},
			},
		},
		{
			name: "same login, different months, and same month in another spelling",
			data: "登录名,月份,顾客满意度\nab,2026-10,4.9\nab,2026-11,4.7\nAB,2026年10月,4.1\n",
			vals: []KPIValue{{"ab", "2026-10", "satisfaction", 4.9}, {"ab", "2026-11", "satisfaction", 4.7}},
			errs: []wantErr{{4, "登录名", "与第 2 行重复"}},
		},
		{
			name: "value forms",
			data: "登录名,月份,投诉按时处理率,首次解决率,service-cost,退换货率,顾客满意度\n" +
				"ab,2026-10, 92 %,80％,+1.5,.5,5.\n" +
				"cd,2026-10,100,100.0%,0,0,0\n" +
				"ef,2026-10,100.01,1e2,0x10,Inf,-0.1\n" +
				"gh,2026-10,\"1,000\",9 0,12%%,50,4\n",
			vals: []KPIValue{
				{"ab", "2026-10", "complaints-on-time", 92}, {"ab", "2026-10", "first-contact-resolution", 80},
				{"ab", "2026-10", "service-cost", 1.5}, {"ab", "2026-10", "return-rate", 0.5},
				{"ab", "2026-10", "satisfaction", 5},
				{"cd", "2026-10", "complaints-on-time", 100}, {"cd", "2026-10", "first-contact-resolution", 100},
				{"cd", "2026-10", "service-cost", 0}, {"cd", "2026-10", "return-rate", 0},
				{"cd", "2026-10", "satisfaction", 0},
			},
			errs: []wantErr{
				{4, "投诉按时处理率", "超过 100%"},
				{4, "首次解决率", "「1e2」不是数字"},
				{4, "service-cost", "「0x10」不是数字"},
				{4, "退换货率", "「Inf」不是数字"},
				{4, "顾客满意度", "不能为负数"},
				{5, "投诉按时处理率", "「1,000」不是数字"},
				{5, "首次解决率", "「9 0」不是数字"},
				{5, "service-cost", "「12%%」不是数字"},
			},
		},
		{
			name: "empty cells are no value; a row without values is fine",
			data: "登录名,月份,顾客满意度,首次解决率\nab,2026-10,,\ncd,2026-10,,75\n",
			vals: []KPIValue{{"cd", "2026-10", "first-contact-resolution", 75}},
		},
		{
			name: "KPI by Chinese name with a unit note, and key case-insensitive",
			data: "登录名,月份,售后服务成本占销售额比例（%）,RETURN-RATE\nab,2026-10,2.9,3.1\n",
			vals: []KPIValue{{"ab", "2026-10", "service-cost", 2.9}, {"ab", "2026-10", "return-rate", 3.1}},
		},
		{
			name: "the same KPI twice, by key and by name",
			data: "登录名,月份,satisfaction,顾客满意度\nab,2026-10,4.9,4.8\n",
			errs: []wantErr{{1, "顾客满意度", "「顾客满意度」列重复出现"}},
			vals: []KPIValue{{"ab", "2026-10", "satisfaction", 4.9}},
		},
		{
			name: "login or month column missing",
			data: "顾客满意度\n4.9\n",
			errs: []wantErr{
				{1, "登录名", "缺少「登录名」列"},
				{1, "月份", "缺少「月份」列"},
			},
		},
		{
			name: "no KPI columns",
			data: "登录名,月份\nab,2026-10\n",
			errs: []wantErr{{1, "", "没有任何指标列"}},
		},
		{
			name: "month missing in a row",
			data: "登录名,月份,顾客满意度\nab,,4.9\n",
			errs: []wantErr{{2, "月份", "请填写月份"}},
		},
		{
			name: "bad login",
			data: "登录名,月份,顾客满意度\n张三,2026-10,4.9\n",
			errs: []wantErr{{2, "登录名", "不合规"}},
		},
		{
			name: "trailing empty columns and rows, value under empty header",
			data: "登录名,月份,顾客满意度,,\nab,2026-10,4.9,,\ncd,2026-10,4.8,,x\n,,,,\n,,,,\n",
			vals: []KPIValue{{"ab", "2026-10", "satisfaction", 4.9}, {"cd", "2026-10", "satisfaction", 4.8}},
			errs: []wantErr{{3, "第 5 列", "没有列名"}},
		},
		{
			name: "header only",
			data: "登录名,月份,顾客满意度\n",
			errs: []wantErr{{1, "", "没有数据行"}},
		},
		{
			name: "empty",
			data: "\n\n",
			errs: []wantErr{{1, "", "文件是空的"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, errs := ParseKPICSV([]byte(tt.data), defs)
			if !reflect.DeepEqual(vals, tt.vals) {
				t.Errorf("values =\n%v\nwant\n%v", vals, tt.vals)
			}
			checkErrors(t, errs, tt.errs)
		})
	}
}

func TestParseKPICSVNoDefinitions(t *testing.T) {
	_, errs := ParseKPICSV([]byte("登录名,月份,顾客满意度\nab,2026-10,4.9\n"), nil)
	checkErrors(t, errs, []wantErr{
		{1, "顾客满意度", "无法识别的列"},
		{1, "", "没有任何指标列"},
	})
}

func TestRowErrorString(t *testing.T) {
	tests := []struct {
		e    RowError
		want string
	}{
		{RowError{Line: 3, Column: "角色", Message: "无法识别"}, "第 3 行「角色」：无法识别"},
		{RowError{Line: 1, Message: "文件是空的"}, "第 1 行：文件是空的"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
