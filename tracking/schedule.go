package tracking

import (
	"errors"
	"fmt"
	"time"
)

// The recurrences a refresher or assessment programme may declare (docs/authoring.md).
const (
	Monthly   = "monthly"
	Quarterly = "quarterly"
)

// ErrRecurrence is returned for a recurrence other than Monthly or Quarterly, so a typo in a
// programme file is refused instead of silently never assigning anything.
var ErrRecurrence = errors.New("tracking: unknown recurrence")

// Period names the period that t falls in and returns its first instant. Periods follow the
// calendar in loc (Asia/Shanghai for stores in China), not UTC: a refresher assigned at
// 07:00 on 1 November in Shanghai belongs to November although it is still 31 October in
// UTC. The key is "2026-11" for monthly and "2026-Q4" for quarterly; together with the user
// and the programme it is the unique key of an assignment, so running the scheduler twice
// assigns nothing twice (the store enforces that uniqueness; these functions only compute).
// start is returned in UTC, as everything is stored. A nil loc means UTC.
func Period(recurrence string, t time.Time, loc *time.Location) (key string, start time.Time, err error) {
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	y, m := lt.Year(), lt.Month()
	switch recurrence {
	case Monthly:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		return fmt.Sprintf("%04d-%02d", y, int(m)), start.UTC(), nil
	case Quarterly:
		q := (int(m)-1)/3 + 1
		start = time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
		return fmt.Sprintf("%04d-Q%d", y, q), start.UTC(), nil
	}
	return "", time.Time{}, fmt.Errorf("%w %q", ErrRecurrence, recurrence)
}

// DueDate is when an assignment made at start is due: the last second (23:59:59) of the
// dueDays-th calendar day in loc, counting the day of start as day 1, returned in UTC. So an
// assignment made on 1 November with 14 days is due at 23:59:59 on 14 November, Shanghai
// time, which is what "分配后 14 天内完成" means to staff. Pass the period start for the regular
// run, or the moment of assignment when someone is assigned later in the period so they get
// the full number of days. dueDays below 1 is taken as 1 (due by the end of that day). A nil
// loc means UTC.
func DueDate(start time.Time, dueDays int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	if dueDays < 1 {
		dueDays = 1
	}
	ls := start.In(loc)
	next := time.Date(ls.Year(), ls.Month(), ls.Day()+dueDays, 0, 0, 0, 0, loc)
	return next.Add(-time.Second).UTC()
}

// AssignmentStatus is where a refresher or assessment assignment stands, for lists, reminders
// and the supervisor's dashboard.
type AssignmentStatus string

// The assignment states. An assignment completed after its due date is still done: it is the
// overdue reminders that stop, and the completion time keeps the lateness on record.
const (
	StatusOpen    AssignmentStatus = "open"
	StatusDone    AssignmentStatus = "done"
	StatusOverdue AssignmentStatus = "overdue"
)

// Label is the status as staff read it.
func (s AssignmentStatus) Label() string {
	switch s {
	case StatusDone:
		return "已完成"
	case StatusOverdue:
		return "已逾期"
	default:
		return "待完成"
	}
}

// Status decides an assignment's state at now: done once completed (at any time), overdue when
// now is past the due instant and it is not completed, open otherwise. The due instant itself
// is still on time.
func Status(due time.Time, completed *time.Time, now time.Time) AssignmentStatus {
	switch {
	case completed != nil:
		return StatusDone
	case now.After(due):
		return StatusOverdue
	default:
		return StatusOpen
	}
}

// Needs reports whether a person should get a recurring refresher or assessment for the period
// that starts at periodStart. The rule: recurring training is for working staff, so the person
// must be active and cleared for duty (onboarding passed; until then onboarding is their
// training), and must have been hired before the period began: someone hired during the
// period (including on its first day, whether the date is stored as midnight UTC or midnight
// in loc) is not assigned that period's refresher, and gets the next one. A zero hiredOn
// (hire date not recorded) does not hold anyone back. The scheduler may run every day: a
// person who becomes eligible mid-period (cleared after the period began) is then assigned
// the current period, with DueDate counted from the day of assignment. Idempotency is not
// decided here: the store keeps one assignment per user, programme and period key.
func Needs(active bool, hiredOn time.Time, periodStart time.Time, onboardingCleared bool) bool {
	if !active || !onboardingCleared {
		return false
	}
	return hiredOn.IsZero() || hiredOn.Before(periodStart)
}
