// Package tracking follows people through their programmes: module progress and seat time,
// credited hours, onboarding clearance, recurring refresher and assessment assignments, and
// KPI scoring. It holds the rules; the store package persists what they need.
package tracking
