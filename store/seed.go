package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"aftercare/tracking"
)

// SeedQuiz is a quiz the seed takes attempts at. Module quizzes hold all their questions;
// programme assessments draw Draw questions from Keys per attempt.
type SeedQuiz struct {
	ID   string
	Pass int
	// Keys are the question keys the quiz draws from; Layouts the matching layout JSON.
	Keys    []string
	Layouts []string
	// Draw is how many questions an attempt holds (0: all of Keys).
	Draw int
	// MaxAttempts caps a person's attempts (0: no cap), as the live rules do.
	MaxAttempts int
}

// SeedScenario is a role-play scenario the seed books drills of.
type SeedScenario struct {
	Slug     string
	Pass     int
	Criteria []string
	TopScore int
}

// SeedPlan describes the load-test data set: how many staff, stores and finished attempts,
// and the content they are taken from (passed in so store needs no catalogue).
type SeedPlan struct {
	Staff     int
	Stores    int
	Attempts  int
	Quizzes   []SeedQuiz
	Modules   []SeedModule
	Scenarios []SeedScenario
	Recurring []SeedRecurring
	KPIs      []SeedKPI
	// Location is where periods and months begin (the platform's time zone).
	Location *time.Location
	// PasswordHash is every seeded user's hash: one bcrypt hash computed once, so the seed
	// does not spend hours hashing.
	PasswordHash string
	// SessionLifetime is how long the load-test sessions the seed creates stay valid.
	SessionLifetime time.Duration
	// Now is the end of the seeded year; attempts spread over the 12 months before it.
	Now time.Time
	// Random makes the data set reproducible.
	Random *mrand.Rand
	// Progress receives a line per finished batch (may be nil).
	Progress func(string)
}

// SeedRecurring is a recurring programme (monthly refresher, quarterly assessment): each
// period every person is assigned it and most take its assessment once (a few retake it).
type SeedRecurring struct {
	Slug, Kind, Recurrence string
	DueDays                int
	// Quiz is the assessment; its ID is replaced by ProgrammeQuiz(Slug, period).
	Quiz SeedQuiz
}

// SeedKPI is a KPI the seed enters monthly values of, scattered around the target.
type SeedKPI struct {
	Key    string
	Target float64
}

// SeedModule is a module whose reading time the seed records.
type SeedModule struct {
	ID         string
	CapSeconds int
}

// SeedSession is a signed-in session the seed created for load testing: the raw token goes
// into the cookie, only its hash is stored.
type SeedSession struct {
	UserID int64
	Login  string
	Role   string
	Shop   string
	Token  string
}

// SeedResult counts what the seed wrote.
type SeedResult struct {
	Shops, Users, Attempts, Items, Progress, Drills, Assignments, KPIValues int
	Sessions                                                                []SeedSession
}

// ErrSeedNotEmpty refuses to seed a database that already has people in it: the seed writes
// load-test sessions and shared passwords and must never touch real data.
var ErrSeedNotEmpty = errors.New("seed: the database already has users; seed only a new database")

// seedBatchUsers is how many people's data go into one transaction.
const seedBatchUsers = 250

