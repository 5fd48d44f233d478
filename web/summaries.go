package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/store"
	"aftercare/tracking"
)

// onboardingSummaryFormat changes when the evaluation's code changes meaning, so summaries
// written by an older build are evaluated again rather than trusted.
const onboardingSummaryFormat = 1

// catalogFingerprint identifies what in the content the summaries depend on (the onboarding
// programme, its modules' hours and reading minutes, its drills' hours, the seat-time rules,
// the KPI definitions), so a content change makes every stored summary stale.
func catalogFingerprint(cat *courses.Catalog) string {
	type module struct {
		ID      string
		Hours   float64
		Minutes int
	}
	type drill struct {
		Slug  string
		Hours float64
	}
	in := struct {
		Format    int
		Programme *courses.Programme
		Modules   []module
		Drills    []drill
		Seat      tracking.SeatRules
		KPIs      []courses.KPI
	}{Format: onboardingSummaryFormat, Seat: tracking.DefaultSeatRules, KPIs: cat.KPIs}
	if p, ok := cat.Programme("onboarding"); ok {
		in.Programme = p
		for _, id := range p.Modules {
			if m, ok := cat.Module(id); ok {
				in.Modules = append(in.Modules, module{m.ID, m.Hours, m.Minutes})
			}
		}
		for _, slug := range p.Drills {
			if r, ok := cat.Roleplay(slug); ok {
				in.Drills = append(in.Drills, drill{slug, r.Hours})
			}
		}
	}
	b, _ := json.Marshal(in) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// summaryBatch bounds how many people one re-evaluation pass reads at once, so a first
// company view after a busy day holds a bounded amount of history in memory.
const summaryBatch = 500

// onboardingSummaries returns the summary of each person (onboarding and latest KPI
// appraisal): stored ones while they are current, the others evaluated now (onboardingOf and
// latestAppraisals, the same rules as every other page) and stored. A store dashboard thus re-evaluates only the people whose records changed since it was
// last shown, and the company view reads one row per person.
func (s *Server) onboardingSummaries(ctx context.Context, userIDs []int64) (map[int64]store.OnboardingSummary, error) {
	month := s.store.Now().In(shanghai).Format("2006-01")
	current, stale, err := s.store.OnboardingSummaries(ctx, userIDs, s.catalogPrint, month)
	if err != nil {
		return nil, err
	}
	var todo []int64
	for _, id := range userIDs {
		if _, ok := stale[id]; ok {
			todo = append(todo, id)
		}
	}
	for start := 0; start < len(todo); start += summaryBatch {
		ids := todo[start:min(start+summaryBatch, len(todo))]
		data, err := s.evaluateOnboardingOf(ctx, ids, s.store.DecisiveAttemptsOf)
		if err != nil {
			return nil, err
		}
		kpis, err := s.latestAppraisals(ctx, ids)
		if err != nil {
			return nil, err
		}
		fresh := make([]store.OnboardingSummary, 0, len(ids))
		for _, id := range ids {
			d := data[id]
			sum := store.OnboardingSummary{UserID: id, Rev: stale[id], Catalog: s.catalogPrint, Month: month,
				KPIMonth: kpis[id].month, KPITotal: kpis[id].total,
				CreditedHours: d.Clearance.CreditedHours, RequiredHours: d.Required,
				ActiveSeconds: d.ActiveSeconds + d.PracticeSeconds, Cleared: d.Cleared()}
			if d.Certificate != nil {
				at := d.Certificate.ClearedAt
				sum.ClearedAt = &at
			}
			if d.LastDrill != nil {
				at := d.LastDrill.At
				sum.LastDrillAt, sum.LastDrillScore, sum.LastDrillPassed = &at, d.LastDrill.Score, d.LastDrill.Passed
			}
			fresh = append(fresh, sum)
			current[id] = sum
		}
		s.store.SaveOnboardingSummariesLater(fresh)
	}
	return current, nil
}

// WarmSummaries brings the dashboard summary of every active trainee and supervisor up to
// date. A seed, a user import or a content change (a new catalogue fingerprint) leaves
// thousands of summaries stale, and the first dashboard after it would evaluate them all while
// a supervisor waits; the server runs this once at start, in the background, instead. People
// whose summary is current cost one read. It logs what it did and returns ctx's error when
// stopped early.
func (s *Server) WarmSummaries(ctx context.Context) error {
	began := time.Now()
	users, err := s.store.Users(ctx, 0)
	if err != nil {
		return err
	}
	var ids []int64
	for _, u := range users {
		if u.Active && (u.Role == accounts.Trainee || u.Role == accounts.Supervisor) {
			ids = append(ids, u.ID)
		}
	}
	if _, err := s.onboardingSummaries(ctx, ids); err != nil {
		return err
	}
	s.log.Info("dashboard summaries up to date", "people", len(ids), "took", time.Since(began).Round(time.Millisecond))
	return nil
}
