package courses

import (
	"fmt"
	"testing"
	"testing/fstest"
)

// BenchmarkLoad1000Modules loads a generated library of 1,000 modules with 10 questions each:
// front matter, Markdown rendering, GIFT parsing and validation, as at server start.
func BenchmarkLoad1000Modules(b *testing.B) {
	fsys := minimal()
	lesson := "## 要点\n\n顾客投诉时先倾听、再登记、再诊断。| 这样说 | 不要这样说 |\n|---|---|\n| 您别急 | 这很正常 |\n\n"
	for c := 0; c < 20; c++ {
		dir := fmt.Sprintf("courses/%02d-c%d", c+2, c)
		fsys[dir+"/_course.md"] = &fstest.MapFile{Data: []byte("---\ntitle: 课程\n---\n介绍\n")}
		for m := 0; m < 50; m++ {
			body := "---\ntitle: 一课\nhours: 1\n---\n" + lesson + lesson + "```quiz\n"
			for q := 0; q < 10; q++ {
				body += fmt.Sprintf("// [tag:complaint]\n::题%d:: 第一步做什么？ {\n=倾听 # 对\n~争辩 # 错\n}\n\n", q)
			}
			fsys[fmt.Sprintf("%s/%02d-m%d.md", dir, m+1, m)] = &fstest.MapFile{Data: []byte(body + "```\n")}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
}
