package roleplay

import (
	"errors"
	"fmt"
)

// State is where a drill stands in its marking workflow. The workflow follows Moodle's
// marking workflow, cut down to what a shop-floor drill needs: the trainee sees the rating
// only once it is released, so a supervisor can correct a draft without the trainee
// watching the numbers move.
type State string

// The drill states, as stored.
const (
	// Scheduled: the drill is booked (trainee, scenario, rater, time); nothing is rated yet.
	Scheduled State = "scheduled"
	// InProgress: the role-play is under way or being rated; scores and comments are drafts.
	InProgress State = "in_progress"
	// Submitted: the rater has scored every criterion and finished; ready for release.
	Submitted State = "submitted"
	// Released: the trainee sees the score, the comments and whether they passed; a passed
	// drill credits the scenario's hours.
	Released State = "released"
)

// Valid reports whether s is one of the four states, for checking values read from storage
// or a form.
func (s State) Valid() bool {
	return s == Scheduled || s == InProgress || s == Submitted || s == Released
}

// ScoreVisible reports whether the trainee may see the drill's scores and comments: only once
// released, as in Moodle's marking workflow.
func (s State) ScoreVisible() bool { return s == Released }

// Action is something a user does to a drill. This package says which actions each state
// allows; the web layer checks that the user's role allows the action. Roles (DESIGN.md §4):
//
//   - Start (Scheduled → InProgress): the supervisor running the drill, a supervisor of the
//     trainee's store, or an admin.
//   - Save (InProgress → InProgress): the rater (a supervisor of the trainee's store, or an
//     admin) stores draft scores and comments.
//   - Submit (InProgress → Submitted): the rater, once every criterion is scored (Rubric.Score
//     succeeds).
//   - Release (Submitted → Released): a supervisor of the trainee's store or an admin; this
//     shows the result to the trainee and credits the hours when Passed.
//   - Reopen (Submitted → InProgress): the rater or an admin, to correct scores before release.
//   - Reopen (Released → InProgress): an admin only, since it withdraws a result the trainee
//     has seen and any hours it credited; the audit log records it.
//
// A trainee takes none of these actions: they play the drill and read the released result.
type Action string

// The drill actions.
const (
	Start   Action = "start"
	Save    Action = "save"
	Submit  Action = "submit"
	Release Action = "release"
	Reopen  Action = "reopen"
)

// ErrTransition means the action is not allowed in the drill's current state (or the state
// or action is unknown). The web layer answers it as a conflict.
var ErrTransition = errors.New("drill action not allowed in this state")

var transitions = map[State]map[Action]State{
	Scheduled:  {Start: InProgress},
	InProgress: {Save: InProgress, Submit: Submitted},
	Submitted:  {Release: Released, Reopen: InProgress},
	Released:   {Reopen: InProgress},
}

// Next returns the state a drill moves to when action a is taken in state s, or an error
// wrapping ErrTransition when the workflow does not allow it. See Action for who may take
// each action.
func Next(s State, a Action) (State, error) {
	if to, ok := transitions[s][a]; ok {
		return to, nil
	}
	if !s.Valid() {
		return s, fmt.Errorf("%w: unknown drill state %q", ErrTransition, s)
	}
	return s, fmt.Errorf("%w: cannot %s a drill that is %s", ErrTransition, a, s)
}
