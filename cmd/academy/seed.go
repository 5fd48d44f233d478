package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/tracking"
)

// seedAssessmentAttempts mirrors the web's limit of three attempts at a programme assessment,
// so seeded people can still start one more during a load test.
const seedAssessmentAttempts = 3

// seed fills a new database with a load-test data set (see store.Seed) and writes the
// load-test sessions to a file for the tools in bench/.
func seed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl, cfg := newFlags("seed", getenv, stderr)
	staff := fl.Int("staff", 10000, "number of staff (one supervisor per store, the rest trainees)")
	stores := fl.Int("stores", 200, "number of stores")
	attempts := fl.Int("attempts", 1000000, "number of finished quiz attempts over the last 12 months")
	password := fl.String("password", getenv("ACADEMY_PASSWORD"), "every seeded user's password (default: generated and printed)")
	sessions := fl.String("sessions", "", "file for the load-test session tokens (default: the database file + .sessions)")
	randomSeed := fl.Uint64("seed", 1, "random seed, for a reproducible data set")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *sessions == "" {
		*sessions = cfg.db + ".sessions"
		if store.IsPostgresDSN(cfg.db) {
			*sessions = "academy-seed.sessions" // a DSN is no file name
		}
	}
	if *password == "" {
		*password = randomSecret(9)
	}
	if msg := accounts.PasswordProblem(*password); msg != "" {
		return fmt.Errorf("--password: %s", msg)
	}
	started := time.Now()
	debug.SetGCPercent(400) // the seed allocates rows in bulk; fewer collections, same result
	cat, err := loadCatalog(cfg, stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.db, store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer st.Close()
	// One bcrypt hash for everyone: 10,000 hashes at the real cost would take most of an hour.
	hash, err := accounts.HashPassword(*password, passwordCost)
	if err != nil {
		return err
	}
	plan := seedPlan(cat)
	plan.Staff, plan.Stores, plan.Attempts = *staff, *stores, *attempts
	plan.PasswordHash = hash
	plan.Now = time.Now().UTC()
	plan.Location, _ = time.LoadLocation("Asia/Shanghai")
	plan.Random = rand.New(rand.NewPCG(*randomSeed, *randomSeed^0x5eed)) // #nosec G404 -- load-test data from a chosen seed, reproducible on purpose
	plan.Progress = func(line string) {
		fmt.Fprintf(stdout, "  %6.1fs  %s\n", time.Since(started).Seconds(), line)
	}
	res, err := st.Seed(ctx, plan)
	if err != nil {
		return err
	}
	if err := writeSeedSessions(*sessions, res.Sessions); err != nil {
		return err
	}
	elapsed := time.Since(started)
	if err := st.Close(); err != nil {
		return err
	}
	size := fileSize(cfg.db) + fileSize(cfg.db+"-wal")
	fmt.Fprintf(stdout, "seeded %s in %.1f s: %d stores, %d users, %d attempts, %d items, %d module progress rows, %d drills, %d assignments, %d KPI values; %.0f MB\n",
		store.DisplayName(cfg.db), elapsed.Seconds(), res.Shops, res.Users, res.Attempts, res.Items, res.Progress, res.Drills, res.Assignments, res.KPIValues, float64(size)/(1<<20))
	fmt.Fprintf(stdout, "every seeded user's password: %s\n", *password)
	for _, s := range firstOfEachRole(res.Sessions) {
		fmt.Fprintf(stdout, "  %-10s %s (store %s)\n", s.Role, s.Login, s.Shop)
	}
	fmt.Fprintf(stdout, "load-test sessions (token, user id, login, role, store): %s\n", *sessions)
	return nil
}

// seedPlan turns the catalogue into what the seed needs: every module quiz, every programme
// assessment drawing from the whole bank, module caps and drill rubrics.
func seedPlan(cat *courses.Catalog) store.SeedPlan {
	var p store.SeedPlan
	layout := func(q quiz.Question) string {
		b, _ := json.Marshal(quiz.NewLayout(q, nil))
		return string(b)
	}
	for _, co := range cat.Courses {
		for _, m := range co.Modules {
			p.Modules = append(p.Modules, store.SeedModule{ID: m.ID, CapSeconds: int(tracking.DefaultSeatRules.ModuleCap(m.Minutes).Seconds())})
			if len(m.Questions) == 0 {
				continue
			}
			q := store.SeedQuiz{ID: "module:" + m.ID, Pass: m.Pass}
			for _, b := range m.Questions {
				q.Keys = append(q.Keys, b.Key)
				q.Layouts = append(q.Layouts, layout(b.Question))
			}
			p.Quizzes = append(p.Quizzes, q)
		}
	}
	var all store.SeedQuiz
	for _, b := range cat.Bank {
		all.Keys = append(all.Keys, b.Key)
		all.Layouts = append(all.Layouts, layout(b.Question))
	}
	for _, pr := range cat.Programmes {
		n := pr.Assessment.Questions()
		if n == 0 {
			continue
		}
		q := all
		q.ID, q.Pass, q.Draw, q.MaxAttempts = store.ProgrammeQuiz(pr.Slug, ""), pr.Assessment.Pass, n, seedAssessmentAttempts
		if pr.Recurrence == "" {
			p.Quizzes = append(p.Quizzes, q) // the onboarding final
			continue
		}
		p.Recurring = append(p.Recurring, store.SeedRecurring{Slug: pr.Slug, Kind: pr.Kind, Recurrence: pr.Recurrence, DueDays: pr.DueDays, Quiz: q})
	}
	for _, k := range cat.KPIs {
		p.KPIs = append(p.KPIs, store.SeedKPI{Key: k.Key, Target: k.Target})
	}
	for _, rp := range cat.Roleplays {
		sc := store.SeedScenario{Slug: rp.Slug, Pass: rp.Pass, TopScore: 1 << 30}
		for _, c := range rp.Rubric {
			sc.Criteria = append(sc.Criteria, c.Key)
			if n := len(c.Levels); n > 0 {
				sc.TopScore = min(sc.TopScore, c.Levels[n-1].Score)
			}
		}
		if len(sc.Criteria) > 0 && sc.TopScore > 0 {
			p.Scenarios = append(p.Scenarios, sc)
		}
	}
	return p
}

func writeSeedSessions(path string, ss []store.SeedSession) error {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "%s\t%d\t%s\t%s\t%s\n", s.Token, s.UserID, s.Login, s.Role, s.Shop)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func firstOfEachRole(ss []store.SeedSession) []store.SeedSession {
	var out []store.SeedSession
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s.Role] {
			seen[s.Role] = true
			out = append(out, s)
		}
	}
	return out
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
