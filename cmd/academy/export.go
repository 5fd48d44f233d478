package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"aftercare/courses"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/tracking"
	"aftercare/xapi"
)

// defaultBaseURL is where the platform runs unless told otherwise (serve's default address).
const defaultBaseURL = "http://localhost:8080"

// export handles `academy export xapi`: learning records as xAPI statements for a chain's
// learning record store or HR system.
func export(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const usage = "usage: academy export xapi [--since DATE] [--out FILE] [--jsonl] [--base-url URL] [--db PATH]"
	if len(args) == 0 || args[0] != "xapi" {
		return errors.New(usage)
	}
	fl, cfg := newFlags("export xapi", getenv, stderr)
	since := fl.String("since", "", "only records that became final at or after this date (YYYY-MM-DD in Asia/Shanghai, or RFC 3339)")
	out := fl.String("out", "", "write to this file instead of standard output")
	lines := fl.Bool("jsonl", false, "write JSON lines (one statement per line) instead of one JSON array")
	base := getenv("ACADEMY_BASE_URL")
	if base == "" {
		base = defaultBaseURL
	}
	fl.StringVar(&base, "base-url", base, "the platform's address as learners reach it (ACADEMY_BASE_URL): the root of activity IDs and accounts")
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return errors.New(usage)
	}
	from, err := parseSince(*since)
	if err != nil {
		return err
	}
	platform, err := xapi.NewPlatform(base)
	if err != nil {
		return fmt.Errorf("--base-url: %w", err)
	}
	cat, err := loadCatalog(cfg, stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	x := xapiExport{platform: platform, catalog: cat}
	statements, counts, err := x.statements(ctx, st, from)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := xapi.Write(&buf, statements, *lines); err != nil {
		return err
	}
	summary := fmt.Sprintf("%d statements: %d quiz attempts, %d module completions, %d drills", len(statements), counts.attempts, counts.modules, counts.drills)
	if *out == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintln(stderr, summary)
		return nil
	}
	if err := writeFileAtomically(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s to %s\n", summary, *out)
	return nil
}

// parseSince reads --since: a calendar date, meaning midnight in Asia/Shanghai where the
// stores are, or an RFC 3339 instant. Empty means from the beginning.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.Time{}, err
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, shanghai); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a date YYYY-MM-DD (Asia/Shanghai) or an RFC 3339 time such as 2026-03-01T08:00:00+08:00", s)
}

// writeFileAtomically writes a file through a temporary file in the same folder, so an
// interrupted export never leaves half a file where a loader might pick it up.
func writeFileAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// xapiExport turns store rows into statements, taking titles, reading minimums and questions
// from the catalogue. Records whose content has since been removed are still exported, with
// IDs but without titles.
type xapiExport struct {
	platform *xapi.Platform
	catalog  *courses.Catalog
}

type exportCounts struct{ attempts, modules, drills int }

// statements gathers everything that became final at or after since, ordered by time.
func (x xapiExport) statements(ctx context.Context, st *store.Store, since time.Time) ([]xapi.Statement, exportCounts, error) {
	var out []xapi.Statement
	var n exportCounts
	attempts, err := st.FinishedAttemptsSince(ctx, since)
	if err != nil {
		return nil, n, err
	}
	for _, a := range attempts {
		out = append(out, x.platform.AttemptStatements(x.attempt(a))...)
		n.attempts++
	}
	passes, err := st.ModuleQuizPassesSince(ctx, since)
	if err != nil {
		return nil, n, err
	}
	for _, p := range passes {
		if c, ok := x.moduleCompletion(p); ok {
			out = append(out, x.platform.ModuleStatement(c))
			n.modules++
		}
	}
	drills, err := st.ReleasedDrillsSince(ctx, since)
	if err != nil {
		return nil, n, err
	}
	for _, d := range drills {
		out = append(out, x.platform.DrillStatements(x.drill(d))...)
		n.drills++
	}
	xapi.SortByTime(out)
	return out, n, nil
}

func (x xapiExport) course(slug string) xapi.Activity {
	title := ""
	if co, ok := x.catalog.Course(slug); ok {
		title = co.Title
	}
	return x.platform.Course(slug, title)
}

