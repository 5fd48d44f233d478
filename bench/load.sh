#!/usr/bin/env bash
# Load test of Aftercare Academy on this machine (loopback only), see BENCHMARKS.md.
#
#   bash bench/load.sh                 # build, seed (or reuse) the large data set, run every scenario
#   DB=/tmp/small.db STAFF=1000 STORES=20 ATTEMPTS=100000 BURST=1000 bash bench/load.sh
#   PROFILE=1 bash bench/load.sh       # also take a 10 s CPU profile of the server per wrk scenario
#
# The server runs pinned to CPU 0 (taskset -c 0), the load generators to CPU 1 when the machine
# has two or more cores. Every scenario is bounded in time (DURATION, default 10 s); the server
# is stopped at the end whatever happens. Needs wrk (Debian: apt-get install -y wrk).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/academy-bench}
DB=${DB:-$OUT/large.db}
STAFF=${STAFF:-10000}
STORES=${STORES:-200}
ATTEMPTS=${ATTEMPTS:-1000000}
BURST=${BURST:-10000}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
PORT=${PORT:-18080}
PPROF_PORT=${PPROF_PORT:-16060}
PROFILE=${PROFILE:-0}
ONLY=${ONLY:-all} # all, or burst (skip startup and the GET scenarios)
STORE_PAGE=${STORE_PAGE:-/store}
COMPANY_PAGE=${COMPANY_PAGE:-/company}
BASE=http://127.0.0.1:$PORT
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
SERVER_CPU=() CLIENT_CPU=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	SERVER_CPU=(taskset -c 0) CLIENT_CPU=(taskset -c 1)
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "== build"
(cd "$ROOT" && go build -o "$OUT/academy" ./cmd/academy && go build -o "$OUT/loadgen" ./bench/loadgen)

if [ ! -f "$DB" ] || [ ! -f "$DB.sessions" ]; then
	echo "== seed $DB ($STAFF staff, $STORES stores, $ATTEMPTS attempts)"
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.sessions"
	ACADEMY_PASSWORD=${ACADEMY_PASSWORD:-bench-password-1} "$OUT/academy" seed --db "$DB" \
		--staff "$STAFF" --stores "$STORES" --attempts "$ATTEMPTS" | tail -6
else
	echo "== reuse $DB ($(du -h "$DB" | cut -f1))"
fi

# The dashboards keep one summary per person, kept current as records change
# (store/summaries.go). A freshly seeded set has none; the server brings them up to date in
# the background at start (several seconds for 10,000 people, printed here), after which the
# set is in its steady state, as a database in use would be. On a warm set this takes ~0.3 s.
warm_summaries() {
	local pid
	"$OUT/academy" serve --db "$DB" --addr "127.0.0.1:$PORT" --demo=false >"$OUT/warm.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 1200); do
		grep -q "dashboard summaries up to date" "$OUT/warm.log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "warm-up: $(grep -o 'dashboard summaries up to date.*' "$OUT/warm.log" || echo 'did not finish within 120 s')"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}
ACADEMY_SESSION_KEY=${ACADEMY_SESSION_KEY:-load-test-session-key-of-at-least-32-bytes} warm_summaries

# Every run works on a fresh copy: the burst opens and submits attempts (and people may
# make only three at the onboarding final), so the seeded file itself stays as seeded.
SEEDED=$DB
DB=$OUT/run.db
rm -f "$DB" "$DB-wal" "$DB-shm"
cp --reflink=auto "$SEEDED" "$DB"
cp "$SEEDED.sessions" "$DB.sessions"

KEY=${ACADEMY_SESSION_KEY:-load-test-session-key-of-at-least-32-bytes}
export ACADEMY_SESSION_KEY=$KEY
SERVER_PID=""
stop_server() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	SERVER_PID=""
}
trap stop_server EXIT

