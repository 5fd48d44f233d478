package tracking

import (
	"sort"
	"time"
)

// reviewDays are the spaced-repetition gaps in days: a missed question comes back after one
// day, and each correct answer in a row moves it to the next, longer gap, so review time goes
// to what a person is actually forgetting.
var reviewDays = [...]int{1, 3, 10, 30}

// RetireAfter is how many correct answers in a row take a question out of a person's review
// queue: twice right on separate days shows it is known again.
const RetireAfter = 2

// ReviewItem is one question in one person's review queue: created when they miss it in a quiz
// and drawn into later refreshers until they answer it correctly RetireAfter times in a row.
type ReviewItem struct {
	QuestionKey   string // "course/module#name", the question's stable key
	Step          int    // step whose ReviewInterval is the gap that led to Due
	CorrectStreak int
	Due           time.Time // not before this instant (UTC)
	Retired       bool
}

// Missed (re)starts a question's review after a wrong answer anywhere (a module quiz, an
// assessment): back to the first step, no streak, due one day later. item may be the zero
// value for a question not yet in the queue; its QuestionKey is kept.
func Missed(item ReviewItem, now time.Time) ReviewItem {
	item.Step = 0
	item.CorrectStreak = 0
	item.Retired = false
	item.Due = now.Add(ReviewInterval(0)).UTC()
	return item
}

// Answered records an answer given to a question drawn for review. A correct answer adds to
// the streak and moves the question to the next interval (the last interval repeats); after
// RetireAfter correct answers in a row it is retired and no longer drawn. A wrong answer is a
// miss: back to step 0, due in one day, streak 0, and a retired question comes back.
func Answered(item ReviewItem, correct bool, now time.Time) ReviewItem {
	if !correct {
		return Missed(item, now)
	}
	item.CorrectStreak++
	if item.Step < 0 {
		item.Step = 0
	}
	if item.Step < len(reviewDays)-1 {
		item.Step++
	}
	item.Due = now.Add(ReviewInterval(item.Step)).UTC()
	if item.CorrectStreak >= RetireAfter {
		item.Retired = true
	}
	return item
}

// ReviewInterval is the gap before the review at a step: 1, 3, 10 and 30 days for steps 0–3.
// A step outside the table is clamped to it, so a corrupt stored step cannot panic.
func ReviewInterval(step int) time.Duration {
	if step < 0 {
		step = 0
	}
	if step >= len(reviewDays) {
		step = len(reviewDays) - 1
	}
	return time.Duration(reviewDays[step]) * 24 * time.Hour
}

// DueItems picks the questions to review at now: those not retired and due at or before now,
// the longest overdue first (ties by question key, so a draw is repeatable), at most limit of
// them (limit ≤ 0 means all). items is not modified.
func DueItems(items []ReviewItem, now time.Time, limit int) []ReviewItem {
	var due []ReviewItem
	for _, it := range items {
		if !it.Retired && !it.Due.After(now) {
			due = append(due, it)
		}
	}
	sort.SliceStable(due, func(i, j int) bool {
		if !due[i].Due.Equal(due[j].Due) {
			return due[i].Due.Before(due[j].Due)
		}
		return due[i].QuestionKey < due[j].QuestionKey
	})
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	return due
}