func (x xapiExport) module(id string) (module, course xapi.Activity) {
	courseSlug, moduleSlug, _ := strings.Cut(id, "/")
	title := ""
	if m, ok := x.catalog.Module(id); ok {
		title = m.Title
	}
	return x.platform.Module(courseSlug, moduleSlug, title), x.course(courseSlug)
}

// attempt maps a finished attempt: the quiz with its module and course (or programme), and
// each question with the response in xAPI's format for its interaction type.
func (x xapiExport) attempt(a store.FinishedAttempt) xapi.QuizAttempt {
	out := xapi.QuizAttempt{ID: a.ID, Learner: x.platform.Agent(a.Login, a.Name), Started: a.StartedAt, Submitted: a.SubmittedAt,
		Percent: a.Score, Passed: a.Passed}
	kind, id, _ := strings.Cut(a.Quiz, ":")
	title := ""
	switch kind {
	case "module":
		module, course := x.module(id)
		out.Parent, out.Grouping = []xapi.Activity{module}, []xapi.Activity{course}
		if m, ok := x.catalog.Module(id); ok {
			title = m.Title + " · 测验"
		}
	case "programme":
		ptitle := ""
		if p, ok := x.catalog.Programme(id); ok {
			title, ptitle = p.Assessment.Title, p.Title
		}
		out.Parent = []xapi.Activity{x.platform.Programme(id, ptitle)}
	}
	out.Quiz = x.platform.Quiz(a.Quiz, title)
	for _, it := range a.Items {
		b, ok := x.catalog.Question(it.Key)
		if ok && !quiz.Graded(b.Question.Type) {
			continue // a description carries no answer
		}
		an := xapi.Answer{Position: it.Position}
		if ok {
			in, response := interaction(b.Question, it)
			an.Question = x.platform.Question(it.Key, b.Question.Name, b.Question.Text, in)
			an.Response = response
		} else {
			an.Question = x.platform.Question(it.Key, "", "", xapi.Interaction{Type: "other"})
			an.Response = strings.TrimSpace(it.Response.Text + it.Response.Number)
		}
		if it.Mark != nil && !it.Mark.NeedsGrading {
			an.Graded, an.Fraction, an.Correct = true, it.Mark.Fraction, it.Mark.Correct
		}
		out.Answers = append(out.Answers, an)
	}
	return out
}

// moduleCompletion maps a passed module quiz to a completion when the module's reading time
// is complete too (the rule that credits the module's hours). A module no longer in the
// content has no reading minimum and counts on its passed quiz.
func (x xapiExport) moduleCompletion(p store.ModuleQuizPass) (xapi.ModuleCompletion, bool) {
	seat := time.Duration(p.ActiveSeconds) * time.Second
	if m, ok := x.catalog.Module(p.ModuleID); ok && !tracking.ReadingComplete(seat, m.Minutes) {
		return xapi.ModuleCompletion{}, false
	}
	module, course := x.module(p.ModuleID)
	return xapi.ModuleCompletion{UserID: p.UserID, ModuleID: p.ModuleID, Learner: x.platform.Agent(p.Login, p.Name),
		Module: module, Course: course, Completed: p.PassedAt, SeatTime: seat}, true
}

func (x xapiExport) drill(d store.ReleasedDrill) xapi.DrillResult {
	title := ""
	if r, ok := x.catalog.Roleplay(d.Scenario); ok {
		title = r.Title
	}
	rater := x.platform.Agent(d.RaterLogin, d.RaterName)
	return xapi.DrillResult{ID: d.ID, Learner: x.platform.Agent(d.Login, d.Name), Rater: &rater,
		Scenario: x.platform.Roleplay(d.Scenario, title), Started: d.StartedAt, Submitted: d.SubmittedAt,
		Percent: d.Score, Passed: d.Passed}
}

