package courses

import (
	"errors"
	"testing"
	"testing/fstest"
)

// FuzzLoadModule feeds arbitrary module files to the loader: it must never panic, and every
// problem it reports must name a file and a line, so an author can always find it.
func FuzzLoadModule(f *testing.F) {
	base := minimal()
	f.Add(base["courses/01-basics/01-listen.md"].Data)
	f.Add([]byte("---\ntitle: x\nhours: 1\n---\n```quiz\n::a:: b {=c ~d}\n```\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\ntitle: [unclosed\n---\n[link](../x.md)"))
	f.Add([]byte("no front matter"))
	f.Fuzz(func(t *testing.T, module []byte) {
		fsys := minimal()
		fsys["courses/01-basics/01-listen.md"] = &fstest.MapFile{Data: module}
		cat, err := Load(fsys)
		if cat == nil {
			t.Fatal("Load returned no catalogue")
		}
		var ps Problems
		if err != nil && !errors.As(err, &ps) {
			t.Fatalf("Load returned %T, want Problems", err)
		}
		for _, p := range ps {
			if p.File == "" || p.Line < 1 || p.Message == "" {
				t.Fatalf("problem without a location: %+v", p)
			}
		}
	})
}
