package roleplay

import (
	"errors"
	"testing"
)

func TestNext(t *testing.T) {
	allowed := map[State]map[Action]State{
		Scheduled:  {Start: InProgress},
		InProgress: {Save: InProgress, Submit: Submitted},
		Submitted:  {Release: Released, Reopen: InProgress},
		Released:   {Reopen: InProgress},
	}
	states := []State{Scheduled, InProgress, Submitted, Released, "", "graded"}
	actions := []Action{Start, Save, Submit, Release, Reopen, "", "delete"}
	// Every state × action: the allowed ones move, everything else is ErrTransition and
	// leaves the state as it was.
	for _, s := range states {
		for _, a := range actions {
			got, err := Next(s, a)
			if want, ok := allowed[s][a]; ok {
				if err != nil || got != want {
					t.Errorf("Next(%q, %q) = %q, %v; want %q", s, a, got, err, want)
				}
				continue
			}
			if !errors.Is(err, ErrTransition) || got != s {
				t.Errorf("Next(%q, %q) = %q, %v; want %q and ErrTransition", s, a, got, err, s)
			}
		}
	}
}

func TestStateValidAndVisible(t *testing.T) {
	tests := []struct {
		s              State
		valid, visible bool
	}{
		{Scheduled, true, false},
		{InProgress, true, false},
		{Submitted, true, false},
		{Released, true, true},
		{"", false, false},
		{"Released", false, false},
	}
	for _, tt := range tests {
		if tt.s.Valid() != tt.valid || tt.s.ScoreVisible() != tt.visible {
			t.Errorf("%q: Valid %v, ScoreVisible %v; want %v, %v", tt.s, tt.s.Valid(), tt.s.ScoreVisible(), tt.valid, tt.visible)
		}
	}
}
