package quiz

import (
	"bytes"
	"reflect"
	"testing"
)

// assertRoundTrip writes questions as GIFT, reads them back and requires the
// same questions (Line aside, since the layout changes).
func assertRoundTrip(t *testing.T, first []Question) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteGIFT(&buf, first); err != nil {
		t.Fatalf("WriteGIFT: %v", err)
	}
	second, errs := ParseGIFT(buf.Bytes())
	if len(errs) != 0 {
		t.Fatalf("reading written GIFT: %v\n%s", errs, buf.String())
	}
	if len(second) != len(first) {
		t.Fatalf("round trip gave %d questions, want %d\n%s", len(second), len(first), buf.String())
	}
	for i := range first {
		a, b := first[i], second[i]
		a.Line, b.Line = 0, 0
		if !reflect.DeepEqual(a, b) {
			t.Errorf("question %d changed in the round trip:\nbefore %#v\nafter  %#v\nGIFT:\n%s", i+1, a, b, buf.String())
		}
	}
}
