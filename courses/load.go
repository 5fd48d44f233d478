package courses

import (
	"errors"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"gopkg.in/yaml.v3"

	"aftercare/quiz"
	"aftercare/roleplay"
)

var (
	numberedDir  = regexp.MustCompile(`^(\d+)-([a-z0-9][a-z0-9-]*)$`)
	numberedFile = regexp.MustCompile(`^(\d+)-([a-z0-9][a-z0-9-]*)\.md$`)
	plainFile    = regexp.MustCompile(`^([a-z0-9][a-z0-9-]*)\.md$`)
	slugPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// Load reads and validates the whole content tree. When anything is wrong it returns the
// catalogue as far as it could be built together with a Problems error listing every problem,
// so `academy check` can still count what is there.
func Load(fsys fs.FS) (*Catalog, error) {
	l := &loader{
		fsys: fsys,
		md:   newMarkdown(),
		cat: &Catalog{
			Tags:       map[string]string{},
			modules:    map[string]*Module{},
			roleplays:  map[string]*Roleplay{},
			programmes: map[string]*Programme{},
			courses:    map[string]*Course{},
			questions:  map[string]*quiz.Banked{},
		},
		moduleFiles: map[string]*Module{},
	}
	l.loadTags()
	l.loadCourses()
	l.assembleBank()
	l.loadRoleplays()
	l.loadProgrammes()
	l.loadKPIs()
	for i := range l.cat.Bank {
		l.cat.questions[l.cat.Bank[i].Key] = &l.cat.Bank[i]
	}
	if len(l.ps) > 0 {
		return l.cat, l.ps.sorted()
	}
	return l.cat, nil
}

type loader struct {
	fsys        fs.FS
	md          goldmark.Markdown
	cat         *Catalog
	ps          Problems
	moduleFiles map[string]*Module // content path → module, for links
	quizzes     [][]quiz.Banked    // each module's questions in load order, for the bank
}

// assembleBank joins the modules' questions into the catalogue's bank in one allocation:
// appending module by module copied the growing bank again and again, which was most of
// the start-up time with 1,000 modules.
func (l *loader) assembleBank() {
	n := 0
	for _, qs := range l.quizzes {
		n += len(qs)
	}
	l.cat.Bank = make([]quiz.Banked, 0, n)
	for _, qs := range l.quizzes {
		l.cat.Bank = append(l.cat.Bank, qs...)
	}
}

func (l *loader) read(name string) ([]byte, bool) {
	b, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			l.ps.add(name, 1, "file is missing")
		} else {
			l.ps.add(name, 1, "cannot read: %v", err)
		}
		return nil, false
	}
	// Content must be UTF-8: other encodings would show as garbage, and goldmark's CJK
	// rendering panics on invalid UTF-8 (found by FuzzLoadModule).
	if !utf8.Valid(b) {
		line := 1
		for i := 0; i < len(b); {
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line++
			}
			i += size
		}
		l.ps.add(name, line, "the file is not UTF-8; save it as UTF-8 (without changing its text)")
		return nil, false
	}
	return b, true
}

func (l *loader) checkTags(file string, line int, tags []string) {
	for _, t := range tags {
		if _, ok := l.cat.Tags[t]; !ok {
			l.ps.add(file, line, "unknown tag %q (tags are the keys of tags.yaml)", t)
		}
	}
}

func (l *loader) loadTags() {
	const file = "tags.yaml"
	src, ok := l.read(file)
	if !ok {
		return
	}
	root, ok := parseYAML(file, 1, src, &l.ps)
	if !ok {
		return
	}
	if root.Kind != yaml.MappingNode {
		l.ps.add(file, root.Line, "tags.yaml must map tag keys to names")
		return
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case !slugPattern.MatchString(k.Value):
			l.ps.add(file, k.Line, "tag key %q must be lower-case letters, digits and hyphens", k.Value)
		case v.Kind != yaml.ScalarNode || v.Value == "":
			l.ps.add(file, k.Line, "tag %q needs a name", k.Value)
		case l.cat.Tags[k.Value] != "":
			l.ps.add(file, k.Line, "tag %q appears twice", k.Value)
		default:
			l.cat.Tags[k.Value] = v.Value
			l.cat.TagKeys = append(l.cat.TagKeys, k.Value)
		}
	}
}

