package quiz

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// generateBank writes a GIFT bank of n questions cycling through every
// question type, in Chinese, with tags, feedback and escapes, the way a
// retail chain's bank looks.
func generateBank(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "// [id:Q%04d] [tag:售后] [tag:module-%d]\n", i, i%12)
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, "::单选%d:: 顾客投诉第%d号：第一步应当怎么做？ {\n"+
				"  =立即回应并登记顾客、商品与诉求 # 对：先接住情绪，再记录事实。\n"+
				"  ~先判断责任再决定是否受理 # 不对：先受理、后判断。\n"+
				"  ~请顾客改天再来 # 不对：拖延只会让情绪升级。\n"+
				"  ####受理→记录→判断→答复。\n}\n", i, i)
		case 1:
			fmt.Fprintf(&b, "::多选%d:: 以下哪些做法正确（第%d题）？ {\n"+
				"  ~%%50%%倾听顾客 # 对\n  ~%%50%%记录诉求\n  ~%%-100%%与顾客争吵 # 绝对不行\n  ~%%-100%%拒绝受理\n}\n", i, i)
		case 2:
			fmt.Fprintf(&b, "::判断%d:: 瓷砖色差（第%d批）属于质量问题。{F#不对：色差在标准范围内不算质量问题。#对。}\n", i, i)
		case 3:
			fmt.Fprintf(&b, "::简答%d:: “三包”指包修、包换和什么？{=包退#对 =%%50%%退*#差不多 =%%0%%*#再想想}\n", i)
		case 4:
			fmt.Fprintf(&b, "::配对%d:: 把问题与处理方式配对。{\n  =色差 -> 现场比对样板\n  =破损 -> 拍照登记后换货\n"+
				"  =少件 -> 核对出库单\n  = -> 直接拒绝\n}\n", i)
		case 5:
			fmt.Fprintf(&b, "::数值%d:: 无理由退货有几天（第%d题）？{#\n  =7:0#对\n  =%%50%%7:1#接近\n  ~#不对\n}\n", i, i)
		case 6:
			fmt.Fprintf(&b, "::区间%d:: 检测需要几天？答：{#3..7} 天。\n", i)
		default:
			fmt.Fprintf(&b, "::论述%d:: 请描述一次投诉处理\\: 要点包括 \\{倾听\\}、记录与答复。{####参考：先倾听。}\n", i)
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func BenchmarkParseGIFT1000(b *testing.B) {
	src := generateBank(1000)
	if qs, errs := ParseGIFT(src); len(qs) != 1000 || len(errs) != 0 {
		b.Fatalf("generated bank: %d questions, errors %v", len(qs), errs)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		ParseGIFT(src)
	}
}

func BenchmarkWriteGIFT(b *testing.B) {
	qs, _ := ParseGIFT(generateBank(1000))
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteGIFT(io.Discard, qs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGradeAttempt grades a 40-question attempt and scores it, as the
// server does when a student submits.
func BenchmarkGradeAttempt(b *testing.B) {
	qs, _ := ParseGIFT(generateBank(40))
	rng := rand.New(rand.NewPCG(1, 2))
	layouts := make([]Layout, len(qs))
	responses := make([]Response, len(qs))
	for i, q := range qs {
		layouts[i] = NewLayout(q, rng)
		switch q.Type {
		case MultiChoice:
			responses[i] = Response{Choices: []int{0}}
			if !q.Single {
				responses[i].Choices = []int{0, 1}
			}
		case TrueFalse:
			responses[i] = Response{Choices: []int{1}}
		case ShortAnswer:
			responses[i] = Response{Text: "退款"}
		case Numerical:
			responses[i] = Response{Number: "6.5"}
		case Matching:
			responses[i] = Response{Matches: map[int]int{0: 0, 1: 1, 2: 2}}
		case Essay:
			responses[i] = Response{Text: "先倾听，再记录，最后答复。"}
		}
	}
	marks := make([]Mark, len(qs))
	b.ReportAllocs()
	for b.Loop() {
		for i, q := range qs {
			marks[i] = Grade(q, layouts[i], responses[i])
		}
		Score(marks)
	}
}
