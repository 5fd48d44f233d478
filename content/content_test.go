package content_test

import (
	"testing"

	"aftercare/content"
	"aftercare/courses"
	"aftercare/quiz"
)

// TestBundledLibraryMeetsTheMinimums loads the real bundled content and holds it to the
// library's promised size, so that it cannot silently shrink.
func TestBundledLibraryMeetsTheMinimums(t *testing.T) {
	cat, err := courses.Load(content.FS)
	if err != nil {
		t.Fatalf("bundled content has problems:\n%v", err)
	}
	s := cat.Summarise()
	if s.Modules < 20 {
		t.Errorf("%d modules, want at least 20", s.Modules)
	}
	if s.Questions < 300 {
		t.Errorf("%d questions, want at least 300", s.Questions)
	}
	if s.Roleplays < 10 {
		t.Errorf("%d role-play scenarios, want at least 10", s.Roleplays)
	}
	if s.Dialogues < 5 {
		t.Errorf("%d scenarios with a self-practice dialogue, want at least 5", s.Dialogues)
	}
	onboarding, ok := cat.Programme("onboarding")
	if !ok {
		t.Fatal("no programs/onboarding.md")
	}
	if onboarding.Hours < 40 || cat.CreditedHours(onboarding) < 40 {
		t.Errorf("onboarding requires %.2f and credits %.2f hours, want at least 40", onboarding.Hours, cat.CreditedHours(onboarding))
	}
	if len(onboarding.Drills) == 0 || len(onboarding.Offline) == 0 {
		t.Error("onboarding must include role-play drills and supervisor-logged offline hours")
	}
	if a := onboarding.Assessment; a.Questions() < 40 || a.Pass < 80 {
		t.Errorf("final assessment draws %d questions with pass mark %d, want ≥ 40 and ≥ 80", a.Questions(), a.Pass)
	}
	for _, slug := range []string{"monthly-refresher", "quarterly-assessment"} {
		p, ok := cat.Programme(slug)
		if !ok || p.Recurrence == "" || p.DueDays == 0 || p.Assessment.Questions() == 0 {
			t.Errorf("programme %s missing or without recurrence, due days and draw rules", slug)
		}
	}
	// Every tag has questions, so every domain can be drawn in refreshers.
	perTag := map[string]int{}
	for _, q := range cat.Bank {
		for _, tag := range q.Question.Tags {
			perTag[tag]++
		}
	}
	for _, tag := range cat.TagKeys {
		if perTag[tag] == 0 {
			t.Errorf("no question carries tag %q", tag)
		}
	}
	for _, co := range cat.Courses {
		for _, m := range co.Modules {
			if len(m.Questions) < 8 {
				t.Errorf("%s has %d questions, want at least 8", m.ID, len(m.Questions))
			}
			types := map[quiz.Type]bool{}
			for _, q := range m.Questions {
				types[q.Question.Type] = true
			}
			if len(types) < 3 {
				t.Errorf("%s uses %d question types, want at least 3", m.ID, len(types))
			}
			if len([]rune(m.HTML)) < 2000 {
				t.Errorf("%s lesson is only %d characters of HTML", m.ID, len([]rune(m.HTML)))
			}
		}
	}
	if len(cat.KPIs) < 6 {
		t.Errorf("%d KPIs, want the 6 of the seed table", len(cat.KPIs))
	}
	for _, k := range cat.KPIs {
		if len(k.Remedial) == 0 {
			t.Errorf("KPI %s has no remedial modules", k.Key)
		}
	}
}