// entries lists a folder sorted by name, reporting a missing folder once.
func (l *loader) entries(dir string) []fs.DirEntry {
	es, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		l.ps.add(dir, 1, "folder is missing or unreadable")
		return nil
	}
	return es
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }

func (l *loader) loadCourses() {
	// pending is a Markdown body to render once every module is known, so links resolve.
	type pending struct {
		doc  *markdownDoc
		dir  string
		html *string
		file string
	}
	var modules []pending
	for _, e := range l.entries("courses") {
		if hidden(e.Name()) {
			continue
		}
		dir := path.Join("courses", e.Name())
		m := numberedDir.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			l.ps.add(dir, 1, "expected a course folder named NN-slug (e.g. 01-service-basics)")
			continue
		}
		course, intro := l.loadCourse(dir, m[2])
		if course == nil {
			continue
		}
		modules = append(modules, pending{doc: intro, dir: dir, html: &course.IntroHTML, file: course.File})
		if _, dup := l.cat.courses[course.Slug]; dup {
			l.ps.add(course.File, 1, "duplicate course slug %q", course.Slug)
			continue
		}
		l.cat.courses[course.Slug] = course
		l.cat.Courses = append(l.cat.Courses, course)
		for _, f := range l.entries(dir) {
			if hidden(f.Name()) || f.Name() == "_course.md" {
				continue
			}
			file := path.Join(dir, f.Name())
			fm := numberedFile.FindStringSubmatch(f.Name())
			if f.IsDir() || fm == nil {
				l.ps.add(file, 1, "expected a module file named NN-slug.md (e.g. 01-four-steps.md)")
				continue
			}
			mod, doc := l.loadModule(file, course, fm[2])
			if mod == nil {
				continue
			}
			if _, dup := l.cat.modules[mod.ID]; dup {
				l.ps.add(file, 1, "duplicate module slug %q in course %q", mod.Slug, course.Slug)
				continue
			}
			l.cat.modules[mod.ID] = mod
			l.moduleFiles[file] = mod
			if n := len(course.Modules); n > 0 {
				course.Modules[n-1].Next, mod.Prev = mod, course.Modules[n-1]
			}
			course.Modules = append(course.Modules, mod)
			modules = append(modules, pending{doc: doc, dir: dir, html: &mod.HTML, file: file})
		}
		if len(course.Modules) == 0 {
			l.ps.add(course.File, 1, "course %q has no modules", course.Slug)
		}
	}
	// Links are resolved once every module is known, then each body is rendered once.
	for _, p := range modules {
		p.doc.rewriteLinks(p.dir, l.moduleURL, &l.ps)
		html, err := p.doc.render(p.doc.root)
		if err != nil {
			l.ps.add(p.file, p.doc.firstLine, "cannot render Markdown: %v", err)
		}
		*p.html = html
	}
}

func (l *loader) moduleURL(file string) (string, bool) {
	m, ok := l.moduleFiles[file]
	if !ok {
		return "", false
	}
	return m.URL(), true
}

func (l *loader) loadCourse(dir, slug string) (*Course, *markdownDoc) {
	file := path.Join(dir, "_course.md")
	doc, ok := l.readDocument(file)
	if !ok {
		return nil, nil
	}
	c := &Course{Slug: slug, File: file}
	if root, ok := parseYAML(file, doc.frontLine, doc.front, &l.ps); ok {
		decodeMapping(file, doc.frontLine, root, map[string]field{
			"title":   {target: &c.Title, required: true, check: nonEmpty},
			"summary": {target: &c.Summary},
			"tags":    {target: &c.Tags},
		}, "course front matter", &l.ps)
		l.checkTags(file, keyLine(root, doc.frontLine, "tags"), c.Tags)
	}
	return c, parseMarkdown(l.md, file, doc.body, doc.bodyLine)
}

