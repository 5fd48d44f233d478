package tracking

import "time"

// ModuleProgress is what the platform knows about one person and one module: when they opened
// it, how long they were measurably active on it, and whether its quiz is passed. Credited
// hours are decided from this, never from the client's word.
type ModuleProgress struct {
	ModuleID      string
	FirstOpened   time.Time
	LastSeen      time.Time
	ActiveSeconds int
	Visits        int
}
