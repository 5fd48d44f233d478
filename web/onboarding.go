package web

import (
	"context"
	"time"

	"aftercare/quiz"
	"aftercare/roleplay"
	"aftercare/tracking"
	"aftercare/views"
)

// onboarding gathers one person's onboarding record (module reading and quizzes, released
// drills, the final assessment) and evaluates it against the onboarding programme. The
// progress page, dashboards and the scheduler all use it, so "cleared for duty" means the
// same thing everywhere.
func (s *Server) onboarding(ctx context.Context, userID int64) (views.ProgressData, error) {
	progress, err := s.store.ModuleProgress(ctx, userID)
	if err != nil {
		return views.ProgressData{}, err
	}
	attempts, err := s.store.Attempts(ctx, userID)
	if err != nil {
		return views.ProgressData{}, err
	}
	d := views.ProgressData{Progress: progress, Attempts: attempts}
	p, ok := s.catalog.Programme("onboarding")
	if !ok {
		d.Modules = allModules(s.catalog)
		return d, nil
	}
	d.Programme, d.Required = p, p.Hours
	var rec tracking.Record
	for _, id := range p.Modules {
		if m, ok := s.catalog.Module(id); ok {
			d.Modules = append(d.Modules, m)
			rec.Modules = append(rec.Modules, tracking.ModuleCredit{ModuleID: m.ID, Hours: m.Hours,
				ReadingDone: tracking.ReadingComplete(time.Duration(progress[m.ID].ActiveSeconds)*time.Second, m.Minutes),
				QuizPassed:  passedAny(attempts, "module:"+m.ID)})
		}
	}
	for _, a := range attempts {
		if a.Quiz == "programme:"+p.Slug && a.State == quiz.Finished && (rec.Final == nil || a.Score > rec.Final.Percent) {
			rec.Final = &tracking.AssessmentResult{Percent: a.Score, Passed: a.Passed, At: a.SubmittedAt}
		}
	}
	drills, err := s.store.TraineeDrills(ctx, userID)
	if err != nil {
		return views.ProgressData{}, err
	}
	for _, dr := range drills {
		// A drill counts once its result is released to the trainee.
		if r, ok := s.catalog.Roleplay(dr.Scenario); ok && dr.State == roleplay.Released {
			rec.Drills = append(rec.Drills, tracking.DrillResult{Scenario: dr.Scenario, Hours: r.Hours, Passed: dr.Passed})
		}
	}
	titles := map[string]string{}
	for _, slug := range p.Drills {
		if r, ok := s.catalog.Roleplay(slug); ok {
			titles[slug] = r.Title
		}
	}
	d.Clearance = tracking.Evaluate(tracking.Requirement{Hours: p.Hours, Drills: p.Drills, FinalPass: p.Assessment.Pass, DrillTitles: titles}, rec)
	return d, nil
}
