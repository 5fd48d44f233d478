package tracking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DefaultFinalPass is the final assessment's pass mark in percent when a programme names none;
// the product brief sets 80 % for onboarding.
const DefaultFinalPass = 80

// Requirement is what an onboarding programme asks before a new hire is cleared for duty
// (可上岗): credited hours, role-play drills that must each be passed, and the final
// assessment's pass mark. The store builds it from the programme file.
type Requirement struct {
	// Hours is the credited hours required (40 for onboarding).
	Hours float64
	// Drills are the scenario slugs that must each be passed at least once.
	Drills []string
	// FinalPass is the final assessment's pass mark in percent; 0 means DefaultFinalPass.
	FinalPass int
	// DrillTitles optionally maps a scenario slug to its Chinese title, so that Missing can
	// name the drill as learners know it; a slug without a title is shown as the slug.
	DrillTitles map[string]string
}

// ModuleCredit is one module as the clearance rule sees it: its credited hours, and whether
// its reading time is complete and its quiz passed. Both are needed before the hours count,
// so neither clicking through nor guessing the quiz alone earns hours.
type ModuleCredit struct {
	ModuleID    string
	Hours       float64
	ReadingDone bool
	QuizPassed  bool
}

// DrillResult is one graded role-play drill. Its hours count only when it is passed, and a
// scenario counts once however often it is passed, so repeating an easy drill earns nothing.
type DrillResult struct {
	Scenario string
	Hours    float64
	Passed   bool
}

// OfflineHours is a supervisor-logged activity (shadowing, complaint observation). It counts
// only once a supervisor has signed it off, and each activity key counts once (at the largest
// signed-off hours), because the programme fixes the hours an activity is worth.
type OfflineHours struct {
	Key       string
	Hours     float64
	SignedOff bool
}

// AssessmentResult is the outcome of a final assessment attempt; Passed is the quiz
// grader's verdict and Percent the score, kept so the rule can also check the programme's mark.
type AssessmentResult struct {
	Percent float64
	Passed  bool
	At      time.Time
}

// Record is everything the platform knows about one person's onboarding, gathered by the
// store; Evaluate decides clearance from it alone.
type Record struct {
	Modules []ModuleCredit
	Drills  []DrillResult
	Offline []OfflineHours
	// Final is the best (or latest passed) final assessment attempt; nil when none was taken.
	Final *AssessmentResult
}

// Clearance is the verdict on one person's onboarding: credited hours split by source (for the
// progress page), whether they are cleared for duty, and, in Simplified Chinese, exactly what
// is still missing so the learner and supervisor know the next step.
type Clearance struct {
	CreditedHours float64
	ModuleHours   float64
	DrillHours    float64
	OfflineHours  float64
	Cleared       bool
	Missing       []string
}

// Evaluate applies the onboarding rule to a record. A module credits its hours only when its
// reading is complete and its quiz passed (each module once); a drill only when passed (each
// scenario once); an offline activity only when signed off (each key once). The person is
// cleared only when credited hours reach req.Hours, every required drill is passed, and the
// final assessment is passed (Passed and Percent ≥ the pass mark). Missing lists what is still
// needed, hours first, then drills in programme order, then the final assessment.
func Evaluate(req Requirement, rec Record) Clearance {
	var c Clearance

	seenModule := map[string]bool{}
	for _, m := range rec.Modules {
		if !m.ReadingDone || !m.QuizPassed || seenModule[m.ModuleID] || !validHours(m.Hours) {
			continue
		}
		seenModule[m.ModuleID] = true
		c.ModuleHours += m.Hours
	}

	passedDrill := map[string]bool{}
	attempted := map[string]bool{}
	for _, d := range rec.Drills {
		attempted[d.Scenario] = true
		if !d.Passed || passedDrill[d.Scenario] {
			continue
		}
		passedDrill[d.Scenario] = true
		if validHours(d.Hours) {
			c.DrillHours += d.Hours
		}
	}

	offline := map[string]float64{}
	var offlineOrder []string
	for _, o := range rec.Offline {
		if !o.SignedOff || !validHours(o.Hours) {
			continue
		}
		if _, ok := offline[o.Key]; !ok {
			offlineOrder = append(offlineOrder, o.Key)
		}
		offline[o.Key] = math.Max(offline[o.Key], o.Hours)
	}
	for _, k := range offlineOrder {
		c.OfflineHours += offline[k]
	}

	c.ModuleHours = roundHours(c.ModuleHours)
	c.DrillHours = roundHours(c.DrillHours)
	c.OfflineHours = roundHours(c.OfflineHours)
	c.CreditedHours = roundHours(c.ModuleHours + c.DrillHours + c.OfflineHours)

	if short := roundHours(req.Hours - c.CreditedHours); short > 0 {
		c.Missing = append(c.Missing, "还差 "+FormatHours(short)+" 学时")
	}
	seenReq := map[string]bool{}
	for _, slug := range req.Drills {
		if passedDrill[slug] || seenReq[slug] {
			continue
		}
		seenReq[slug] = true
		title := slug
		if t := req.DrillTitles[slug]; t != "" {
			title = t
		}
		if attempted[slug] {
			c.Missing = append(c.Missing, "演练「"+title+"」未通过")
		} else {
			c.Missing = append(c.Missing, "演练「"+title+"」尚未完成")
		}
	}
	pass := float64(req.FinalPass)
	if req.FinalPass <= 0 {
		pass = DefaultFinalPass
	}
	switch {
	case rec.Final == nil:
		c.Missing = append(c.Missing, "尚未参加结业考核")
	case !rec.Final.Passed || !(rec.Final.Percent >= pass):
		c.Missing = append(c.Missing, "结业考核未通过")
	}
	c.Cleared = len(c.Missing) == 0
	return c
}

