// Package content embeds the bundled course library (see docs/authoring.md) so the binary
// carries it ("all:" so that the _course.md files are included); `--content DIR` loads a
// folder instead.
package content

import (
	"embed"
	"io/fs"
)

//go:embed tags.yaml kpis.yaml all:courses all:roleplays all:programs
var files embed.FS

// FS is the bundled content.
var FS fs.FS = files
