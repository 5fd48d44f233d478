package tracking

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEvaluate(t *testing.T) {
	at := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	req := Requirement{
		Hours:       40,
		Drills:      []string{"tile-colour-difference", "gold-weight-dispute"},
		FinalPass:   80,
		DrillTitles: map[string]string{"tile-colour-difference": "瓷砖色差"},
	}
	passed := &AssessmentResult{Percent: 85, Passed: true, At: at}
	// 30 h of modules, 1 h of drills, 8 h offline, i.e. 39 h: enough with one more hour.
	fullModules := []ModuleCredit{
		{"a/one", 10, true, true},
		{"a/two", 10, true, true},
		{"a/three", 10, true, true},
	}
	bothDrills := []DrillResult{
		{"tile-colour-difference", 0.5, true},
		{"gold-weight-dispute", 0.5, true},
	}
	offline := []OfflineHours{{"shadowing", 6, true}, {"complaint-observation", 2, true}}
	tests := []struct {
		name    string
		req     Requirement
		rec     Record
		want    Clearance
		missing []string
	}{
		{
			name: "cleared",
			req:  req,
			rec: Record{
				Modules: append(fullModules, ModuleCredit{"a/four", 1, true, true}),
				Drills:  bothDrills, Offline: offline, Final: passed,
			},
			want: Clearance{CreditedHours: 40, ModuleHours: 31, DrillHours: 1, OfflineHours: 8, Cleared: true},
		},
		{
			name: "nothing yet",
			req:  req,
			rec:  Record{},
			want: Clearance{},
			missing: []string{"还差 40 学时", "演练「瓷砖色差」尚未完成", "演练「gold-weight-dispute」尚未完成",
				"尚未参加结业考核"},
		},
		{
			name: "module needs reading and quiz",
			req:  Requirement{Hours: 2},
			rec: Record{Modules: []ModuleCredit{
				{"a/read-only", 1, true, false},
				{"a/quiz-only", 1, false, true},
				{"a/both", 1.5, true, true},
			}, Final: passed},
			want:    Clearance{CreditedHours: 1.5, ModuleHours: 1.5},
			missing: []string{"还差 0.5 学时"},
		},
		{
			name: "module counted once",
			req:  Requirement{Hours: 1},
			rec: Record{Modules: []ModuleCredit{
				{"a/x", 1, true, true}, {"a/x", 1, true, true},
			}, Final: passed},
			want: Clearance{CreditedHours: 1, ModuleHours: 1, Cleared: true},
		},
		{
			name: "drill counted once, failed drill credits nothing",
			req:  req,
			rec: Record{
				Modules: fullModules,
				Drills: []DrillResult{
					{"tile-colour-difference", 0.5, false},
					{"gold-weight-dispute", 0.5, true},
					{"gold-weight-dispute", 0.5, true},
					{"gold-weight-dispute", 0.5, true},
					{"pearl-dulled-by-perfume", 0.5, true}, // elective: credits hours
				},
				Offline: offline, Final: passed,
			},
			want:    Clearance{CreditedHours: 39, ModuleHours: 30, DrillHours: 1, OfflineHours: 8},
			missing: []string{"还差 1 学时", "演练「瓷砖色差」未通过"},
		},
		{
			name: "failed then passed drill",
			req:  Requirement{Hours: 0.5, Drills: []string{"d"}},
			rec:  Record{Drills: []DrillResult{{"d", 0.5, false}, {"d", 0.5, true}}, Final: passed},
			want: Clearance{CreditedHours: 0.5, DrillHours: 0.5, Cleared: true},
		},
		{
			name: "offline only when signed off, each key once",
			req:  Requirement{Hours: 8},
			rec: Record{Offline: []OfflineHours{
				{"shadowing", 6, true}, {"shadowing", 6, true}, {"complaint-observation", 2, false},
			}, Final: passed},
			want:    Clearance{CreditedHours: 6, OfflineHours: 6},
			missing: []string{"还差 2 学时"},
		},
		{
			name:    "final failed",
			req:     Requirement{},
			rec:     Record{Final: &AssessmentResult{Percent: 72, Passed: false, At: at}},
			missing: []string{"结业考核未通过"},
		},
		{
			name:    "final marked passed but below the programme's mark",
			req:     Requirement{FinalPass: 90},
			rec:     Record{Final: &AssessmentResult{Percent: 85, Passed: true, At: at}},
			missing: []string{"结业考核未通过"},
		},
		{
			name:    "default pass mark is 80",
			req:     Requirement{},
			rec:     Record{Final: &AssessmentResult{Percent: 79.5, Passed: true}},
			missing: []string{"结业考核未通过"},
		},
		{
			name: "exactly 80 passes",
			req:  Requirement{},
			rec:  Record{Final: &AssessmentResult{Percent: 80, Passed: true}},
			want: Clearance{Cleared: true},
		},
		{
			name: "decimal hours add up exactly",
			req:  Requirement{Hours: 0.3},
			rec:  Record{Modules: []ModuleCredit{{"a", 0.1, true, true}, {"b", 0.2, true, true}}, Final: passed},
			want: Clearance{CreditedHours: 0.3, ModuleHours: 0.3, Cleared: true},
		},
		{
			name: "negative or silly hours ignored",
			req:  Requirement{Hours: 1},
			rec: Record{Modules: []ModuleCredit{{"a", -5, true, true}, {"b", 1, true, true}},
				Drills: []DrillResult{{"d", -1, true}}, Offline: []OfflineHours{{"o", -3, true}}, Final: passed},
			want: Clearance{CreditedHours: 1, ModuleHours: 1, Cleared: true},
		},
		{
			name:    "hours over the requirement still need the final and drills",
			req:     Requirement{Hours: 1, Drills: []string{"d", "d"}},
			rec:     Record{Modules: []ModuleCredit{{"a", 50, true, true}}},
			want:    Clearance{CreditedHours: 50, ModuleHours: 50},
			missing: []string{"演练「d」尚未完成", "尚未参加结业考核"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.req, tt.rec)
			want := tt.want
			want.Missing = tt.missing
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Evaluate =\n %+v\nwant\n %+v", got, want)
			}
			if got.Cleared != (len(got.Missing) == 0) {
				t.Errorf("Cleared %v with Missing %q", got.Cleared, got.Missing)
			}
		})
	}
}