func (l *loader) loadModule(file string, course *Course, slug string) (*Module, *markdownDoc) {
	doc, ok := l.readDocument(file)
	if !ok {
		return nil, nil
	}
	m := &Module{ID: course.Slug + "/" + slug, Slug: slug, Course: course, File: file, Pass: 80}
	hours := math.NaN()
	minutes := -1
	if root, ok := parseYAML(file, doc.frontLine, doc.front, &l.ps); ok {
		decodeMapping(file, doc.frontLine, root, map[string]field{
			"title":   {target: &m.Title, required: true, check: nonEmpty},
			"summary": {target: &m.Summary},
			"hours":   {target: &hours, required: true, check: between(0, 8, 0.25)},
			"minutes": {target: &minutes, check: between(1, 600, 1)},
			"tracks":  {target: &m.Tracks},
			"tags":    {target: &m.Tags},
			"pass":    {target: &m.Pass, check: between(1, 100, 1)},
		}, "module front matter", &l.ps)
		for _, t := range m.Tracks {
			if t != "onboarding" && t != "refresher" {
				l.ps.add(file, keyLine(root, doc.frontLine, "tracks"), "tracks: %q is not one of onboarding, refresher", t)
			}
		}
		l.checkTags(file, keyLine(root, doc.frontLine, "tags"), m.Tags)
	}
	if !math.IsNaN(hours) {
		m.Hours = hours
	}
	m.Minutes = minutes
	if minutes < 0 {
		m.Minutes = int(math.Min(60, math.Max(5, math.Round(m.Hours*20))))
	}
	md := parseMarkdown(l.md, file, doc.body, doc.bodyLine)
	blocks := md.takeFenced("quiz")
	if len(blocks) > 1 {
		l.ps.add(file, blocks[1].fenceLine, "a module has at most one quiz block")
	}
	if len(blocks) > 0 {
		m.Questions = l.loadQuiz(file, m, blocks[0])
		l.quizzes = append(l.quizzes, m.Questions)
	}
	return m, md
}

// loadQuiz parses a module's quiz block with the same GIFT parser the importer uses, and
// applies the module rules: names unique, every question tagged with known tags, no essays.
func (l *loader) loadQuiz(file string, m *Module, b fencedBlock) []quiz.Banked {
	qs, errs := quiz.ParseGIFT(b.content)
	for _, e := range errs {
		l.ps.add(file, b.line+e.Line-1, "quiz: %s", e.Message)
	}
	out := make([]quiz.Banked, 0, len(qs))
	names := map[string]int{}
	for _, q := range qs {
		line := b.line + q.Line - 1
		switch q.Type {
		case quiz.Category, quiz.Description:
			continue
		case quiz.Essay:
			l.ps.add(file, line, "quiz: module quizzes cannot hold essays (a supervisor would have to grade them before the module is credited)")
			continue
		}
		if strings.TrimSpace(q.Name) == "" {
			l.ps.add(file, line, "quiz: question needs a ::name::")
			continue
		}
		if first, dup := names[q.Name]; dup {
			l.ps.add(file, line, "quiz: question name %q is already used on line %d", q.Name, first)
			continue
		}
		names[q.Name] = line
		if len(q.Tags) == 0 {
			l.ps.add(file, line, "quiz: question %q has no [tag:…]; refreshers draw questions by tag", q.Name)
		}
		l.checkTags(file, line, q.Tags)
		q.Line = line
		out = append(out, quiz.Banked{Key: m.ID + "#" + q.Name, Module: m.ID, Question: q})
	}
	if len(errs) == 0 && len(out) == 0 {
		l.ps.add(file, b.fenceLine, "quiz block holds no questions")
	}
	return out
}

var roleplaySections = []string{"情境", "顾客角色说明", "期望行为", "示范话术", "自我练习"}

// eachSlugFile calls fn for every slug.md file in dir and reports anything else there.
func (l *loader) eachSlugFile(dir, what string, fn func(file, slug string)) {
	for _, e := range l.entries(dir) {
		if hidden(e.Name()) {
			continue
		}
		file := path.Join(dir, e.Name())
		m := plainFile.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			l.ps.add(file, 1, "expected a %s file named slug.md", what)
			continue
		}
		fn(file, m[1])
	}
}

// readDocument reads a content file and splits its front matter from its body.
func (l *loader) readDocument(file string) (document, bool) {
	src, ok := l.read(file)
	if !ok {
		return document{}, false
	}
	return splitFrontMatter(file, src, &l.ps)
}

func (l *loader) loadRoleplays() {
	l.eachSlugFile("roleplays", "scenario", func(file, slug string) {
		if r := l.loadRoleplay(file, slug); r != nil {
			l.cat.roleplays[r.Slug] = r
			l.cat.Roleplays = append(l.cat.Roleplays, r)
		}
	})
}

