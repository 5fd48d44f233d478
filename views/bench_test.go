package views

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"aftercare/content"
	"aftercare/courses"
	"aftercare/quiz"
)

// BenchmarkRenderAttemptPage renders the quiz page of an open 40-question attempt drawn from
// the bundled bank (every question type the library uses), as GET /attempts/:id does after
// loading the attempt: templ writing HTML, nothing else.
func BenchmarkRenderAttemptPage(b *testing.B) {
	cat, err := courses.Load(content.FS)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	d := AttemptData{Title: "季度综合考核", BackURL: "/me/progress", BackText: "返回我的进度"}
	for i, k := range rng.Perm(len(cat.Bank))[:40] {
		bq := cat.Bank[k]
		l := quiz.NewLayout(bq.Question, rng)
		d.Items = append(d.Items, AttemptItem{Number: i + 1, Position: i, Question: quiz.Present(bq.Question, bq.Key, l)})
	}
	p := Page{Title: d.Title, CSRF: "token"}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := AttemptPage(p, d).Render(context.Background(), &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
