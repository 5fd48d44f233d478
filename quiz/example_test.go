package quiz_test

import (
	"fmt"
	"math/rand/v2"
	"os"

	"aftercare/quiz"
)

func ExampleParseGIFT() {
	src := `// [tag:law]
::退货天数:: 网购商品在收货后几日内可以无理由退货？ {#7}

::坏题:: 权重不对 {=对 ~%33%错}
`
	qs, errs := quiz.ParseGIFT([]byte(src))
	for _, q := range qs {
		fmt.Println(q.Line, q.Type, q.Name, q.Tags, q.Answers[0].Text)
	}
	for _, e := range errs {
		fmt.Println(e)
	}
	// Output:
	// 2 numerical 退货天数 [law] 7
	// line 4: answer weight %33% is not one of Moodle's grades (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0 and their negatives)
}

// Example shows one question going through an attempt: shuffle once, show
// the page, grade what came back.
func Example() {
	qs, _ := quiz.ParseGIFT([]byte("::受理:: 顾客投诉，第一步？ {~先判断责任 =立即回应并登记 # 对 ~改天再来}"))
	q := qs[0]
	layout := quiz.NewLayout(q, rand.New(rand.NewPCG(1, 2))) // stored with the attempt
	page := quiz.Present(q, "service-basics/complaints#受理", layout)

	// The student picks the option reading "立即回应并登记", by its ID on the page.
	var picked int
	for _, o := range page.Options {
		if o.Text == "立即回应并登记" {
			picked = o.ID
		}
	}
	mark := quiz.Grade(q, layout, quiz.Response{Choices: []int{picked}})
	percent, pending := quiz.Score([]quiz.Mark{mark})
	fmt.Println(mark.Correct, mark.Feedback, percent, pending)
	// Output: true [对] 100 false
}

func ExampleWriteGIFT() {
	qs := []quiz.Question{{
		Type: quiz.TrueFalse, Name: "色差", Text: "色差都属于质量问题。", Format: quiz.FormatMoodle,
		Tags: []string{"tile"}, Correct: false, FeedbackTrue: "不对：在标准范围内不算。",
	}}
	if err := quiz.WriteGIFT(os.Stdout, qs); err != nil {
		fmt.Println(err)
	}
	// Output:
	// // [tag:tile]
	// ::色差::色差都属于质量问题。{FALSE#不对：在标准范围内不算。
	// }
}
