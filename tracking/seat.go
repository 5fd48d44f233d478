package tracking

import "time"

// SeatRules decide how much of the time between two activity reports (a page view or a
// heartbeat the browser sends while the page is visible and in use) counts as active reading.
// Seat time is measured on the server from the arrival times of those reports; the client's
// clock is never asked, so a learner cannot earn hours by changing it or by leaving a tab open.
type SeatRules struct {
	// Idle is the longest gap between two reports that still counts: a longer gap means the
	// reader was away, and none of it counts.
	Idle time.Duration
	// Cap is the least active time a module may collect; the cap for a module is the larger
	// of this and three times the module's minimum reading minutes (see ModuleCap). It stops a
	// page left open with a heartbeat from piling up time that nobody spent reading.
	Cap time.Duration
}

// DefaultSeatRules are the platform's rules: a gap of more than five minutes between reports
// counts nothing, and a module collects at most three times its minimum minutes (at least 30
// minutes), which is ample for a careful reader and keeps dashboards honest.
var DefaultSeatRules = SeatRules{Idle: 5 * time.Minute, Cap: 30 * time.Minute}

// ModuleCap is the most active time one module can collect under r: three times its minimum
// reading minutes, but never less than r.Cap. Reading is complete long before the cap, so the
// cap only trims time that says nothing more about the learner.
func (r SeatRules) ModuleCap(minMinutes int) time.Duration {
	c := 3 * time.Duration(minMinutes) * time.Minute
	if c < r.Cap {
		c = r.Cap
	}
	return c
}

// Credit is how much active time a new activity report at now adds to a module whose previous
// report arrived at last and which has collected sofar already. The rule:
//
//   - the first report (last is zero) adds nothing: it only starts the clock;
//   - otherwise the gap now − last counts in full when it is at most r.Idle, and not at all
//     when it is longer (the reader was away; we do not guess how much of it was reading);
//   - a gap of zero or less (clock going backwards, duplicate report) adds nothing;
//   - the total never passes the cap: cap when it is positive, else r.Cap.
//
// Both times are server times. The caller stores now as the new last report whether or not
// anything was credited, so reading resumes counting after a break.
func (r SeatRules) Credit(last, now time.Time, sofar time.Duration, cap time.Duration) time.Duration {
	if last.IsZero() {
		return 0
	}
	gap := now.Sub(last)
	if gap <= 0 || gap > r.Idle {
		return 0
	}
	if cap <= 0 {
		cap = r.Cap
	}
	if cap > 0 {
		room := cap - sofar
		if room <= 0 {
			return 0
		}
		if gap > room {
			gap = room
		}
	}
	return gap
}

// ReadingComplete reports whether active seat time meets a module's minimum reading minutes,
// the first of the two conditions (with a passed quiz) for crediting the module's hours. A
// module without a minimum (minMinutes ≤ 0) is read as soon as it is opened.
func ReadingComplete(active time.Duration, minMinutes int) bool {
	if minMinutes <= 0 {
		return true
	}
	return active >= time.Duration(minMinutes)*time.Minute
}