# start_server [extra flags…]: starts the server; STARTUP_MS is the time until /healthz answered.
STARTUP_MS=0
start_server() {
	local t0
	if [ "$PROFILE" = 1 ]; then export ACADEMY_PPROF=127.0.0.1:$PPROF_PORT; fi
	if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then
		echo "something already answers on $BASE; stop it first" >&2
		return 1
	fi
	t0=$(date +%s%N)
	"${SERVER_CPU[@]}" "$OUT/academy" serve --db "$DB" --addr "127.0.0.1:$PORT" --demo=false "$@" \
		>"$OUT/server.log" 2>&1 &
	SERVER_PID=$!
	# Polled from one process on the load core: a loop forking curl would share the server's core.
	if ! STARTUP_MS=$("${CLIENT_CPU[@]}" "$OUT/loadgen" ready --url "$BASE" --since "$t0"); then
		cat "$OUT/server.log" >&2
		return 1
	fi
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status"; }

header() {
	printf '| %-34s | %9s | %8s | %8s | %6s | %9s | %9s | %s |\n' scenario "req/s" p50 p99 errors RSS "CPU ms/op" target
	printf '|%s|\n' "$(printf -- '-%.0s' $(seq 1 120))"
}

# to_ms turns wrk's "1.23ms" / "456.00us" / "1.02s" into milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.1f ms", n }'; }

# run_wrk NAME COOKIE PATH TARGET [connections]: a closed-loop wrk run and one table row.
run_wrk() {
	local name=$1 cookie=$2 path=$3 target=$4 conns=${5:-$CONNS} before after out rps p50 p99 non2xx sockerr n cpu
	local profiler=""
	before=$(cpu_ticks)
	if [ "$PROFILE" = 1 ]; then
		curl -fsS -o "$OUT/cpu-$(echo "$name" | tr -c 'a-z0-9' '-').prof" \
			"http://127.0.0.1:$PPROF_PORT/debug/pprof/profile?seconds=$((DURATION - 1))" &
		profiler=$!
	fi
	out=$("${CLIENT_CPU[@]}" wrk -t"$((conns < 2 ? 1 : 2))" -c"$conns" -d"${DURATION}s" --latency -H "Cookie: $cookie" "$BASE$path")
	if [ -n "$profiler" ]; then wait "$profiler" || true; fi
	after=$(cpu_ticks)
	rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
	p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
	sockerr=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
	n=$(awk '/requests in/ {print $1}' <<<"$out")
	cpu=$(awk -v a="$before" -v b="$after" -v n="$n" 'BEGIN { if (n > 0) printf "%.3f", (b - a) * 10 / n; else print "-" }')
	printf '| %-34s | %9.0f | %8s | %8s | %6d | %6s MB | %9s | %s |\n' "$name" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" \
		$((${non2xx:-0} + ${sockerr:-0})) "$(rss_mb)" "$cpu" "$target"
}

if [ "$ONLY" = all ]; then
echo "== startup"
gen="$OUT/content1000"
"$OUT/loadgen" content --from "$ROOT/content" --to "$gen" --modules 1000
for run in 1 2 3; do # the first start also warms the page cache
	start_server
	ms_bundled=$STARTUP_MS
	stop_server
	start_server --content "$gen"
	ms_1000=$STARTUP_MS
	stop_server
	echo "startup run $run to the first /healthz answer: bundled content ${ms_bundled} ms; with 1,000 more modules ${ms_1000} ms (target ≤ 500 ms)"
done

echo "== load ($DURATION s per scenario, $CONNS connections, server on CPU 0, clients on CPU 1)"
start_server
eval "$("$OUT/loadgen" prepare --url "$BASE" --sessions "$DB.sessions")"
header
run_wrk "module page (signed in)" "$TRAINEE_COOKIE" "$MODULE_PATH" "≥ 20,000 req/s"
run_wrk "quiz page (open attempt)" "$TRAINEE_COOKIE" "$ATTEMPT_PATH" "≥ 7,000 req/s"
# The ceiling: net/http serving a fixed body of the module page's size on the same core, with
# no router, session or database. No page of the platform can be faster than this.
size=$(curl -s -H "Cookie: $TRAINEE_COOKIE" "$BASE$MODULE_PATH" | wc -c)
"${SERVER_CPU[@]}" "$OUT/loadgen" ceiling --addr "127.0.0.1:$((PORT + 10))" --size "$size" &
CEILING_PID=$!
sleep 0.5
academy_pid=$SERVER_PID SERVER_PID=$CEILING_PID
BASE_SAVED=$BASE BASE=http://127.0.0.1:$((PORT + 10))
run_wrk "ceiling: net/http, static $((size / 1000)) KB" "x=y" "/" "bound for the module page"
kill "$CEILING_PID"; wait "$CEILING_PID" 2>/dev/null || true
SERVER_PID=$academy_pid BASE=$BASE_SAVED
"${CLIENT_CPU[@]}" "$OUT/loadgen" rate --url "$BASE" --pid "$SERVER_PID" --cookie "$TRAINEE_COOKIE" --path "$ATTEMPT_PATH" \
	--rate 1000 --duration "${DURATION}s" --name "quiz page at 1,000 req/s" --target "p99 ≤ 10 ms" | tail -n +1
run_wrk "store page (supervisor)" "$SUPERVISOR_COOKIE" "$STORE_PAGE" "p99 ≤ 20 ms (alone)" 8
ADMIN_COOKIE="aa_session=$(awk -F'\t' '$4 == "admin" {print $1; exit}' "$DB.sessions")"
# The company page can take seconds on the large set: three timed requests instead of wrk.
times=""
for _ in 1 2 3; do
	times="$times $(curl -s -o /dev/null -w '%{http_code}:%{time_total}s' --max-time 60 -H "Cookie: $ADMIN_COOKIE" "$BASE$COMPANY_PAGE")"
done
echo "company roll-up $COMPANY_PAGE (admin), 3 requests one after another, status:time —$times (target ≤ 100 ms)"
echo "RSS after the GET scenarios: $(rss_mb) MB (target ≤ 100 MB)"
else
	start_server
fi
echo
echo "== $BURST quiz starts released together, then their submits"
"${CLIENT_CPU[@]}" "$OUT/loadgen" burst --url "$BASE" --pid "$SERVER_PID" --sessions "$DB.sessions" --n "$BURST" \
	--probe "$STORE_PAGE" --limit 60s
echo "RSS after the burst: $(rss_mb) MB"
stop_server
locked=$(grep -c "database is locked" "$OUT/server.log" || true)
errors=$(grep -c "level=ERROR" "$OUT/server.log" || true)
echo "server log: $locked \"database is locked\", $errors errors logged ($OUT/server.log)"
[ "$PROFILE" = 1 ] && echo "profiles: $OUT/cpu-*.prof (go tool pprof -top $OUT/academy FILE)"
exit 0
