// Package roleplay holds the rules of role-play training: the rubric a supervisor marks a
// drill with, the weighted score and pass decision, the workflow a drill's marking goes
// through, the branching self-practice dialogues trainees play alone, and the agreement
// between two supervisors who rated the same drill.
//
// The content loader (package courses) reads a scenario's YAML front matter and Markdown and
// hands this package the rubric (Rubric.Validate) and the body of the fenced dialogue block
// (ParseDialogue); both report problems by position so the loader can print path:line. The
// formats are defined in docs/authoring.md.
//
// Everything here is pure computation on values: no storage, no HTTP, no roles. The web layer
// decides who may act (see Next for who should be allowed each action) and the store keeps
// the state; this package only says what is allowed and what the numbers are. It imports the
// standard library only.
package roleplay
