package web

import (
	"context"
	"math"
	"time"

	"aftercare/courses"
	"aftercare/quiz"
	"aftercare/roleplay"
	"aftercare/store"
	"aftercare/tracking"
	"aftercare/views"
)

// onboarding gathers one person's onboarding record (module reading and quizzes, released
// drills, signed-off offline hours, the final assessment) and evaluates it against the
// onboarding programme. The progress page, staff page, certificates, dashboards and the
// scheduler all use it (or onboardingOf, its batch form), so "cleared for duty" means the same
// thing everywhere.
func (s *Server) onboarding(ctx context.Context, userID int64) (views.ProgressData, error) {
	all, err := s.onboardingOf(ctx, []int64{userID})
	if err != nil {
		return views.ProgressData{}, err
	}
	return all[userID], nil
}

// onboardingOf evaluates the onboarding of many people with a fixed number of queries (one per
// kind of record, per 500 people), so a dashboard does not query per person. The first time a
// person is found cleared, the moment is recorded (store.RecordClearance) so their certificate
// and its verification code never change afterwards.
func (s *Server) onboardingOf(ctx context.Context, userIDs []int64) (map[int64]views.ProgressData, error) {
	return s.evaluateOnboardingOf(ctx, userIDs, s.store.AttemptsOf)
}

