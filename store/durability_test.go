package store

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"aftercare/accounts"
	"aftercare/quiz"
)

// openSQLite opens a SQLite file whatever database the other tests run on: durability is a
// property of the SQLite setup.
func openSQLite(tb testing.TB) *Store {
	tb.Helper()
	st, err := Open(context.Background(), filepath.Join(tb.TempDir(), "durability.db"), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// synchronous is the writer connection's PRAGMA synchronous: 2 is FULL, 1 NORMAL.
func (s *Store) synchronous(tb testing.TB) int {
	tb.Helper()
	var v int
	if err := s.w.Raw("PRAGMA synchronous").Scan(&v).Error; err != nil {
		tb.Fatal(err)
	}
	return v
}

// The product setting: a submit the server acknowledged survives a power cut, not only a
// crash of the process. BenchmarkSubmitDurability shows what it costs.
func TestWritesAreSynchronousFull(t *testing.T) {
	st := openSQLite(t)
	if v := st.synchronous(t); v != 2 {
		t.Fatalf("PRAGMA synchronous = %d on the writer, want 2 (FULL)", v)
	}
}

// BenchmarkSubmitDurability measures one quiz submit (answers saved, graded, attempt closed, in
// one immediate transaction) with the product's synchronous=FULL and with NORMAL, which in WAL
// mode may lose the last commits on a power cut. Starting the attempt is not timed.
//
//	go test -run '^$' -bench SubmitDurability -benchtime 200x ./store/
func BenchmarkSubmitDurability(b *testing.B) {
	for _, mode := range []struct {
		name  string
		level int
	}{{"synchronous=FULL", 2}, {"synchronous=NORMAL", 1}} {
		b.Run(mode.name, func(b *testing.B) {
			st := openSQLite(b)
			ctx := context.Background()
			if mode.level != 2 {
				// The writer pool holds exactly one connection for the life of the store, so the
				// pragma set on it applies to every write below.
				if err := st.w.Exec("PRAGMA synchronous = NORMAL").Error; err != nil {
					b.Fatal(err)
				}
			}
			if got := st.synchronous(b); got != mode.level {
				b.Fatalf("synchronous %d, want %d", got, mode.level)
			}
			st.EnsureShop(ctx, "001", "店")
			u, err := st.CreateUser(ctx, accounts.NewUser{Login: "bench", Name: "压测", Role: accounts.Trainee, ShopCode: "001"}, "h")
			if err != nil {
				b.Fatal(err)
			}
			tf := quiz.Question{Type: quiz.TrueFalse, Name: "t", Correct: true}
			lookup := func(string) (quiz.Question, bool) { return tf, true }
			keys := make([]string, 10)
			layouts := make([]quiz.Layout, len(keys))
			answers := map[int]quiz.Response{}
			for i := range keys {
				keys[i], layouts[i], answers[i] = "q"+strconv.Itoa(i), quiz.NewLayout(tf, nil), quiz.Response{Choices: []int{i % 2}}
			}
			rules := quiz.AttemptRules{Pass: 80}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				a, _, err := st.StartAttempt(ctx, u.ID, "module:bench/"+strconv.Itoa(i), rules, keys, layouts)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := st.SubmitAttempt(ctx, a.ID, u.ID, rules, answers, lookup); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
