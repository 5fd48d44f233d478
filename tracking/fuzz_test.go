package tracking

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// addFixtures seeds a fuzz target with every file in testdata/ plus some hand-made edge cases.
func addFixtures(f *testing.F, extra ...string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// checkFuzzErrors is what must hold for any input: every error points at a real row and says
// something, and an error-free result is consistent.
func checkFuzzErrors(t *testing.T, errs []RowError) {
	for _, e := range errs {
		if e.Line < 1 {
			t.Fatalf("error with line %d: %s", e.Line, e.Error())
		}
		if e.Message == "" {
			t.Fatalf("error without message: %+v", e)
		}
		if !utf8.ValidString(e.Message) || !utf8.ValidString(e.Column) {
			t.Fatalf("error is not valid UTF-8: %q", e.Error())
		}
	}
	for i := 1; i < len(errs); i++ {
		if errs[i].Line < errs[i-1].Line {
			t.Fatalf("errors out of line order: %v", errs)
		}
	}
}

func FuzzParseStaffCSV(f *testing.F) {
	addFixtures(f,
		"",
		"登录名,姓名,角色,门店编号,入职日期\n",
		"login,name,role\nroot,管理员,admin\n",
		"登录名,姓名,角色,门店编号\nab,\"甲\n乙\",学员,001\n\ncd,丙,学员,\n",
		"登录名,姓名,角色,门店编号\nab,甲\"乙,学员,001\n\"unterminated\n",
		"\r\r\r,,,\r",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs := ParseStaffCSV(data)
		checkFuzzErrors(t, errs)
		seen := map[string]bool{}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row on line %d", r.Line)
			}
			if !loginRE.MatchString(r.Login) || seen[r.Login] {
				t.Fatalf("bad or repeated login accepted: %+v", r)
			}
			seen[r.Login] = true
			if r.Name == "" || utf8.RuneCountInString(r.Name) > 40 {
				t.Fatalf("bad name accepted: %+v", r)
			}
			switch r.Role {
			case "trainee", "supervisor":
				if r.Store == "" {
					t.Fatalf("store missing: %+v", r)
				}
			case "admin":
			default:
				t.Fatalf("bad role accepted: %+v", r)
			}
			if r.HiredOn != "" {
				if _, ok := parseDate(r.HiredOn); !ok {
					t.Fatalf("bad date accepted: %+v", r)
				}
			}
		}
	})
}

func FuzzParseKPICSV(f *testing.F) {
	addFixtures(f,
		"",
		"登录名,月份,顾客满意度\n",
		"login,month,satisfaction,service-cost\nab,2026-10,4.9%,3％\n",
		"login,month,complaints-on-time\nab,2026年10月,100.5\nab,2026/10,,\n",
		"login,month,satisfaction,,\nab,2026-10,4.9,,x\n,,,,\n",
	)
	defs := testKPIs()
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, errs := ParseKPICSV(data, defs)
		checkFuzzErrors(t, errs)
		units := map[string]string{}
		for _, k := range defs {
			units[k.Key] = k.Unit
		}
		for _, v := range vals {
			unit, ok := units[v.Key]
			if !ok {
				t.Fatalf("unknown KPI accepted: %+v", v)
			}
			if !loginRE.MatchString(v.Login) {
				t.Fatalf("bad login accepted: %+v", v)
			}
			if _, ok := parseMonth(v.Month); !ok || len(v.Month) != 7 || !strings.HasPrefix(v.Month, v.Month[:4]+"-") {
				t.Fatalf("bad month accepted: %+v", v)
			}
			if v.Value < 0 || (unit == "%" && v.Value > 100) || v.Value != v.Value {
				t.Fatalf("bad value accepted: %+v", v)
			}
		}
	})
}
