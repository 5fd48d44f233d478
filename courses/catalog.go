// Package courses is the content catalogue: it loads courses, modules, role-play scenarios,
// programmes, tags and KPI definitions from an fs.FS, validates all of it, renders Markdown
// to HTML once at load, and reports every problem as path:line: message. Pages read the
// catalogue; nothing is parsed or rendered per request.
package courses

import (
	"aftercare/quiz"
	"aftercare/roleplay"
)

// Catalog is everything the bundled (or configured) content folder teaches.
type Catalog struct {
	Courses    []*Course
	Roleplays  []*Roleplay
	Programmes []*Programme
	KPIs       []KPI
	// Tags maps a tag key to its Chinese name; TagKeys keeps the file's order.
	Tags    map[string]string
	TagKeys []string
	// Bank holds every gradable question of every module, keyed course/module#name.
	Bank []quiz.Banked

	modules    map[string]*Module
	roleplays  map[string]*Roleplay
	programmes map[string]*Programme
	courses    map[string]*Course
	questions  map[string]*quiz.Banked
}

// Course is a folder of modules with an introduction.
type Course struct {
	Slug      string
	Title     string
	Summary   string
	Tags      []string
	IntroHTML string
	Modules   []*Module
	File      string
}

// Hours is the sum of the credited hours of the course's modules.
func (c *Course) Hours() float64 {
	var h float64
	for _, m := range c.Modules {
		h += m.Hours
	}
	return h
}

// Module is one lesson: rendered Markdown and its quiz.
type Module struct {
	ID      string // course/module
	Slug    string
	Course  *Course
	Title   string
	Summary string
	Hours   float64
	// Minutes is the minimum active reading time before the module counts as read.
	Minutes int
	Tracks  []string
	Tags    []string
	Pass    int
	HTML    string
	// Questions are the module's gradable questions, keyed course/module#name, in file order.
	Questions []quiz.Banked
	File      string
	Prev      *Module
	Next      *Module
}

// URL is the module's page.
func (m *Module) URL() string { return "/courses/" + m.Course.Slug + "/" + m.Slug }

// Roleplay is a role-play scenario for drills and self-practice.
type Roleplay struct {
	Slug       string
	Title      string
	Summary    string
	Product    string
	Difficulty int
	Pass       int
	Hours      float64
	Tags       []string
	Rubric     roleplay.Rubric
	// The body's sections, rendered.
	SituationHTML  string
	BriefHTML      string
	ExpectedHTML   string
	ModelLinesHTML string
	PracticeHTML   string
	// Dialogue is the optional self-practice script; nil when the scenario has none.
	Dialogue *roleplay.Dialogue
	File     string
}

// Programme is onboarding, a recurring refresher or a recurring assessment.
type Programme struct {
	Slug       string
	Title      string
	Summary    string
	Kind       string // onboarding, refresher, assessment
	Hours      float64
	Modules    []string
	Drills     []string
	Offline    []Offline
	Recurrence string // monthly, quarterly; empty for onboarding
	DueDays    int
	Assessment Assessment
	HTML       string
	File       string
}

// Offline is an activity a supervisor logs and signs off, such as shadowing on the floor.
type Offline struct {
	Key   string
	Title string
	Hours float64
}

// Assessment is a programme's quiz: questions drawn from the bank by rule.
type Assessment struct {
	Title   string
	Pass    int
	Minutes int
	Draw    []quiz.DrawRule
}

// Questions is how many questions an attempt of the assessment holds.
func (a Assessment) Questions() int {
	n := 0
	for _, r := range a.Draw {
		n += r.Count
	}
	return n
}

// KPI is a service indicator with its target and weight in the monthly appraisal.
type KPI struct {
	Key         string
	Name        string
	Unit        string
	Target      float64
	Direction   string // higher or lower
	Weight      float64
	Description string
	Remedial    []string
}

// Programme kinds and recurrences.
const (
	KindOnboarding = "onboarding"
	KindRefresher  = "refresher"
	KindAssessment = "assessment"
)

// Module returns the module with the given course/module ID.
func (c *Catalog) Module(id string) (*Module, bool) { m, ok := c.modules[id]; return m, ok }

// Course returns the course with the given slug.
func (c *Catalog) Course(slug string) (*Course, bool) { co, ok := c.courses[slug]; return co, ok }

// Roleplay returns the scenario with the given slug.
func (c *Catalog) Roleplay(slug string) (*Roleplay, bool) { r, ok := c.roleplays[slug]; return r, ok }

// Programme returns the programme with the given slug.
func (c *Catalog) Programme(slug string) (*Programme, bool) {
	p, ok := c.programmes[slug]
	return p, ok
}

// Question returns a bank question by its key.
func (c *Catalog) Question(key string) (*quiz.Banked, bool) { q, ok := c.questions[key]; return q, ok }

// ModuleCount is the number of modules in all courses.
func (c *Catalog) ModuleCount() int { return len(c.modules) }

// CreditedHours is what the programme's modules, drills and offline activities credit in
// total; for onboarding it must reach Hours.
func (c *Catalog) CreditedHours(p *Programme) float64 {
	var h float64
	for _, id := range p.Modules {
		if m, ok := c.modules[id]; ok {
			h += m.Hours
		}
	}
	for _, slug := range p.Drills {
		if r, ok := c.roleplays[slug]; ok {
			h += r.Hours
		}
	}
	for _, o := range p.Offline {
		h += o.Hours
	}
	return h
}

// Summary is what `academy check --json` prints about a catalogue.
type Summary struct {
	Courses    int                         `json:"courses"`
	Modules    int                         `json:"modules"`
	Questions  int                         `json:"questions"`
	Roleplays  int                         `json:"roleplays"`
	Dialogues  int                         `json:"dialogues"`
	Programmes map[string]ProgrammeSummary `json:"programmes"`
}

// ProgrammeSummary gives a programme's credited hours and its number of required modules.
type ProgrammeSummary struct {
	Hours   float64 `json:"hours"`
	Modules int     `json:"modules"`
}

// Summarise counts what the catalogue holds.
func (c *Catalog) Summarise() Summary {
	s := Summary{Programmes: map[string]ProgrammeSummary{}}
	if c == nil {
		return s
	}
	s.Courses = len(c.Courses)
	s.Modules = len(c.modules)
	s.Questions = len(c.Bank)
	s.Roleplays = len(c.Roleplays)
	for _, r := range c.Roleplays {
		if r.Dialogue != nil {
			s.Dialogues++
		}
	}
	for _, p := range c.Programmes {
		s.Programmes[p.Slug] = ProgrammeSummary{Hours: c.CreditedHours(p), Modules: len(p.Modules)}
	}
	return s
}
