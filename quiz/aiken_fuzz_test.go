package quiz

import (
	"bytes"
	"testing"
)

// FuzzParseAiken feeds arbitrary files to the Aiken reader (`academy aiken parse` reads what
// people upload from other systems): it must never panic, every problem must carry a line of
// the file, and every question it returns must be one a trainee can answer — at least two
// choices and exactly one of them right.
func FuzzParseAiken(f *testing.F) {
	for _, s := range []string{
		"What is the correct answer to this question?\nA. Is it this one?\nB. Maybe this answer?\nC. Possibly this one?\nD. Must be this one!\nANSWER: D\n",
		"顾客要求退货，第一步？\nA) 先受理登记\nB) 推给厂家\nANSWER: A\n",
		"Q\nA. x\nANSWER: A\n",
		"A. orphan\nANSWER: B\n",
		"Q1\nA. a\nB. b\nQ2\nA. c\nB. d\nANSWER: C\n",
		"Q\r\nA. <b>x</b> & y\r\nB. z\r\nANSWER: B\r\n",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		qs, errs := ParseAiken(src)
		// Lines end in LF, CRLF or a lone CR, as sourceLines splits them.
		text := bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
		lines := bytes.Count(text, []byte("\n")) + bytes.Count(text, []byte("\r")) + 1
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines || e.Message == "" {
				t.Fatalf("problem without a line of the file (%d lines): %+v", lines, e)
			}
		}
		for _, q := range qs {
			if q.Type != MultiChoice || len(q.Answers) < 2 {
				t.Fatalf("question with %d choices: %+v", len(q.Answers), q)
			}
			right := 0
			for _, a := range q.Answers {
				if a.Fraction > 0 {
					right++
				}
			}
			if right != 1 {
				t.Fatalf("question with %d right answers: %+v", right, q)
			}
		}
	})
}
