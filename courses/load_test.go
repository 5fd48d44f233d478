package courses

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// minimal is a small, valid content tree; tests break one file at a time.
func minimal() fstest.MapFS {
	return fstest.MapFS{
		"tags.yaml":                    {Data: []byte("complaint: 投诉处理\nlaw: 法规\n")},
		"kpis.yaml":                    {Data: []byte("- key: satisfaction\n  name: 满意度\n  unit: 分\n  target: 4.8\n  direction: higher\n  weight: 100\n  remedial: [basics/listen]\n")},
		"courses/01-basics/_course.md": {Data: []byte("---\ntitle: 基础\n---\n介绍，见[第一课](01-listen.md)。\n")},
		"courses/01-basics/01-listen.md": {Data: []byte(`---
title: 倾听
hours: 1.5
tags: [complaint]
---
## 先听

顾客说话时不要打断。下一课见[法规](02-law.md#要点)。

<script>alert(1)</script>

[危险](javascript:alert(1))

` + "```quiz" + `
// [tag:complaint]
::第一步:: 顾客投诉时第一步做什么？ {
  =倾听 # 对
  ~争辩 # 错
}

// [tag:law]
::天数:: 无理由退货几天？ {#7}
` + "```" + `
`)},
		"courses/01-basics/02-law.md": {Data: []byte("---\ntitle: 法规\nhours: 1\n---\n## 要点\n七天。\n\n```quiz\n// [tag:law]\n::判断:: 七天无理由适用于网购。 {T}\n```\n")},
		"roleplays/angry.md": {Data: []byte(`---
title: 愤怒的顾客
product: tiles
difficulty: 2
pass: 70
hours: 0.5
rubric:
  - key: listening
    title: 倾听
    weight: 60
    levels:
      - {score: 0, description: 打断}
      - {score: 1, description: 听完}
  - key: options
    title: 方案
    weight: 40
    levels:
      - {score: 0, description: 无}
      - {score: 1, description: 有}
---
## 情境
砖有色差。
## 顾客角色说明
很生气。
## 期望行为
先道歉。
## 示范话术
“您先别急。”
## 自我练习
` + "```dialogue" + `
== start
顾客：砖怎么一块深一块浅？
* [3] 您别急，我马上登记。 -> good
  反馈：先接情绪。
* [0] 正常的。 -> bad
  反馈：推卸。
== good
顾客：好。
结局：顾客平静了。
== bad
顾客：叫经理！
结局：投诉升级。
` + "```" + `
`)},
		"programs/onboarding.md": {Data: []byte(`---
title: 入职培训
kind: onboarding
hours: 3
modules: [basics/listen, basics/law]
drills: [angry]
offline:
  - {key: shadowing, title: 跟岗, hours: 0.5}
assessment:
  title: 结业考核
  pass: 80
  minutes: 30
  draw:
    - {tags: [complaint], count: 1}
    - {tags: [law], count: 2}
---
说明。
`)},
	}
}