func (l *loader) loadRoleplay(file, slug string) *Roleplay {
	doc, ok := l.readDocument(file)
	if !ok {
		return nil
	}
	r := &Roleplay{Slug: slug, File: file}
	var rubric yaml.Node
	if root, ok := parseYAML(file, doc.frontLine, doc.front, &l.ps); ok {
		decodeMapping(file, doc.frontLine, root, map[string]field{
			"title":      {target: &r.Title, required: true, check: nonEmpty},
			"summary":    {target: &r.Summary},
			"product":    {target: &r.Product, required: true, check: oneOf("jewellery", "jadeite", "pearl", "tiles", "online", "general")},
			"difficulty": {target: &r.Difficulty, required: true, check: between(1, 3, 1)},
			"pass":       {target: &r.Pass, required: true, check: between(1, 100, 1)},
			"hours":      {target: &r.Hours, check: between(0, 8, 0.25)},
			"tags":       {target: &r.Tags},
			"rubric":     {target: &rubric, required: true},
		}, "scenario front matter", &l.ps)
		l.checkTags(file, keyLine(root, doc.frontLine, "tags"), r.Tags)
		if rubric.Kind != 0 {
			r.Rubric = l.decodeRubric(file, doc.frontLine, &rubric)
		}
	}
	md := parseMarkdown(l.md, file, doc.body, doc.bodyLine)
	dialogues := md.takeFenced("dialogue")
	sections := md.splitSections()
	html := map[string]*string{
		"情境": &r.SituationHTML, "顾客角色说明": &r.BriefHTML, "期望行为": &r.ExpectedHTML,
		"示范话术": &r.ModelLinesHTML, "自我练习": &r.PracticeHTML,
	}
	next := 0
	for _, s := range sections {
		if s.title == "" {
			l.ps.add(file, s.line, "text before the first section; start with `## 情境`")
			continue
		}
		idx := indexOf(roleplaySections, s.title)
		if idx < 0 {
			l.ps.add(file, s.line, "unknown section %q; sections are %s", s.title, strings.Join(roleplaySections, ", "))
			continue
		}
		if idx < next {
			l.ps.add(file, s.line, "section %q is out of order or repeated; the order is %s", s.title, strings.Join(roleplaySections, ", "))
			continue
		}
		next = idx + 1
		out, err := md.render(s.root)
		if err != nil {
			l.ps.add(file, s.line, "cannot render Markdown: %v", err)
		}
		*html[s.title] = out
	}
	for i, want := range roleplaySections[:4] {
		if *html[want] == "" {
			l.ps.add(file, doc.bodyLine, "missing section `## %s` (section %d)", want, i+1)
		}
	}
	if len(dialogues) > 1 {
		l.ps.add(file, dialogues[1].fenceLine, "a scenario has at most one dialogue block")
	}
	if len(dialogues) > 0 {
		d, errs := roleplay.ParseDialogue(string(dialogues[0].content))
		for _, e := range errs {
			l.ps.add(file, dialogues[0].line+e.Line-1, "dialogue: %s", e.Message)
		}
		if len(errs) == 0 {
			r.Dialogue = d
		}
	}
	return r
}

// decodeRubric reads the rubric list with each criterion's line, then applies the rubric rules
// of package roleplay and reports each problem at the criterion or level it concerns.
func (l *loader) decodeRubric(file string, offset int, n *yaml.Node) roleplay.Rubric {
	if n.Kind != yaml.SequenceNode {
		l.ps.add(file, offset+n.Line-1, "rubric must be a list of criteria")
		return nil
	}
	var rubric roleplay.Rubric
	critLines := []int{}
	levelLines := [][]int{}
	for _, cn := range n.Content {
		var c roleplay.Criterion
		var levels yaml.Node
		decodeMapping(file, offset, cn, map[string]field{
			"key":    {target: &c.Key, required: true},
			"title":  {target: &c.Title, required: true},
			"weight": {target: &c.Weight, required: true},
			"levels": {target: &levels, required: true},
		}, "rubric criterion", &l.ps)
		var lines []int
		if levels.Kind == yaml.SequenceNode {
			for _, ln := range levels.Content {
				var lv roleplay.Level
				decodeMapping(file, offset, ln, map[string]field{
					"score":       {target: &lv.Score, required: true},
					"description": {target: &lv.Description, required: true},
				}, "rubric level", &l.ps)
				c.Levels = append(c.Levels, lv)
				lines = append(lines, offset+ln.Line-1)
			}
		} else if levels.Kind != 0 {
			l.ps.add(file, offset+levels.Line-1, "levels must be a list of {score, description}")
		}
		rubric = append(rubric, c)
		critLines = append(critLines, offset+cn.Line-1)
		levelLines = append(levelLines, lines)
	}
	for _, p := range rubric.Validate() {
		line := offset + n.Line - 1
		if p.Criterion >= 0 && p.Criterion < len(critLines) {
			line = critLines[p.Criterion]
			if p.Level >= 0 && p.Level < len(levelLines[p.Criterion]) {
				line = levelLines[p.Criterion][p.Level]
			}
		}
		l.ps.add(file, line, "rubric: %s", p.Message)
	}
	return rubric
}