// Seed fills a new database with a large, realistic data set for load tests: stores, staff
// (one supervisor per store), an admin, 12 months of finished attempts with their items,
// module progress, released drills and, when the KPI table exists, monthly KPI values. It
// writes in batches, one transaction each, with multi-row INSERTs, and on SQLite relaxes
// durability on the writer connection for the duration only (the data set is rebuilt, not
// recovered, after a crash).
func (s *Store) Seed(ctx context.Context, p SeedPlan) (SeedResult, error) {
	var res SeedResult
	if n, err := s.CountUsers(ctx); err != nil {
		return res, err
	} else if n > 0 {
		return res, ErrSeedNotEmpty
	}
	if p.Stores < 1 || p.Staff < p.Stores || len(p.Quizzes) == 0 {
		return res, errors.New("seed: need at least one store, one person per store and one quiz")
	}
	if p.Random == nil {
		p.Random = mrand.New(mrand.NewPCG(1, 2)) // #nosec G404 -- load-test data: reproducible on purpose, nothing secret
	}
	if p.SessionLifetime == 0 {
		p.SessionLifetime = 30 * 24 * time.Hour
	}
	say := func(format string, args ...any) {
		if p.Progress != nil {
			p.Progress(fmt.Sprintf(format, args...))
		}
	}
	w := s.w.WithContext(ctx)
	if w.Dialector.Name() == "sqlite" {
		// The writer pool has exactly one connection, so these apply to the seed's writes only
		// and are put back before anyone else uses it.
		if err := w.Exec("PRAGMA synchronous = OFF").Error; err != nil {
			return res, err
		}
		if err := w.Exec("PRAGMA cache_size = -262144").Error; err != nil {
			return res, err
		}
		defer w.Exec("PRAGMA cache_size = -2000")
		defer w.Exec("PRAGMA synchronous = FULL")
	}
	g := &seeder{p: p, now: p.Now.UTC(), rng: p.Random, postgres: s.postgres}
	if err := w.Transaction(func(tx *gorm.DB) error { return g.shopsAndUsers(tx, &res) }); err != nil {
		return res, err
	}
	say("%d stores, %d users, %d sessions", res.Shops, res.Users, len(res.Sessions))
	kpiTable := s.tableExists(ctx, "kpi_values")
	perUser := p.Attempts / len(g.staff)
	extra := p.Attempts - perUser*len(g.staff)
	for from := 0; from < len(g.staff); from += seedBatchUsers {
		batch := g.staff[from:min(from+seedBatchUsers, len(g.staff))]
		err := w.Transaction(func(tx *gorm.DB) error {
			for i, u := range batch {
				n := perUser
				if from+i < extra {
					n++
				}
				if err := g.personYear(u, n, &res); err != nil {
					return err
				}
			}
			if kpiTable {
				for _, u := range batch {
					g.kpiYear(u, &res)
				}
			}
			return g.flush(tx)
		})
		if err != nil {
			return res, err
		}
		say("%d/%d people: %d attempts, %d items", from+len(batch), len(g.staff), res.Attempts, res.Items)
	}
	return res, nil
}

func (s *Store) tableExists(ctx context.Context, name string) bool {
	var n int64
	err := s.r.WithContext(ctx).Raw("SELECT COUNT(*) FROM " + name + " WHERE 1 = 0").Scan(&n).Error
	return err == nil
}

type seedPerson struct {
	id        int64
	shop      int64
	supervise int64 // the supervisor rating their drills
	hired     time.Time
}

// seeder generates rows and writes them as multi-row INSERTs.
type seeder struct {
	p       SeedPlan
	now     time.Time
	rng     *mrand.Rand
	staff   []seedPerson
	attempt int64
	rating  int64
	drill   int64
	rows    map[string]*seedRows
	pending []seedAssignment
	// postgres numbers placeholders $1, $2… as pgx wants them.
	postgres bool
}

// The INSERT heads, in the order their rows are written (parents first).
const (
	seedShops    = "INSERT INTO shops (id, code, name)"
	seedUsers    = "INSERT INTO users (id, login, name, password_hash, role, shop_id, hired_on, active, created_at)"
	seedSessions = "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at)"
	seedAttempts = "INSERT INTO attempts (id, user_id, quiz, number, state, started_at, submitted_at, pass, score, passed)"
	seedItems    = "INSERT INTO attempt_items (attempt_id, position, question_key, layout, fraction, correct)"
	seedProgress = "INSERT INTO module_progress (user_id, module_id, first_opened_at, last_seen_at, active_seconds, visits)"
	seedDrills   = "INSERT INTO drills (id, trainee_id, scenario, state, pass, calibrate, rater_id, created_by, created_at, scheduled_at, started_at, submitted_at, released_at, score, passed)"
	seedRatings  = "INSERT INTO drill_ratings (id, drill_id, rater_id, state, notes, score, passed, started_at, updated_at, submitted_at)"
	seedScores   = "INSERT INTO drill_scores (rating_id, criterion, score, comment)"
	seedAssigned = "INSERT INTO assignments (user_id, programme, kind, period, assigned_at, due_at, completed_at, attempt_id)"
	seedKPIs     = "INSERT INTO kpi_values (user_id, month, kpi, value, entered_by, entered_at)"
)

// seedOrder lists every head so flush writes parents before children.
var seedOrder = []string{seedShops, seedUsers, seedSessions, seedAttempts, seedItems, seedProgress, seedDrills, seedRatings, seedScores, seedAssigned, seedKPIs}

// seedRows collects the rows of one INSERT statement shape.
type seedRows struct {
	head string // INSERT INTO t (a, b, c)
	cols int
	args []any
}