func TestLoadMinimalContent(t *testing.T) {
	cat, err := Load(minimal())
	if err != nil {
		t.Fatalf("minimal content has problems:\n%v", err)
	}
	m, ok := cat.Module("basics/listen")
	if !ok || m.Hours != 1.5 || m.Pass != 80 || m.Minutes != 30 || len(m.Questions) != 2 {
		t.Fatalf("module %+v", m)
	}
	if m.Questions[0].Key != "basics/listen#第一步" || m.Questions[1].Question.Line != 22 {
		t.Errorf("question keys/lines: %q line %d", m.Questions[0].Key, m.Questions[1].Question.Line)
	}
	for _, want := range []string{`<h2 id="先听">`, `href="/courses/basics/law#%E8%A6%81%E7%82%B9"`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("module HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	for _, bad := range []string{"<script>", "javascript:", "::第一步::", "[tag:"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("module HTML contains %q:\n%s", bad, m.HTML)
		}
	}
	if c, _ := cat.Course("basics"); !strings.Contains(c.IntroHTML, `href="/courses/basics/listen"`) {
		t.Errorf("course intro link not rewritten: %s", c.IntroHTML)
	}
	r, ok := cat.Roleplay("angry")
	if !ok || r.Dialogue == nil || len(r.Rubric) != 2 || !strings.Contains(r.BriefHTML, "很生气") || strings.Contains(r.PracticeHTML, "== start") {
		t.Fatalf("roleplay %+v", r)
	}
	p, _ := cat.Programme("onboarding")
	if got := cat.CreditedHours(p); got != 3.5 {
		t.Errorf("credited hours %v, want 3.5", got)
	}
	s := cat.Summarise()
	if s.Courses != 1 || s.Modules != 2 || s.Questions != 3 || s.Roleplays != 1 || s.Programmes["onboarding"].Modules != 2 {
		t.Errorf("summary %+v", s)
	}
}

func TestLoadReportsEveryProblemWithFileAndLine(t *testing.T) {
	fsys := minimal()
	fsys["courses/01-basics/01-listen.md"] = &fstest.MapFile{Data: []byte(`---
title: 倾听
hours: lots
colour: red
tags: [nope]
---
见[不存在](09-missing.md)。

` + "```quiz" + `
// [tag:complaint]
::坏题:: 题目 {
  =对
  ~%37%半对
}

// [tag:complaint]
::无效:: 没有闭合 {
  =对

::无标签:: 题 {T}
` + "```" + `
`)}
	fsys["courses/01-basics/03-untitled.md"] = &fstest.MapFile{Data: []byte("---\nhours: 1\n---\ntext\n")}
	fsys["courses/02-basics/_course.md"] = &fstest.MapFile{Data: []byte("---\ntitle: 又一个\n---\n")}
	fsys["courses/02-basics/01-x.md"] = &fstest.MapFile{Data: []byte("---\ntitle: x\nhours: 1\n---\n")}
	fsys["courses/01-basics/04-gbk.md"] = &fstest.MapFile{Data: []byte("---\ntitle: x\nhours: 1\n---\n\xc7\xeb\n")}
	_, err := Load(fsys)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	text := ps.Error()
	for _, want := range []string{
		"courses/01-basics/01-listen.md:3: hours: want a number",
		`courses/01-basics/01-listen.md:4: unknown key "colour"`,
		`courses/01-basics/01-listen.md:5: unknown tag "nope"`,
		`courses/01-basics/01-listen.md:7: link to "09-missing.md"`,
		"courses/01-basics/01-listen.md:11: quiz:",
		"courses/01-basics/01-listen.md:17: quiz:",
		`courses/01-basics/03-untitled.md:2: missing "title"`,
		`courses/02-basics/_course.md:1: duplicate course slug "basics"`,
		"courses/01-basics/04-gbk.md:5: the file is not UTF-8",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q; got:\n%s", want, text)
		}
	}
	for _, p := range ps {
		if p.File == "" || p.Line < 1 || p.Message == "" {
			t.Errorf("problem without a location: %+v", p)
		}
	}
}

func TestLoadChecksRoleplaysProgrammesAndKPIs(t *testing.T) {
	fsys := minimal()
	rp := string(fsys["roleplays/angry.md"].Data)
	rp = strings.Replace(rp, "weight: 40", "weight: 30", 1)
	rp = strings.Replace(rp, "-> bad", "-> nowhere", 1)
	rp = strings.Replace(rp, "## 期望行为", "## 期待", 1)
	fsys["roleplays/angry.md"] = &fstest.MapFile{Data: []byte(rp)}
	pg := string(fsys["programs/onboarding.md"].Data)
	pg = strings.Replace(pg, "hours: 3\n", "hours: 40\n", 1)
	pg = strings.Replace(pg, "basics/law]", "basics/lawyer]", 1)
	pg = strings.Replace(pg, "count: 2", "count: 5", 1)
	fsys["programs/onboarding.md"] = &fstest.MapFile{Data: []byte(pg)}
	fsys["kpis.yaml"] = &fstest.MapFile{Data: []byte("- key: satisfaction\n  name: 满意度\n  unit: 分\n  target: 4.8\n  direction: up\n  weight: 90\n")}
	_, err := Load(fsys)
	text := err.Error()
	for _, want := range []string{
		"roleplays/angry.md:8: rubric: weights add up to 90, want 100",
		`roleplays/angry.md:35: dialogue: target "nowhere" does not exist`,
		`unknown section "期待"`,
		`programs/onboarding.md:5: module "basics/lawyer" does not exist`,
		"credit ",
		"draw rule wants 5 questions",
		`kpis.yaml:5: direction: "up" is not one of`,
		"KPI weights add up to 90, want 100",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q; got:\n%s", want, text)
		}
	}
}