func (l *loader) loadProgrammes() {
	l.eachSlugFile("programs", "programme", func(file, slug string) {
		if p := l.loadProgramme(file, slug); p != nil {
			l.cat.programmes[p.Slug] = p
			l.cat.Programmes = append(l.cat.Programmes, p)
		}
	})
}

func (l *loader) loadProgramme(file, slug string) *Programme {
	doc, ok := l.readDocument(file)
	if !ok {
		return nil
	}
	p := &Programme{Slug: slug, File: file}
	var offline, assessment yaml.Node
	root, ok := parseYAML(file, doc.frontLine, doc.front, &l.ps)
	if !ok {
		return nil
	}
	decodeMapping(file, doc.frontLine, root, map[string]field{
		"title":      {target: &p.Title, required: true, check: nonEmpty},
		"summary":    {target: &p.Summary},
		"kind":       {target: &p.Kind, required: true, check: oneOf(KindOnboarding, KindRefresher, KindAssessment)},
		"hours":      {target: &p.Hours, check: between(0, 400, 0.25)},
		"modules":    {target: &p.Modules},
		"drills":     {target: &p.Drills},
		"offline":    {target: &offline},
		"recurrence": {target: &p.Recurrence, check: oneOf("monthly", "quarterly")},
		"due_days":   {target: &p.DueDays, check: between(1, 366, 1)},
		"assessment": {target: &assessment, required: true},
	}, "programme front matter", &l.ps)
	line := func(key string) int { return keyLine(root, doc.frontLine, key) }
	for _, id := range p.Modules {
		if _, ok := l.cat.modules[id]; !ok {
			l.ps.add(file, line("modules"), "module %q does not exist (write course/module, e.g. complaint-handling/four-steps)", id)
		}
	}
	for _, s := range p.Drills {
		if _, ok := l.cat.roleplays[s]; !ok {
			l.ps.add(file, line("drills"), "role-play scenario %q does not exist", s)
		}
	}
	if offline.Kind == yaml.SequenceNode {
		keys := map[string]bool{}
		for _, on := range offline.Content {
			var o Offline
			decodeMapping(file, doc.frontLine, on, map[string]field{
				"key":   {target: &o.Key, required: true},
				"title": {target: &o.Title, required: true, check: nonEmpty},
				"hours": {target: &o.Hours, required: true, check: between(0.25, 200, 0.25)},
			}, "offline activity", &l.ps)
			if keys[o.Key] {
				l.ps.add(file, doc.frontLine+on.Line-1, "offline key %q appears twice", o.Key)
			}
			keys[o.Key] = true
			p.Offline = append(p.Offline, o)
		}
	} else if offline.Kind != 0 {
		l.ps.add(file, line("offline"), "offline must be a list of {key, title, hours}")
	}
	switch p.Kind {
	case KindOnboarding:
		if p.Hours <= 0 {
			l.ps.add(file, doc.frontLine, "an onboarding programme needs the required `hours`")
		} else if got := l.cat.CreditedHours(p); got < p.Hours {
			l.ps.add(file, line("hours"), "modules, drills and offline activities credit %.2f hours, less than the required %.2f", got, p.Hours)
		}
	case KindRefresher, KindAssessment:
		if p.Recurrence == "" {
			l.ps.add(file, doc.frontLine, "a %s programme needs a `recurrence` (monthly or quarterly)", p.Kind)
		}
		if p.DueDays == 0 {
			l.ps.add(file, doc.frontLine, "a %s programme needs `due_days`", p.Kind)
		}
	}
	if assessment.Kind != 0 {
		p.Assessment = l.decodeAssessment(file, doc.frontLine, &assessment)
	}
	md := parseMarkdown(l.md, file, doc.body, doc.bodyLine)
	md.rewriteLinks("programs", l.moduleURL, &l.ps)
	p.HTML, _ = md.render(md.root)
	return p
}

