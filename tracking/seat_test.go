package tracking

import (
	"testing"
	"time"
)

func TestCredit(t *testing.T) {
	t0 := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	r := DefaultSeatRules
	tests := []struct {
		name  string
		last  time.Time
		now   time.Time
		sofar time.Duration
		cap   time.Duration
		want  time.Duration
	}{
		{"first report starts the clock", time.Time{}, t0, 0, time.Hour, 0},
		{"one-minute heartbeat counts", t0, t0.Add(time.Minute), 0, time.Hour, time.Minute},
		{"gap exactly idle counts", t0, t0.Add(5 * time.Minute), 0, time.Hour, 5 * time.Minute},
		{"gap beyond idle counts nothing", t0, t0.Add(5*time.Minute + time.Second), 0, time.Hour, 0},
		{"long absence counts nothing", t0, t0.Add(3 * time.Hour), 0, time.Hour, 0},
		{"same instant", t0, t0, 0, time.Hour, 0},
		{"clock going backwards", t0, t0.Add(-time.Minute), 0, time.Hour, 0},
		{"stops at the cap", t0, t0.Add(4 * time.Minute), 58 * time.Minute, time.Hour, 2 * time.Minute},
		{"nothing once capped", t0, t0.Add(time.Minute), time.Hour, time.Hour, 0},
		{"nothing when already past the cap", t0, t0.Add(time.Minute), 2 * time.Hour, time.Hour, 0},
		{"zero cap falls back to rules", t0, t0.Add(2 * time.Minute), 29 * time.Minute, 0, time.Minute},
		{"different zones, same instant gap", t0.In(time.FixedZone("CST", 8*3600)), t0.Add(30 * time.Second), 0, time.Hour, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Credit(tt.last, tt.now, tt.sofar, tt.cap); got != tt.want {
				t.Errorf("Credit = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCreditNoCap(t *testing.T) {
	r := SeatRules{Idle: time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := r.Credit(t0, t0.Add(time.Minute), 100*time.Hour, 0); got != time.Minute {
		t.Errorf("without any cap Credit = %v, want 1m", got)
	}
}

func TestCreditSession(t *testing.T) {
	// A reader heartbeating every minute for 25 minutes, away for 20, back for 10:
	// only the 35 active minutes count, and the module cap (30 min) trims it.
	r := DefaultSeatRules
	t0 := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	var reports []time.Time
	for i := 0; i <= 25; i++ {
		reports = append(reports, t0.Add(time.Duration(i)*time.Minute))
	}
	back := t0.Add(45 * time.Minute)
	for i := 0; i <= 10; i++ {
		reports = append(reports, back.Add(time.Duration(i)*time.Minute))
	}
	tests := []struct {
		name string
		cap  time.Duration
		want time.Duration
	}{
		{"generous cap", r.ModuleCap(60), 35 * time.Minute},
		{"tight cap", r.ModuleCap(5), 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sofar time.Duration
			var last time.Time
			for _, now := range reports {
				sofar += r.Credit(last, now, sofar, tt.cap)
				last = now
			}
			if sofar != tt.want {
				t.Errorf("active = %v, want %v", sofar, tt.want)
			}
		})
	}
}

func TestModuleCap(t *testing.T) {
	tests := []struct {
		minutes int
		want    time.Duration
	}{
		{0, 30 * time.Minute},
		{5, 30 * time.Minute},
		{10, 30 * time.Minute},
		{20, 60 * time.Minute},
		{60, 180 * time.Minute},
	}
	for _, tt := range tests {
		if got := DefaultSeatRules.ModuleCap(tt.minutes); got != tt.want {
			t.Errorf("ModuleCap(%d) = %v, want %v", tt.minutes, got, tt.want)
		}
	}
}

func TestReadingComplete(t *testing.T) {
	tests := []struct {
		active  time.Duration
		minutes int
		want    bool
	}{
		{0, 0, true},
		{0, -1, true},
		{19*time.Minute + 59*time.Second, 20, false},
		{20 * time.Minute, 20, true},
		{2 * time.Hour, 20, true},
		{0, 20, false},
	}
	for _, tt := range tests {
		if got := ReadingComplete(tt.active, tt.minutes); got != tt.want {
			t.Errorf("ReadingComplete(%v, %d) = %v, want %v", tt.active, tt.minutes, got, tt.want)
		}
	}
}
