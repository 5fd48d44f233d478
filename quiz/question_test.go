package quiz

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestQuestionJSON(t *testing.T) {
	tests := []struct {
		name string
		q    Question
		want string
	}{
		{
			name: "multichoice",
			q: Question{Type: MultiChoice, Name: "n", Text: "t", Format: "moodle", Line: 3, Single: true,
				Answers: []Answer{{Text: "a", Fraction: 1, Feedback: "f"}, {Text: "b", Fraction: -0.5}}},
			want: `{"type":"multichoice","name":"n","text":"t","format":"moodle","general_feedback":"","id":"","tags":[],"line":3,` +
				`"single":true,"answers":[{"text":"a","fraction":1,"feedback":"f"},{"text":"b","fraction":-0.5,"feedback":""}]}`,
		},
		{
			name: "multiple answers say single false",
			q:    Question{Type: MultiChoice, Answers: []Answer{{Text: "a", Fraction: 1}}},
			want: `{"type":"multichoice","name":"","text":"","format":"","general_feedback":"","id":"","tags":[],"line":0,` +
				`"single":false,"answers":[{"text":"a","fraction":1,"feedback":""}]}`,
		},
		{
			name: "shortanswer",
			q:    Question{Type: ShortAnswer, Name: "n", Tags: []string{"售后"}, ID: "x", Answers: []Answer{{Text: "*", Fraction: 0.5}}},
			want: `{"type":"shortanswer","name":"n","text":"","format":"","general_feedback":"","id":"x","tags":["售后"],"line":0,` +
				`"answers":[{"text":"*","fraction":0.5,"feedback":""}]}`,
		},
		{
			name: "numerical",
			q:    Question{Type: Numerical, Answers: []Answer{{Text: "2", Fraction: 1, Tolerance: 1}, {Text: "*"}}},
			want: `{"type":"numerical","name":"","text":"","format":"","general_feedback":"","id":"","tags":[],"line":0,` +
				`"answers":[{"text":"2","fraction":1,"feedback":"","tolerance":1},{"text":"*","fraction":0,"feedback":"","tolerance":0}]}`,
		},
		{
			name: "truefalse",
			q:    Question{Type: TrueFalse, GeneralFeedback: "g", FeedbackFalse: "no"},
			want: `{"type":"truefalse","name":"","text":"","format":"","general_feedback":"g","id":"","tags":[],"line":0,` +
				`"correct":false,"feedback_true":"","feedback_false":"no"}`,
		},
		{
			name: "matching",
			q:    Question{Type: Matching, Pairs: []Pair{{"a", "1"}, {"", "2"}}},
			want: `{"type":"matching","name":"","text":"","format":"","general_feedback":"","id":"","tags":[],"line":0,` +
				`"pairs":[{"question":"a","answer":"1"},{"question":"","answer":"2"}]}`,
		},
		{
			name: "category",
			q:    Question{Type: Category, Category: "$course$/a", Line: 2},
			want: `{"type":"category","name":"","text":"","format":"","general_feedback":"","id":"","tags":[],"line":2,"category":"$course$/a"}`,
		},
		{
			name: "essay has only the common keys",
			q:    Question{Type: Essay, Text: "<b>", Answers: []Answer{{Text: "ignored"}}},
			want: `{"type":"essay","name":"","text":"\u003cb\u003e","format":"","general_feedback":"","id":"","tags":[],"line":0}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("json.Marshal\n got %s\nwant %s", got, tt.want)
			}
			// A pointer marshals the same way.
			if p, _ := json.Marshal(&tt.q); string(p) != string(got) {
				t.Errorf("pointer marshals as %s", p)
			}
		})
	}
}

func TestQuestionJSONRoundTrip(t *testing.T) {
	qs, errs := ParseGIFT([]byte(chineseBank))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	data, err := json.Marshal(qs)
	if err != nil {
		t.Fatal(err)
	}
	var back []Question
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, qs) {
		t.Errorf("JSON round trip changed questions:\n got %#v\nwant %#v", back, qs)
	}
}

func TestErrorJSON(t *testing.T) {
	got, _ := json.Marshal([]Error{{Line: 4, Message: "bad weight"}})
	if want := `[{"line":4,"message":"bad weight"}]`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