func (l *loader) decodeAssessment(file string, offset int, n *yaml.Node) Assessment {
	var a Assessment
	var draw yaml.Node
	decodeMapping(file, offset, n, map[string]field{
		"title":   {target: &a.Title, required: true, check: nonEmpty},
		"pass":    {target: &a.Pass, required: true, check: between(1, 100, 1)},
		"minutes": {target: &a.Minutes, required: true, check: between(1, 600, 1)},
		"draw":    {target: &draw, required: true},
	}, "assessment", &l.ps)
	if draw.Kind != yaml.SequenceNode {
		if draw.Kind != 0 {
			l.ps.add(file, offset+draw.Line-1, "draw must be a list of {tags, count}")
		}
		return a
	}
	used := map[string]bool{}
	for _, rn := range draw.Content {
		var r quiz.DrawRule
		line := offset + rn.Line - 1
		decodeMapping(file, offset, rn, map[string]field{
			"tags":    {target: &r.Tags, required: true},
			"modules": {target: &r.Modules},
			"count":   {target: &r.Count, required: true, check: between(1, 500, 1)},
		}, "draw rule", &l.ps)
		l.checkTags(file, line, r.Tags)
		for _, id := range r.Modules {
			if _, ok := l.cat.modules[id]; !ok {
				l.ps.add(file, line, "draw rule: module %q does not exist", id)
			}
		}
		pool := 0
		for _, q := range l.cat.Bank {
			if !used[q.Key] && matchesRule(q, r) {
				pool++
			}
		}
		if pool < r.Count {
			l.ps.add(file, line, "draw rule wants %d questions tagged %v but the bank has only %d left for it", r.Count, r.Tags, pool)
		}
		// Reserve the rule's questions in bank order so later rules are checked against what
		// is left, as Draw takes no key twice.
		taken := 0
		for _, q := range l.cat.Bank {
			if taken < r.Count && !used[q.Key] && matchesRule(q, r) {
				used[q.Key] = true
				taken++
			}
		}
		a.Draw = append(a.Draw, r)
	}
	return a
}

func matchesRule(q quiz.Banked, r quiz.DrawRule) bool {
	if len(r.Modules) > 0 && indexOf(r.Modules, q.Module) < 0 {
		return false
	}
	for _, t := range q.Question.Tags {
		if indexOf(r.Tags, t) >= 0 {
			return true
		}
	}
	return false
}

func (l *loader) loadKPIs() {
	const file = "kpis.yaml"
	src, ok := l.read(file)
	if !ok {
		return
	}
	root, ok := parseYAML(file, 1, src, &l.ps)
	if !ok {
		return
	}
	if root.Kind != yaml.SequenceNode {
		l.ps.add(file, root.Line, "kpis.yaml must be a list of KPIs")
		return
	}
	keys := map[string]bool{}
	var total float64
	for _, n := range root.Content {
		var k KPI
		decodeMapping(file, 1, n, map[string]field{
			"key":         {target: &k.Key, required: true},
			"name":        {target: &k.Name, required: true, check: nonEmpty},
			"unit":        {target: &k.Unit, required: true},
			"target":      {target: &k.Target, required: true},
			"direction":   {target: &k.Direction, required: true, check: oneOf("higher", "lower")},
			"weight":      {target: &k.Weight, required: true, check: between(0, 100, 0)},
			"description": {target: &k.Description},
			"remedial":    {target: &k.Remedial},
		}, "KPI", &l.ps)
		if !slugPattern.MatchString(k.Key) {
			l.ps.add(file, n.Line, "KPI key %q must be lower-case letters, digits and hyphens", k.Key)
		} else if keys[k.Key] {
			l.ps.add(file, n.Line, "KPI key %q appears twice", k.Key)
		}
		keys[k.Key] = true
		for _, id := range k.Remedial {
			if _, ok := l.cat.modules[id]; !ok {
				l.ps.add(file, n.Line, "remedial module %q does not exist", id)
			}
		}
		total += k.Weight
		l.cat.KPIs = append(l.cat.KPIs, k)
	}
	if len(l.cat.KPIs) > 0 && math.Abs(total-100) > 1e-9 {
		l.ps.add(file, root.Line, "KPI weights add up to %g, want 100", total)
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
