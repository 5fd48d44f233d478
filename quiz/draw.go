package quiz

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Banked is a question in the question bank, under the server's key for it
// and the module it belongs to.
type Banked struct {
	Key      string
	Module   string
	Question Question
}

// DrawRule asks for Count random questions carrying any of Tags, from the
// given Modules when there are any. An empty Tags list matches every
// question; tags compare without regard to case, as Moodle's tags do.
type DrawRule struct {
	Tags    []string
	Modules []string
	Count   int
}

// Draw picks question keys for a quiz, rule by rule: Count distinct keys per
// rule, never one key twice across rules, preferring questions the student
// has not seen and falling back to seen ones only when the unseen are too
// few. Descriptions and categories are never drawn. The result is the keys
// of the first rule, then the second's, each rule's in random order; the
// same rng seed gives the same draw (a nil rng takes questions in bank
// order). Rules are served in order, so put the narrowest first. It returns
// an error when a rule's pool is smaller than its Count.
func Draw(bank []Banked, rules []DrawRule, seen map[string]bool, rng *rand.Rand) ([]string, error) {
	taken := map[string]bool{}
	var keys []string
	for n, rule := range rules {
		if rule.Count < 0 {
			return nil, fmt.Errorf("rule %d: count %d is negative", n+1, rule.Count)
		}
		var fresh, old []string
		for _, b := range bank {
			if taken[b.Key] || !Graded(b.Question.Type) || !rule.matches(b) {
				continue
			}
			taken[b.Key] = true // also keeps a key that appears twice in the bank from being counted twice
			if seen[b.Key] {
				old = append(old, b.Key)
			} else {
				fresh = append(fresh, b.Key)
			}
		}
		if len(fresh)+len(old) < rule.Count {
			return nil, fmt.Errorf("rule %d (tags %s, modules %s): needs %d questions, the bank has %d",
				n+1, list(rule.Tags), list(rule.Modules), rule.Count, len(fresh)+len(old))
		}
		shuffle(rng, fresh)
		shuffle(rng, old)
		pool := append(fresh, old...)
		keys = append(keys, pool[:rule.Count]...)
		// Questions in the pool that were not drawn stay available to later rules.
		for _, k := range pool[rule.Count:] {
			delete(taken, k)
		}
	}
	return keys, nil
}

// matches reports whether a banked question fits the rule's tags and modules.
func (r DrawRule) matches(b Banked) bool {
	if len(r.Modules) > 0 && !slices.Contains(r.Modules, b.Module) {
		return false
	}
	if len(r.Tags) == 0 {
		return true
	}
	for _, want := range r.Tags {
		for _, have := range b.Question.Tags {
			if strings.EqualFold(want, have) {
				return true
			}
		}
	}
	return false
}

// shuffle shuffles keys with rng, or leaves them alone when rng is nil.
func shuffle(rng *rand.Rand, keys []string) {
	if rng != nil {
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	}
}

// list formats a rule's tags or modules for an error message.
func list(s []string) string {
	if len(s) == 0 {
		return "any"
	}
	return strings.Join(s, ",")
}
