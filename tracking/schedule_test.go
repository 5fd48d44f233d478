package tracking

import (
	"errors"
	"testing"
	"time"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// A machine without tzdata: the fixed zone is the same for China (no DST since 1991).
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

func TestPeriod(t *testing.T) {
	sh := shanghai(t)
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		name       string
		recurrence string
		t          time.Time
		loc        *time.Location
		key        string
		start      time.Time
	}{
		{"monthly mid-month", Monthly, utc(2026, 11, 15, 4, 0), sh, "2026-11", utc(2026, 10, 31, 16, 0)},
		{"monthly: 1 Nov 07:00 Shanghai is still Oct in UTC", Monthly, utc(2026, 10, 31, 23, 0), sh, "2026-11", utc(2026, 10, 31, 16, 0)},
		{"monthly: last minute of Oct in Shanghai", Monthly, utc(2026, 10, 31, 15, 59), sh, "2026-10", utc(2026, 9, 30, 16, 0)},
		{"monthly in UTC", Monthly, utc(2026, 10, 31, 23, 0), time.UTC, "2026-10", utc(2026, 10, 1, 0, 0)},
		{"nil location is UTC", Monthly, utc(2026, 10, 31, 23, 0), nil, "2026-10", utc(2026, 10, 1, 0, 0)},
		{"quarterly Q4", Quarterly, utc(2026, 11, 15, 4, 0), sh, "2026-Q4", utc(2026, 9, 30, 16, 0)},
		{"quarterly Q1 across new year", Quarterly, utc(2026, 12, 31, 17, 0), sh, "2027-Q1", utc(2026, 12, 31, 16, 0)},
		{"quarterly Q2", Quarterly, utc(2026, 6, 30, 0, 0), sh, "2026-Q2", utc(2026, 3, 31, 16, 0)},
		{"quarterly Q3 first instant", Quarterly, utc(2026, 6, 30, 16, 0), sh, "2026-Q3", utc(2026, 6, 30, 16, 0)},
		{"monthly January", Monthly, utc(2027, 1, 10, 0, 0), sh, "2027-01", utc(2026, 12, 31, 16, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, start, err := Period(tt.recurrence, tt.t, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			if key != tt.key || !start.Equal(tt.start) || start.Location() != time.UTC {
				t.Errorf("Period = %q %v, want %q %v (UTC)", key, start, tt.key, tt.start)
			}
		})
	}
}

func TestPeriodUnknown(t *testing.T) {
	for _, r := range []string{"", "weekly", "Monthly"} {
		if _, _, err := Period(r, time.Now(), time.UTC); !errors.Is(err, ErrRecurrence) {
			t.Errorf("Period(%q) err = %v, want ErrRecurrence", r, err)
		}
	}
}

func TestDueDate(t *testing.T) {
	sh := shanghai(t)
	_, novStart, _ := Period(Monthly, time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), sh)
	tests := []struct {
		name  string
		start time.Time
		days  int
		loc   *time.Location
		want  time.Time // in UTC
	}{
		{"14 days from 1 Nov: end of 14 Nov Shanghai", novStart, 14, sh, time.Date(2026, 11, 14, 15, 59, 59, 0, time.UTC)},
		{"21 days for the quarterly", novStart, 21, sh, time.Date(2026, 11, 21, 15, 59, 59, 0, time.UTC)},
		{"assigned late in the day counts that day", time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC), 1, sh, time.Date(2026, 11, 10, 15, 59, 59, 0, time.UTC)},
		{"assigned just after midnight Shanghai", time.Date(2026, 11, 10, 16, 30, 0, 0, time.UTC), 1, sh, time.Date(2026, 11, 11, 15, 59, 59, 0, time.UTC)},
		{"zero days means end of that day", novStart, 0, sh, time.Date(2026, 11, 1, 15, 59, 59, 0, time.UTC)},
		{"across month end", time.Date(2026, 1, 25, 0, 0, 0, 0, time.UTC), 14, time.UTC, time.Date(2026, 2, 7, 23, 59, 59, 0, time.UTC)},
		{"nil location is UTC", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1, nil, time.Date(2026, 1, 1, 23, 59, 59, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DueDate(tt.start, tt.days, tt.loc)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("DueDate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDueDateDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	// 8 March 2026 is 23 hours long in New York; the due instant is still 23:59:59 local.
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, ny)
	got := DueDate(start, 14, ny).In(ny)
	if got.Day() != 14 || got.Hour() != 23 || got.Minute() != 59 || got.Second() != 59 {
		t.Errorf("DueDate across DST = %v, want 14 March 23:59:59", got)
	}
}

func TestStatus(t *testing.T) {
	due := time.Date(2026, 11, 14, 15, 59, 59, 0, time.UTC)
	early := due.Add(-48 * time.Hour)
	late := due.Add(48 * time.Hour)
	tests := []struct {
		name      string
		completed *time.Time
		now       time.Time
		want      AssignmentStatus
		label     string
	}{
		{"open before due", nil, early, StatusOpen, "待完成"},
		{"open at the due instant", nil, due, StatusOpen, "待完成"},
		{"overdue one second later", nil, due.Add(time.Second), StatusOverdue, "已逾期"},
		{"done on time", &early, late, StatusDone, "已完成"},
		{"done late is still done", &late, late.Add(time.Hour), StatusDone, "已完成"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Status(due, tt.completed, tt.now)
			if got != tt.want || got.Label() != tt.label {
				t.Errorf("Status = %q (%s), want %q (%s)", got, got.Label(), tt.want, tt.label)
			}
		})
	}
}

func TestNeeds(t *testing.T) {
	sh := shanghai(t)
	_, nov, _ := Period(Monthly, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), sh)
	date := func(y int, m time.Month, d int, loc *time.Location) time.Time {
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	tests := []struct {
		name    string
		active  bool
		hired   time.Time
		cleared bool
		want    bool
	}{
		{"active cleared staff hired long ago", true, date(2024, 5, 1, time.UTC), true, true},
		{"hired the day before the period", true, date(2026, 10, 31, sh), true, true},
		{"hired on the first day (UTC midnight)", true, date(2026, 11, 1, time.UTC), true, false},
		{"hired on the first day (Shanghai midnight)", true, date(2026, 11, 1, sh), true, false},
		{"hired mid-period", true, date(2026, 11, 10, time.UTC), true, false},
		{"not yet cleared for duty", true, date(2024, 5, 1, time.UTC), false, false},
		{"inactive", false, date(2024, 5, 1, time.UTC), true, false},
		{"hire date unknown", true, time.Time{}, true, true},
		{"hire date unknown and not cleared", true, time.Time{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Needs(tt.active, tt.hired, nov, tt.cleared); got != tt.want {
				t.Errorf("Needs = %v, want %v", got, tt.want)
			}
		})
	}
}