// validHours keeps a corrupt or negative hours value from adding to or subtracting from the
// credited total.
func validHours(h float64) bool {
	return h > 0 && !math.IsInf(h, 0) && !math.IsNaN(h)
}

// roundHours rounds to 1/1000 hour so that sums of decimal hours (0.1 + 0.2) compare and print
// as a person expects.
func roundHours(h float64) float64 {
	return math.Round(h*1000) / 1000
}

// FormatHours prints hours without needless zeros ("6.5", "40", "0.25") for Chinese messages
// and pages.
func FormatHours(h float64) string {
	return strconv.FormatFloat(roundHours(h), 'f', -1, 64)
}

// crockford is Crockford's base-32 alphabet: digits and capitals without I, L, O and U, so a
// code read off paper over the phone cannot be mistyped into another valid code.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// VerificationCode is the code printed on a certificate so that anyone holding the paper can
// check it online: an HMAC-SHA256 under the server's secret of the user and the issue time
// (whole seconds, UTC, so a database that drops sub-second precision still verifies), cut to
// 60 bits and written as 12 Crockford base-32 characters in groups: "XXXX-XXXX-XXXX". Without
// the secret nobody can forge one; 60 bits is far beyond guessing through a rate-limited page.
func VerificationCode(secret []byte, userID int64, issued time.Time) string {
	mac := hmac.New(sha256.New, secret)
	var msg [16]byte
	binary.BigEndian.PutUint64(msg[:8], uint64(userID))              // #nosec G115 -- the bit pattern goes into the MAC; nothing is computed with it
	binary.BigEndian.PutUint64(msg[8:], uint64(issued.UTC().Unix())) // #nosec G115 -- as above
	mac.Write([]byte("aftercare-certificate-v1\x00"))
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	v := binary.BigEndian.Uint64(sum[:8]) >> 4 // top 60 bits
	var b strings.Builder
	for i := 0; i < 12; i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		shift := uint(55 - 5*i)
		b.WriteByte(crockford[(v>>shift)&31])
	}
	return b.String()
}

// VerifyCode reports whether code is the verification code for this user and issue time. It
// forgives what people do when typing a code: lower case, missing or extra dashes and spaces,
// and O/I/L for 0/1/1. The comparison runs in constant time.
func VerifyCode(secret []byte, userID int64, issued time.Time, code string) bool {
	want := VerificationCode(secret, userID, issued)
	got := NormalizeCode(code)
	if len(got) != len(want) {
		return false
	}
	return hmac.Equal([]byte(got), []byte(want))
}

// NormalizeCode turns a typed verification code into the printed form ("XXXX-XXXX-XXXX"),
// or "" when it cannot be one, so a verification page can also look certificates up by code.
func NormalizeCode(code string) string {
	var raw []byte
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '－' || r == '　':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 'Z' || !strings.ContainsRune(crockford, r) {
			return ""
		}
		raw = append(raw, byte(r))
	}
	if len(raw) != 12 {
		return ""
	}
	return fmt.Sprintf("%s-%s-%s", raw[0:4], raw[4:8], raw[8:12])
}
