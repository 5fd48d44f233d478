package quiz

import "math/rand/v2"

// Option is one thing a student can pick. ID is its position on the page,
// not its index in the question, so that the page gives away nothing about
// which answer the author wrote first (usually the right one).
type Option struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

// Presented is everything a page may show of a question while it is being
// answered. It deliberately has no fractions, feedback, tolerances or
// answer indexes: a page (or a student reading its source) learns nothing
// about the right answer from it.
type Presented struct {
	Key    string `json:"key"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	Text   string `json:"text"`
	Format string `json:"format"`
	// Options are the answers of a multiple-choice question, or True and
	// False, in display order.
	Options []Option `json:"options,omitempty"`
	// Stems are the left-hand questions of a matching question, and Choices
	// the answers each stem can be matched with, both in display order.
	Stems   []Option `json:"stems,omitempty"`
	Choices []Option `json:"choices,omitempty"`
	// Multiple is true when several options may be chosen (checkboxes).
	Multiple bool `json:"multiple,omitempty"`
}

// Layout is the order a question's options were shown in during one attempt.
// Order[pos] is the index (into Answers, or into Pairs for the stems of a
// matching question) shown at position pos; ChoiceOrder does the same for
// the choices of a matching question. For true/false, index 0 is True and 1
// is False. The server stores the layout with the attempt so the page looks
// the same on reload and Grade can map positions back to answers.
type Layout struct {
	Order       []int `json:"order,omitempty"`
	ChoiceOrder []int `json:"choice_order,omitempty"`
}

// NewLayout shuffles a question's options for a new attempt, as Moodle
// shuffles answers by default. True/false is never shuffled. With a nil rng
// the options keep their source order, which tests and previews find handy.
func NewLayout(q Question, rng *rand.Rand) Layout {
	items, choices := layoutItems(q)
	l := Layout{Order: items, ChoiceOrder: choices}
	if rng != nil && q.Type != TrueFalse {
		rng.Shuffle(len(l.Order), func(i, j int) { l.Order[i], l.Order[j] = l.Order[j], l.Order[i] })
		rng.Shuffle(len(l.ChoiceOrder), func(i, j int) {
			l.ChoiceOrder[i], l.ChoiceOrder[j] = l.ChoiceOrder[j], l.ChoiceOrder[i]
		})
	}
	return l
}

// Present builds the page view of a question for an attempt. key is the
// server's identifier of the question and is passed through. A layout made
// for an older version of the question still works: positions that point
// nowhere are dropped and new answers are shown last.
func Present(q Question, key string, l Layout) Presented {
	p := Presented{Key: key, Type: string(q.Type), Name: q.Name, Text: q.Text, Format: q.Format}
	order, choiceOrder := arrange(q, l)
	switch q.Type {
	case MultiChoice:
		p.Multiple = !q.Single
		for pos, i := range order {
			p.Options = append(p.Options, Option{ID: pos, Text: q.Answers[i].Text})
		}
	case TrueFalse:
		for pos, i := range order {
			p.Options = append(p.Options, Option{ID: pos, Text: trueFalseText[i]})
		}
	case Matching:
		for pos, i := range order {
			p.Stems = append(p.Stems, Option{ID: pos, Text: q.Pairs[i].Question})
		}
		for pos, i := range choiceOrder {
			p.Choices = append(p.Choices, Option{ID: pos, Text: q.Pairs[i].Answer})
		}
	}
	return p
}

// trueFalseText labels the two true/false options; pages may translate them
// by position.
var trueFalseText = [2]string{"True", "False"}

// layoutItems lists what a layout orders for q, in source order: answer
// indexes for multiple choice, 0 (True) and 1 (False) for true/false, and for
// matching the pairs that have a question (the stems) and the pairs whose
// answer is offered as a choice (each distinct answer once, distractors
// included).
func layoutItems(q Question) (items, choices []int) {
	switch q.Type {
	case MultiChoice:
		for i := range q.Answers {
			items = append(items, i)
		}
	case TrueFalse:
		items = []int{0, 1}
	case Matching:
		seen := map[string]bool{}
		for i, p := range q.Pairs {
			if p.Question != "" {
				items = append(items, i)
			}
			if !seen[p.Answer] {
				seen[p.Answer] = true
				choices = append(choices, i)
			}
		}
	}
	return items, choices
}

// arrange returns the layout's orders made valid for q: entries that are not
// items of q, or repeat, are dropped, and missing items are appended in
// source order. Present and Grade both use it, so they always agree on what
// a position means.
func arrange(q Question, l Layout) (order, choiceOrder []int) {
	items, choices := layoutItems(q)
	return fitOrder(l.Order, items), fitOrder(l.ChoiceOrder, choices)
}

// fitOrder makes order a permutation of items.
func fitOrder(order, items []int) []int {
	valid := make(map[int]bool, len(items))
	for _, i := range items {
		valid[i] = true
	}
	out := make([]int, 0, len(items))
	for _, i := range order {
		if valid[i] {
			out = append(out, i)
			valid[i] = false
		}
	}
	for _, i := range items {
		if valid[i] {
			out = append(out, i)
		}
	}
	return out
}