// interaction describes a question in xAPI's interaction terms and writes the learner's
// response the way xAPI spells responses of that type: option IDs joined by "[,]" for
// choices, "true"/"false", the typed text or number, "source[.]target" pairs for matching.
// Options are numbered in the author's order, not the shuffled order the learner saw, so the
// same answer has the same ID in every attempt.
func interaction(q quiz.Question, it quiz.AttemptItem) (xapi.Interaction, string) {
	switch q.Type {
	case quiz.MultiChoice:
		in := xapi.Interaction{Type: "choice"}
		var right []string
		for i, a := range q.Answers {
			id := strconv.Itoa(i + 1)
			in.Choices = append(in.Choices, xapi.Component{ID: id, Description: xapi.Text(a.Text)})
			if (q.Single && a.Fraction >= 1-1e-9) || (!q.Single && a.Fraction > 0) {
				right = append(right, id)
			}
		}
		switch {
		case q.Single:
			in.CorrectResponses = right
		case len(right) > 0:
			in.CorrectResponses = []string{strings.Join(right, "[,]")}
		}
		var chosen []string
		for _, i := range quiz.ChosenAnswers(q, it.Layout, it.Response) {
			chosen = append(chosen, strconv.Itoa(i+1))
		}
		return in, strings.Join(chosen, "[,]")
	case quiz.TrueFalse:
		response := ""
		if chosen := quiz.ChosenAnswers(q, it.Layout, it.Response); len(chosen) == 1 {
			response = strconv.FormatBool(chosen[0] == 0) // index 0 is True
		}
		return xapi.Interaction{Type: "true-false", CorrectResponses: []string{strconv.FormatBool(q.Correct)}}, response
	case quiz.ShortAnswer:
		in := xapi.Interaction{Type: "fill-in"}
		for _, a := range q.Answers {
			if a.Fraction >= 1-1e-9 && !strings.Contains(a.Text, "*") { // xAPI has no wildcards
				in.CorrectResponses = append(in.CorrectResponses, a.Text)
			}
		}
		return in, strings.TrimSpace(it.Response.Text)
	case quiz.Numerical:
		in := xapi.Interaction{Type: "numeric"}
		for _, a := range q.Answers {
			v, err := strconv.ParseFloat(strings.TrimSpace(a.Text), 64)
			if a.Fraction < 1-1e-9 || err != nil {
				continue
			}
			if a.Tolerance == 0 {
				in.CorrectResponses = append(in.CorrectResponses, strconv.FormatFloat(v, 'g', -1, 64))
			} else {
				tol := max(a.Tolerance, -a.Tolerance)
				in.CorrectResponses = append(in.CorrectResponses,
					strconv.FormatFloat(v-tol, 'g', -1, 64)+"[:]"+strconv.FormatFloat(v+tol, 'g', -1, 64))
			}
		}
		return in, strings.TrimSpace(it.Response.Number)
	case quiz.Matching:
		return matching(q, it)
	case quiz.Essay:
		return xapi.Interaction{Type: "long-fill-in"}, strings.TrimSpace(it.Response.Text)
	}
	return xapi.Interaction{Type: "other"}, ""
}

// matching numbers a matching question's stems s1, s2 … and its distinct answers t1, t2 … in
// the author's order and writes the response as "s1[.]t2[,]s2[.]t1". The attempt's page
// showed stems and answers shuffled; quiz.Present gives them in that order, so a match is
// read back by text.
func matching(q quiz.Question, it quiz.AttemptItem) (xapi.Interaction, string) {
	in := xapi.Interaction{Type: "matching"}
	source, target := map[string]string{}, map[string]string{}
	for _, p := range q.Pairs {
		if _, ok := target[p.Answer]; !ok {
			target[p.Answer] = "t" + strconv.Itoa(len(target)+1)
			in.Target = append(in.Target, xapi.Component{ID: target[p.Answer], Description: xapi.Text(p.Answer)})
		}
	}
	var right []string
	for _, p := range q.Pairs {
		if _, ok := source[p.Question]; p.Question == "" || ok {
			continue
		}
		source[p.Question] = "s" + strconv.Itoa(len(source)+1)
		in.Source = append(in.Source, xapi.Component{ID: source[p.Question], Description: xapi.Text(p.Question)})
		right = append(right, source[p.Question]+"[.]"+target[p.Answer])
	}
	in.CorrectResponses = []string{strings.Join(right, "[,]")}
	shown := quiz.Present(q, it.Key, it.Layout)
	var pairs []string
	for stem, s := range shown.Stems {
		choice, ok := it.Response.Matches[stem]
		if !ok || choice < 0 || choice >= len(shown.Choices) {
			continue
		}
		pairs = append(pairs, source[s.Text]+"[.]"+target[shown.Choices[choice].Text])
	}
	return in, strings.Join(pairs, "[,]")
}