func (g *seeder) add(head string, cols int, vals ...any) {
	if g.rows == nil {
		g.rows = map[string]*seedRows{}
	}
	r, ok := g.rows[head]
	if !ok {
		r = &seedRows{head: head, cols: cols}
		g.rows[head] = r
	}
	r.args = append(r.args, vals...)
}

// seedRowsPerStatement is how many rows one INSERT carries. Statements of this fixed size are
// prepared once and reused (parsing a statement with thousands of placeholders every time
// cost as much as the inserting).
const seedRowsPerStatement = 100

// flush writes the collected rows, parents before children, as multi-row INSERTs prepared once
// per transaction and shape.
func (g *seeder) flush(tx *gorm.DB) error {
	var sqlTx *sql.Tx
	switch c := tx.Statement.ConnPool.(type) {
	case *sql.Tx:
		sqlTx = c
	case *gorm.PreparedStmtTX: // the writer keeps statements prepared (store.Open)
		sqlTx, _ = c.Tx.(*sql.Tx)
	}
	if sqlTx == nil {
		return errors.New("seed: flush needs a transaction")
	}
	stmts := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			_ = st.Close()
		}
	}()
	for _, head := range seedOrder {
		r, ok := g.rows[head]
		if !ok {
			continue
		}
		for start := 0; start < len(r.args); start += seedRowsPerStatement * r.cols {
			end := min(start+seedRowsPerStatement*r.cols, len(r.args))
			q := insertSQL(r.head, r.cols, (end-start)/r.cols, g.postgres)
			st, ok := stmts[q]
			if !ok {
				var err error
				if st, err = sqlTx.Prepare(q); err != nil {
					return fmt.Errorf("seed: %s: %w", r.head, err)
				}
				stmts[q] = st
			}
			if _, err := st.Exec(r.args[start:end]...); err != nil {
				return fmt.Errorf("seed: %s: %w", r.head, err)
			}
		}
		clear(r.args)
		r.args = r.args[:0]
	}
	return nil
}

var insertSQLs = map[[4]any]string{}

