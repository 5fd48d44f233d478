package roleplay

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Level is one step of a criterion's scale: the score a rater gives and what the trainee did
// to earn it. The description is what makes two raters give the same score.
type Level struct {
	Score       int
	Description string
}

// Criterion is one thing a drill is marked on. Weight is its share of the drill's score in
// percent; Levels run from score 0 upwards, so the last level is the criterion's top score.
type Criterion struct {
	Key    string
	Title  string
	Weight int
	Levels []Level
}

// Rubric is a scenario's marking scheme, in the order the author wrote it, which is also the
// order of the rating form.
type Rubric []Criterion

// Problem is a rubric rule violation. Criterion and Level are indexes into the rubric and the
// criterion's levels (-1 when the problem is not about one), so that the loader can map the
// problem back to a line of the YAML front matter. Message is short English for the author.
type Problem struct {
	Criterion int
	Level     int
	Message   string
}

// Validate checks the rubric rules of docs/authoring.md and returns every violation, so an
// author can fix them all in one pass: at least one criterion; keys non-empty, [a-z0-9-] and
// unique; titles non-empty; weights positive and adding up to 100; at least two levels per
// criterion with scores strictly increasing from 0 (gaps are allowed); descriptions non-empty.
func (r Rubric) Validate() []Problem {
	var ps []Problem
	add := func(c, l int, format string, args ...any) {
		ps = append(ps, Problem{Criterion: c, Level: l, Message: fmt.Sprintf(format, args...)})
	}
	if len(r) == 0 {
		add(-1, -1, "rubric has no criteria")
		return ps
	}
	seen := map[string]int{}
	sum := 0
	for i, c := range r {
		switch {
		case c.Key == "":
			add(i, -1, "key is empty")
		case !validID(c.Key):
			add(i, -1, "key %q may use only a-z, 0-9 and -", c.Key)
		default:
			if first, dup := seen[c.Key]; dup {
				add(i, -1, "key %q is already used by criterion %d", c.Key, first+1)
			} else {
				seen[c.Key] = i
			}
		}
		if strings.TrimSpace(c.Title) == "" {
			add(i, -1, "title is empty")
		}
		if c.Weight <= 0 {
			add(i, -1, "weight is %d, want a positive whole number", c.Weight)
		}
		sum += c.Weight
		if len(c.Levels) < 2 {
			add(i, -1, "has %d level(s), want at least 2", len(c.Levels))
		}
		for j, l := range c.Levels {
			if j == 0 && l.Score != 0 {
				add(i, j, "first level scores %d, want 0", l.Score)
			}
			if j > 0 && l.Score <= c.Levels[j-1].Score {
				add(i, j, "score %d is not above the previous level's %d", l.Score, c.Levels[j-1].Score)
			}
			if strings.TrimSpace(l.Description) == "" {
				add(i, j, "description is empty")
			}
		}
	}
	if sum != 100 {
		add(-1, -1, "weights add up to %d, want 100", sum)
	}
	return ps
}

// MaxScore is the top score of the criterion with the given key (0 when the rubric has no
// such criterion), which the rating form shows as "x / top" and scoring divides by.
func (r Rubric) MaxScore(key string) int {
	for _, c := range r {
		if c.Key == key {
			return c.top()
		}
	}
	return 0
}

// ScoreError says which criterion stopped a drill from being scored, so that the web layer
// can put the message next to that criterion's field on the rating form.
type ScoreError struct {
	Key    string
	Reason string
}

// Error names the criterion and the reason; the text is English, for logs and tests.
func (e *ScoreError) Error() string { return fmt.Sprintf("criterion %q: %s", e.Key, e.Reason) }

// Score computes a drill's weighted percentage, Σ weight × score ÷ (the criterion's top
// score), from the raters' level scores keyed by criterion key. Every criterion must be
// scored with one of its own level scores and no unknown key may appear; otherwise the result
// is a *ScoreError naming the criterion. The sum is computed exactly and rounded once, so a
// drill that earns exactly the pass mark gets exactly that number and Passed needs no
// tolerance. Score assumes a rubric that passed Validate (weights adding up to 100).
func (r Rubric) Score(scores map[string]int) (float64, error) {
	total := new(big.Rat)
	known := make(map[string]bool, len(r))
	for _, c := range r {
		known[c.Key] = true
		s, ok := scores[c.Key]
		if !ok {
			return 0, &ScoreError{Key: c.Key, Reason: "not scored"}
		}
		if !c.hasScore(s) {
			return 0, &ScoreError{Key: c.Key, Reason: fmt.Sprintf("score %d is not one of its levels (%s)", s, c.scoreList())}
		}
		top := c.top()
		if top <= 0 {
			return 0, &ScoreError{Key: c.Key, Reason: "has no level above 0"}
		}
		num := new(big.Int).Mul(big.NewInt(int64(c.Weight)), big.NewInt(int64(s)))
		total.Add(total, new(big.Rat).SetFrac(num, big.NewInt(int64(top))))
	}
	var unknown []string
	for k := range scores {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return 0, &ScoreError{Key: unknown[0], Reason: "no such criterion in the rubric"}
	}
	f, _ := total.Float64()
	return f, nil
}

// Passed reports whether a drill's weighted score reaches the scenario's pass mark (a
// percentage); reaching it exactly passes.
func Passed(score float64, pass int) bool {
	return score >= float64(pass)
}

// top is the criterion's highest level score.
func (c Criterion) top() int {
	top := 0
	for _, l := range c.Levels {
		top = max(top, l.Score)
	}
	return top
}

func (c Criterion) hasScore(s int) bool {
	for _, l := range c.Levels {
		if l.Score == s {
			return true
		}
	}
	return false
}

func (c Criterion) scoreList() string {
	parts := make([]string, len(c.Levels))
	for i, l := range c.Levels {
		parts[i] = strconv.Itoa(l.Score)
	}
	return strings.Join(parts, ", ")
}

// validID reports whether s is a non-empty [a-z0-9-] key, the rule for criterion keys and
// dialogue node ids alike.
func validID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-') {
			return false
		}
	}
	return true
}
