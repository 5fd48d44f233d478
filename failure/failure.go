// Package failure names the kinds of failure that cross package boundaries, so that domain
// code can say what went wrong without knowing about HTTP, and the web layer can map each kind
// to a status code in one place.
package failure

import (
	"errors"
	"sort"
	"strings"
)

// ErrNotFound means the object does not exist or the actor may not know that it exists:
// objects of another store answer exactly like missing ones.
var ErrNotFound = errors.New("not found")

// ErrForbidden means the actor is known but their role does not allow the action.
var ErrForbidden = errors.New("forbidden")

// ErrUnauthenticated means the action needs a signed-in user.
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrConflict means the action clashes with the object's current state, such as a second
// submit of the same attempt.
var ErrConflict = errors.New("conflict")

// Fields carries user-facing messages per form field, so a form can be shown again with each
// message next to its field. Messages are written for the user (Simplified Chinese).
type Fields map[string]string

// Error lists the fields in a stable order; the text is for logs, not for users.
func (f Fields) Error() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+f[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a message for a field unless one is there already, keeping the first problem
// the user should fix.
func (f Fields) Add(field, message string) {
	if _, ok := f[field]; !ok {
		f[field] = message
	}
}

// Err returns f as an error when it holds any message, and nil otherwise, so validation code
// can end with `return fields.Err()`.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return f
}