// insertSQL is "head VALUES (?, ?), (?, ?)…" for n rows of cols columns ($1, $2… on
// PostgreSQL), built once per shape.
func insertSQL(head string, cols, n int, postgres bool) string {
	k := [4]any{head, cols, n, postgres}
	if q, ok := insertSQLs[k]; ok {
		return q
	}
	var b strings.Builder
	b.WriteString(head)
	b.WriteString(" VALUES ")
	arg := 0
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			arg++
			if postgres {
				b.WriteString("$" + strconv.Itoa(arg))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	insertSQLs[k] = b.String()
	return b.String()
}

var seedSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
var seedGiven = []string{"小雨", "一凡", "佳怡", "浩然", "思琪", "子涵", "建国", "丽娟", "伟", "敏", "静", "磊", "晓东", "雪", "婷婷", "志强"}

func (g *seeder) shopsAndUsers(tx *gorm.DB, res *SeedResult) error {
	p := g.p
	created := g.now.AddDate(-2, 0, 0)
	for i := 1; i <= p.Stores; i++ {
		g.add(seedShops, 3, int64(i), fmt.Sprintf("%03d", i), fmt.Sprintf("第%03d号门店", i))
	}
	res.Shops = p.Stores
	id := int64(0)
	session := func(uid int64, login, role, shop string) {
		tok := seedToken()
		sum := sha256.Sum256([]byte(tok))
		g.add(seedSessions, 5,
			hex.EncodeToString(sum[:]), uid, g.now, g.now.Add(p.SessionLifetime), g.now)
		res.Sessions = append(res.Sessions, SeedSession{UserID: uid, Login: login, Role: role, Shop: shop, Token: tok})
	}
	user := func(login, role string, shop int64, hired time.Time) int64 {
		id++
		name := string(seedSurnames[g.rng.IntN(len(seedSurnames))]) + seedGiven[g.rng.IntN(len(seedGiven))]
		var shopID, hiredOn any
		if shop != 0 {
			shopID = shop
		}
		if !hired.IsZero() {
			hiredOn = hired
		}
		g.add(seedUsers, 9,
			id, login, name, p.PasswordHash, role, shopID, hiredOn, true, created)
		res.Users++
		return id
	}
	admin := user("bench-admin", "admin", 0, time.Time{})
	session(admin, "bench-admin", "admin", "")
	perStore := p.Staff / p.Stores
	for st := 1; st <= p.Stores; st++ {
		n := perStore
		if st <= p.Staff-perStore*p.Stores {
			n++
		}
		code := fmt.Sprintf("%03d", st)
		sup := user("sup"+code, "supervisor", int64(st), g.now.AddDate(-3, 0, 0))
		session(sup, "sup"+code, "supervisor", code)
		for k := 1; k < n; k++ {
			// Hired over the last two years, a few recently (still onboarding).
			hired := g.now.AddDate(0, 0, -1-g.rng.IntN(730))
			login := fmt.Sprintf("s%s-%03d", code, k)
			uid := user(login, "trainee", int64(st), hired)
			session(uid, login, "trainee", code)
			g.staff = append(g.staff, seedPerson{id: uid, shop: int64(st), supervise: sup, hired: hired})
		}
	}
	return g.flush(tx)
}

func seedToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// seedAttempt is one attempt to write: when, at which quiz (full ID), and for recurring
// programmes the assignment it completes.
type seedAttempt struct {
	at   time.Time
	quiz SeedQuiz
	id   string
}

// personYear writes n finished attempts for one person, spread over the 12 months before now
// (or since they were hired): each period's recurring assessments first (most people take
// each, a few twice), module quizzes and the onboarding final for the rest; then their
// assignments, module progress and a few released drills.
func (g *seeder) personYear(u seedPerson, n int, res *SeedResult) error {
	from := g.now.AddDate(-1, 0, 0)
	if u.hired.After(from) {
		from = u.hired
	}
	span := g.now.Sub(from)
	if span < time.Hour {
		span = time.Hour
	}
	// Ability decides the typical score, so pass rates vary by person.
	ability := 0.55 + 0.4*g.rng.Float64()
	var planned []seedAttempt
	for _, r := range g.p.Recurring {
		// From a period's first day, this many days on is always inside the next period.
		skip := 32
		if r.Recurrence == tracking.Quarterly {
			skip = 93
		}
		_, start, err := tracking.Period(r.Recurrence, from, g.loc())
		if err != nil {
			return err
		}
		for ; start.Before(g.now) && len(planned) < n; _, start, _ = tracking.Period(r.Recurrence, start.AddDate(0, 0, skip), g.loc()) {
			period, _, _ := tracking.Period(r.Recurrence, start, g.loc())
			assigned := later(start, from)
			due := start.AddDate(0, 0, r.DueDays)
			var completed any
			done := -1
			if (due.Before(g.now) || g.rng.IntN(2) == 0) && g.rng.Float64() < 0.9 {
				if window := earlier(due, g.now).Sub(assigned); window > time.Hour {
					at := assigned.Add(time.Duration(g.rng.Int64N(int64(window))))
					planned = append(planned, seedAttempt{at: at, quiz: r.Quiz, id: ProgrammeQuiz(r.Slug, period)})
					completed, done = at, len(planned)-1
				}
			}
			g.pending = append(g.pending, seedAssignment{attempt: done,
				vals: []any{u.id, r.Slug, r.Kind, period, assigned, due, completed, nil}})
		}
	}
	for len(planned) < n {
		at := from.Add(time.Duration(g.rng.Int64N(int64(span))))
		q := g.pickQuiz(nil)
		planned = append(planned, seedAttempt{at: at, quiz: q, id: q.ID})
	}
	// Attempts are numbered and stored in time order; assignment rows point at them by index.
	idx := make([]int, len(planned))
	for i := range idx {
		idx[i] = i
	}
	sortByTime(idx, planned)
	idOf := make([]int64, len(planned))
	made := map[string]int{}
	for _, i := range idx {
		pa := planned[i]
		q := pa.quiz
		if q.MaxAttempts > 0 && made[pa.id] >= q.MaxAttempts-1 {
			// Keep capped quizzes one attempt short of the cap, so a load test may start one.
			q = g.pickQuiz(func(c SeedQuiz) bool { return c.MaxAttempts == 0 })
			pa.id = q.ID
		}
		made[pa.id]++
		g.attempt++
		idOf[i] = g.attempt
		keys, layouts := q.Keys, q.Layouts
		if q.Draw > 0 && q.Draw < len(keys) {
			keys, layouts = make([]string, q.Draw), make([]string, q.Draw)
			for j, k := range g.rng.Perm(len(q.Keys))[:q.Draw] {
				keys[j], layouts[j] = q.Keys[k], q.Layouts[k]
			}
		}
		right := 0
		for pos, key := range keys {
			ok := g.rng.Float64() < ability
			fraction := 0.0
			if ok {
				fraction, right = 1, right+1
			}
			g.add(seedItems, 6, g.attempt, pos, key, layouts[pos], fraction, ok)
		}
		score := 100 * float64(right) / float64(max(1, len(keys)))
		started := pa.at.Add(-time.Duration(3+g.rng.IntN(25)) * time.Minute)
		g.add(seedAttempts, 10, g.attempt, u.id, pa.id, made[pa.id], "finished", started, pa.at, q.Pass, score, score >= float64(q.Pass))
		res.Attempts++
		res.Items += len(keys)
	}
	g.flushAssignments(idOf, res)
	for _, m := range g.p.Modules {
		if g.rng.Float64() > ability {
			continue
		}
		opened := from.Add(time.Duration(g.rng.Int64N(int64(span))))
		seen := opened.Add(time.Duration(g.rng.Int64N(max(0, int64(g.now.Sub(opened))) + 1)))
		g.add(seedProgress, 6, u.id, m.ID, opened, seen, g.rng.IntN(m.CapSeconds+1), 1+g.rng.IntN(12))
		res.Progress++
	}
	if len(g.p.Scenarios) > 0 {
		for range 2 + g.rng.IntN(3) {
			g.drillFor(u, from, span, res)
		}
	}
	return nil
}

// seedAssignment is an assignment row waiting for the id of the attempt that completed it.
type seedAssignment struct {
	vals    []any
	attempt int // index into the person's planned attempts, or -1
}

func (g *seeder) flushAssignments(idOf []int64, res *SeedResult) {
	for _, a := range g.pending {
		if a.attempt >= 0 {
			a.vals[7] = idOf[a.attempt]
		}
		g.add(seedAssigned, 8, a.vals...)
		res.Assignments++
	}
	g.pending = g.pending[:0]
}

func (g *seeder) loc() *time.Location {
	if g.p.Location != nil {
		return g.p.Location
	}
	return time.UTC
}

func sortByTime(idx []int, planned []seedAttempt) {
	sort.Slice(idx, func(a, b int) bool { return planned[idx[a]].at.Before(planned[idx[b]].at) })
}

// pickQuiz chooses a module quiz or the onboarding final at random; with keep, only quizzes
// it accepts.
func (g *seeder) pickQuiz(keep func(SeedQuiz) bool) SeedQuiz {
	for {
		q := g.p.Quizzes[g.rng.IntN(len(g.p.Quizzes))]
		if keep == nil || keep(q) {
			return q
		}
	}
}

func (g *seeder) drillFor(u seedPerson, from time.Time, span time.Duration, res *SeedResult) {
	sc := g.p.Scenarios[g.rng.IntN(len(g.p.Scenarios))]
	g.drill++
	g.rating++
	at := from.Add(time.Duration(g.rng.Int64N(int64(span))))
	total, top := 0, 0
	for _, c := range sc.Criteria {
		score := 1 + g.rng.IntN(sc.TopScore)
		total += score
		top += sc.TopScore
		g.add(seedScores, 4, g.rating, c, score, "")
	}
	pct := 100 * float64(total) / float64(max(1, top))
	passed := pct >= float64(sc.Pass)
	g.add(seedDrills, 15,
		g.drill, u.id, sc.Slug, "released", sc.Pass, false, u.supervise, u.supervise, at.Add(-48*time.Hour), at, at, at.Add(20*time.Minute), at.Add(24*time.Hour), pct, passed)
	g.add(seedRatings, 10,
		g.rating, g.drill, u.supervise, "submitted", "", pct, passed, at, at.Add(20*time.Minute), at.Add(20*time.Minute))
	res.Drills++
}

// kpiYear enters a value per KPI for every month the person worked in the last year, spread
// around the target, by their supervisor.
func (g *seeder) kpiYear(u seedPerson, res *SeedResult) {
	from := later(g.now.AddDate(-1, 0, 0), u.hired).In(g.loc())
	// Step through calendar months in the company's time zone (the first of each month), so
	// every month is entered once whatever the day and hour of hiring.
	first := time.Date(from.Year(), from.Month(), 1, 12, 0, 0, 0, g.loc())
	for m := first; m.Before(g.now); m = m.AddDate(0, 1, 0) {
		month := m.Format("2006-01")
		for _, k := range g.p.KPIs {
			v := k.Target * (0.8 + 0.4*g.rng.Float64())
			g.add(seedKPIs, 6, u.id, month, k.Key, math.Round(v*100)/100, u.supervise, m)
			res.KPIValues++
		}
	}
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