func TestFormatHours(t *testing.T) {
	tests := map[float64]string{40: "40", 6.5: "6.5", 0.25: "0.25", 0.1 + 0.2: "0.3", 1.0 / 3: "0.333"}
	for in, want := range tests {
		if got := FormatHours(in); got != want {
			t.Errorf("FormatHours(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestVerificationCode(t *testing.T) {
	secret := []byte("a secret of at least thirty-two bytes!")
	issued := time.Date(2026, 12, 1, 3, 4, 5, 600, time.UTC)
	code := VerificationCode(secret, 42, issued)
	if len(code) != 14 || code[4] != '-' || code[9] != '-' {
		t.Fatalf("code %q is not XXXX-XXXX-XXXX", code)
	}
	for _, r := range strings.ReplaceAll(code, "-", "") {
		if !strings.ContainsRune(crockford, r) {
			t.Fatalf("code %q has %q outside the alphabet", code, r)
		}
	}
	if again := VerificationCode(secret, 42, issued.In(time.FixedZone("CST", 8*3600))); again != code {
		t.Errorf("same instant in another zone gives %q, want %q", again, code)
	}
	if trunc := VerificationCode(secret, 42, issued.Truncate(time.Second)); trunc != code {
		t.Errorf("sub-second precision changed the code: %q vs %q", trunc, code)
	}
	lower := strings.ToLower(code)
	tests := []struct {
		name   string
		secret []byte
		user   int64
		issued time.Time
		code   string
		want   bool
	}{
		{"exact", secret, 42, issued, code, true},
		{"lower case", secret, 42, issued, lower, true},
		{"no dashes", secret, 42, issued, strings.ReplaceAll(code, "-", ""), true},
		{"spaces", secret, 42, issued, " " + strings.ReplaceAll(code, "-", " ") + " ", true},
		{"letters for digits", secret, 42, issued, confusable(code), true},
		{"other user", secret, 43, issued, code, false},
		{"other time", secret, 42, issued.Add(time.Second), code, false},
		{"other secret", []byte("another secret"), 42, issued, code, false},
		{"one char changed", secret, 42, issued, flip(code), false},
		{"too short", secret, 42, issued, code[:13], false},
		{"too long", secret, 42, issued, code + "0", false},
		{"empty", secret, 42, issued, "", false},
		{"garbage", secret, 42, issued, "证书编号-!!!!-????", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifyCode(tt.secret, tt.user, tt.issued, tt.code); got != tt.want {
				t.Errorf("VerifyCode(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

func TestVerificationCodeSpread(t *testing.T) {
	secret := []byte("k")
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := map[string]int64{}
	for id := int64(1); id <= 2000; id++ {
		c := VerificationCode(secret, id, issued)
		if prev, ok := seen[c]; ok {
			t.Fatalf("users %d and %d share code %s", prev, id, c)
		}
		seen[c] = id
	}
}

func TestNormalizeCode(t *testing.T) {
	tests := map[string]string{
		"abcd-efgh-jkmn":      "ABCD-EFGH-JKMN",
		"ABCDEFGHJKMN":        "ABCD-EFGH-JKMN",
		"o1il-0000-0000":      "0111-0000-0000",
		"ABCD－EFGH－JKMN":      "ABCD-EFGH-JKMN",
		"ABCD-EFGH-JKMU":      "", // U is not in the alphabet
		"ABCD-EFGH":           "",
		"ABCD-EFGH-JKMN-PQRS": "",
	}
	for in, want := range tests {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// confusable writes a code the way someone might type it: 0 as O, 1 as l.
func confusable(code string) string {
	return strings.NewReplacer("0", "O", "1", "l").Replace(code)
}

// flip changes the first character of a code to another valid one.
func flip(code string) string {
	c := "0"
	if code[0] == '0' {
		c = "1"
	}
	return c + code[1:]
}