// evaluateOnboardingOf is onboardingOf with the attempts read by attemptsOf: every attempt for
// pages that list them, or only the decisive ones (store.DecisiveAttemptsOf) for the dashboard
// summaries, which gives the same evaluation from a fraction of the rows.
func (s *Server) evaluateOnboardingOf(ctx context.Context, userIDs []int64,
	attemptsOf func(context.Context, []int64) (map[int64][]quiz.Attempt, error)) (map[int64]views.ProgressData, error) {
	progress, err := s.store.ModuleProgressOf(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	attempts, err := attemptsOf(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	drills, err := s.store.DrillBriefs(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	offline, err := s.store.OfflineEntries(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	practice, err := s.store.PracticeTimes(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	clearances, err := s.store.Clearances(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]views.ProgressData, len(userIDs))
	for _, id := range userIDs {
		d, final := s.evaluateOnboarding(progress[id], attempts[id], drills[id], offline[id])
		d.PracticeSeconds = int(practice[id] / time.Second)
		c, recorded := clearances[id]
		if !recorded && d.Clearance.Cleared {
			now := s.store.Now().UTC().Truncate(time.Second)
			c = store.Clearance{UserID: id, ClearedAt: now, Hours: d.Clearance.CreditedHours, FinalScore: final,
				Code: tracking.VerificationCode(s.cfg.SessionKey, id, now)}
			if c, err = s.store.RecordClearance(ctx, c); err != nil {
				return nil, err
			}
			recorded = true
		}
		if recorded {
			d.Certificate = &views.Certificate{ClearedAt: c.ClearedAt, Hours: c.Hours, FinalScore: c.FinalScore, Code: c.Code}
		}
		out[id] = d
	}
	return out, nil
}

// evaluateOnboarding builds one person's progress data from their records and applies the
// clearance rule; it also returns the best final assessment score (for the certificate).
func (s *Server) evaluateOnboarding(progress map[string]tracking.ModuleProgress, attempts []quiz.Attempt,
	drills []store.DrillBrief, offline []store.OfflineEntry) (views.ProgressData, float64) {
	d := views.ProgressData{Progress: progress, Attempts: attempts, Credited: map[string]bool{}}
	if d.Progress == nil {
		d.Progress = map[string]tracking.ModuleProgress{}
	}
	for _, pr := range progress {
		d.ActiveSeconds += pr.ActiveSeconds
	}
	for i := len(drills) - 1; i >= 0; i-- {
		if dr := drills[i]; dr.Scored {
			d.LastDrill = &views.DrillMark{At: dr.At, Score: dr.Score, Passed: dr.Passed}
			break
		}
	}
	p, ok := s.catalog.Programme("onboarding")
	if !ok {
		d.Modules = allModules(s.catalog)
		return d, 0
	}
	d.Programme, d.Required = p, p.Hours
	var rec tracking.Record
	for _, id := range p.Modules {
		if m, ok := s.catalog.Module(id); ok {
			d.Modules = append(d.Modules, m)
			credit := tracking.ModuleCredit{ModuleID: m.ID, Hours: m.Hours,
				ReadingDone: tracking.ReadingComplete(time.Duration(progress[m.ID].ActiveSeconds)*time.Second, m.Minutes),
				QuizPassed:  passedAny(attempts, "module:"+m.ID)}
			d.Credited[m.ID] = credit.ReadingDone && credit.QuizPassed
			rec.Modules = append(rec.Modules, credit)
		}
	}
	for _, a := range attempts {
		if a.Quiz == "programme:"+p.Slug && a.State == quiz.Finished && (rec.Final == nil || a.Score > rec.Final.Percent) {
			rec.Final = &tracking.AssessmentResult{Percent: a.Score, Passed: a.Passed, At: a.SubmittedAt}
		}
	}
	for _, dr := range drills {
		// A drill counts once its result is released to the trainee.
		if r, ok := s.catalog.Roleplay(dr.Scenario); ok && dr.State == roleplay.Released {
			rec.Drills = append(rec.Drills, tracking.DrillResult{Scenario: dr.Scenario, Hours: r.Hours, Passed: dr.Passed})
		}
	}
	d.Activities, d.Offline, rec.Offline = s.offlineProgress(p.Offline, offline)
	titles := map[string]string{}
	for _, slug := range p.Drills {
		if r, ok := s.catalog.Roleplay(slug); ok {
			titles[slug] = r.Title
		}
	}
	d.Clearance = tracking.Evaluate(tracking.Requirement{Hours: p.Hours, Drills: p.Drills, FinalPass: p.Assessment.Pass, DrillTitles: titles}, rec)
	final := 0.0
	if rec.Final != nil {
		final = rec.Final.Percent
	}
	return d, final
}

// offlineProgress sums a person's offline entries per programme activity. Signed-off hours of
// one activity add up over several days (shadowing is done in shifts) but count at most what
// the programme credits for the activity; each activity reaches tracking.Evaluate as one
// signed-off item. Entries of an activity the programme no longer lists are shown but credit
// nothing.
func (s *Server) offlineProgress(activities []courses.Offline, entries []store.OfflineEntry) ([]views.OfflineActivity, []views.OfflineRow, []tracking.OfflineHours) {
	var acts []views.OfflineActivity
	index := map[string]int{}
	for _, a := range activities {
		index[a.Key] = len(acts)
		acts = append(acts, views.OfflineActivity{Key: a.Key, Title: a.Title, Required: a.Hours})
	}
	var rows []views.OfflineRow
	for _, e := range entries {
		title := e.Activity
		if i, ok := index[e.Activity]; ok {
			title = acts[i].Title
			if e.SignedOff {
				acts[i].SignedOff += e.Hours
			} else {
				acts[i].Pending += e.Hours
			}
		}
		row := views.OfflineRow{ID: e.ID, Activity: title, Hours: e.Hours, Date: e.OnDate.UTC().Format(time.DateOnly), Note: e.Note,
			LoggedBy: e.LoggedByName, SignedOff: e.SignedOff}
		if e.SignedOff {
			row.SignedOffBy, row.SignedOffAt = e.SignedOffByName, views.LocalTime(e.SignedOffAt)
		}
		rows = append(rows, row)
	}
	var credit []tracking.OfflineHours
	for i := range acts {
		acts[i].SignedOff = math.Min(acts[i].SignedOff, acts[i].Required)
		if acts[i].SignedOff > 0 {
			credit = append(credit, tracking.OfflineHours{Key: acts[i].Key, Hours: acts[i].SignedOff, SignedOff: true})
		}
	}
	return acts, rows, credit
}
