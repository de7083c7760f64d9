#!/usr/bin/env bash
# load.sh — ready-made, bounded load runs of the game server side by side
# with the bare broadcast hub (cmd/hub), on this machine only (loopback).
#
#   scripts/load.sh [options] RUN...
#
# RUN is one or more of:
#   laptop    zero config (embedded store), 4 games × 40 players, 1 command per player every 2 s
#   s1        50 games × 30 players, one instance, a real redis-server
#   mid       100 games × 30 players on two instances sharing one redis-server,
#             the players of each game alternating between the instances
#   mid-games the same with each game's players on one instance, as behind a
#             load balancer that hashes the ?game= hint of the WebSocket URL
#   idle      5,000 connected, silent clients (156 games × 32): memory per connection
#   slow      s1 without, and s1 with 5 % of the players not reading, each on fresh servers,
#             --slow-pairs times in alternating order (windows twice as long); the p99s
#             of each kind are compared pooled (loadgen slowcmp)
#   capacity  games raised step by step until p99 passes 100 ms, for the game and the hub
#   all       all of the above, in that order
#
# Options:
#   --pin              pin the servers, redis-server and the hub to CPU 0 and the generator to CPU 1 (taskset)
#   --window SECONDS   measured window of each run (default 60; capacity steps: 20)
#   --warmup SECONDS   warm-up before the window (default 10)
#   --fsync POLICY     redis-server appendfsync: everysec (default) or always
#   --steps LIST       capacity steps in games (default 20,40,60,80,100,120,140,160,180,200,240,280)
#   --out DIR          where results go (default $TMPDIR/load-results/<date>)
#   --slow-pairs N     pairs of passes of the slow run (default 3)
#   --wait-load N      before each run, wait (up to 15 minutes) for the 1-minute load average to drop below N
#   --no-deflate       clients do not offer WebSocket compression (by default they do, as browsers)
#
# Each run starts its own servers (fresh processes), a redis-server on a
# free port with AOF in a temporary directory, and the hub; it stops them
# (by PID) when done. The generator refuses non-loopback addresses and
# every run is bounded by the generator's limits and by `timeout`.
# Results: one JSON and one text log per run in the output directory.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

PIN=0
WINDOW=60
WARMUP=10
FSYNC=everysec
STEPS=20,40,60,80,100,120,140,160,180,200,240,280
OUT=""
WAIT_LOAD=""
SLOW_PAIRS=3
GEN_EXTRA=()
RUNS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--pin) PIN=1 ;;
	--window) WINDOW=$2; shift ;;
	--warmup) WARMUP=$2; shift ;;
	--fsync) FSYNC=$2; shift ;;
	--steps) STEPS=$2; shift ;;
	--out) OUT=$2; shift ;;
	--wait-load) WAIT_LOAD=$2; shift ;;
	--slow-pairs) SLOW_PAIRS=$2; shift ;;
	--no-deflate) GEN_EXTRA+=(-deflate=false) ;;
	-h|--help) sed -n '2,36p' "$0"; exit 0 ;;
	laptop|s1|mid|mid-games|idle|slow|capacity) RUNS+=("$1") ;;
	all) RUNS+=(laptop s1 mid mid-games idle slow capacity) ;;
	*) echo "load.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[ ${#RUNS[@]} -gt 0 ] || { sed -n '2,36p' "$0"; exit 2; }
case "$SLOW_PAIRS" in ''|*[!0-9]*|0) echo "load.sh: --slow-pairs takes a whole number of pairs, 1 or more" >&2; exit 2 ;; esac
case "$FSYNC" in everysec|always) ;; *) echo "load.sh: --fsync everysec or always" >&2; exit 2 ;; esac
command -v redis-server >/dev/null || { echo "load.sh: redis-server is not on PATH" >&2; exit 1; }
OUT=${OUT:-${TMPDIR:-/tmp}/load-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
TMP=$(mktemp -d)
BIN=$TMP/bin
mkdir -p "$BIN"

SERVER_CPU=()
GEN_CPU=()
if [ "$PIN" = 1 ]; then
	command -v taskset >/dev/null || { echo "load.sh: --pin needs taskset" >&2; exit 1; }
	SERVER_CPU=(taskset -c 0)
	GEN_CPU=(taskset -c 1)
fi

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	PIDS=()
}
trap 'cleanup; rm -rf "$TMP"' EXIT

echo "building into $BIN"
go build -o "$BIN/devopschallenge" .
go build -o "$BIN/hub" ./cmd/hub
go build -o "$BIN/loadgen" ./cmd/loadgen

# free_port prints a TCP port nobody listens on.
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "load.sh: no free port" >&2
	exit 1
}

# wait_http URL waits until the URL answers.
wait_http() {
	for _ in $(seq 100); do
		if curl -fs -o /dev/null "$1"; then return; fi
		sleep 0.1
	done
	echo "load.sh: $1 does not answer" >&2
	exit 1
}

REDIS_PORT=""
REDIS_PID=""
start_redis() {
	REDIS_PORT=$(free_port)
	mkdir -p "$TMP/redis-$REDIS_PORT"
	"${SERVER_CPU[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
		--appendfsync "$FSYNC" --dir "$TMP/redis-$REDIS_PORT" --logfile "$TMP/redis-$REDIS_PORT/log" &
	REDIS_PID=$!
	PIDS+=("$REDIS_PID")
	for _ in $(seq 50); do
		redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return
		sleep 0.1
	done
	echo "load.sh: redis-server did not start" >&2
	exit 1
}

# start_game [redis] sets GAME_URL and GAME_PID.
start_game() {
	local port
	port=$(free_port)
	if [ "${1:-}" = redis ]; then
		"${SERVER_CPU[@]}" "$BIN/devopschallenge" -addr "127.0.0.1:$port" -redis "redis://127.0.0.1:$REDIS_PORT/0" \
			-log-level warn >>"$TMP/game.log" 2>&1 &
	else
		"${SERVER_CPU[@]}" "$BIN/devopschallenge" -addr "127.0.0.1:$port" -data "$TMP/data-$port" \
			-log-level warn >>"$TMP/game.log" 2>&1 &
	fi
	GAME_PID=$!
	PIDS+=("$GAME_PID")
	GAME_URL="http://127.0.0.1:$port"
	wait_http "$GAME_URL/healthz"
}

start_hub() {
	local port
	port=$(free_port)
	"${SERVER_CPU[@]}" "$BIN/hub" -addr "127.0.0.1:$port" >>"$TMP/hub.log" 2>&1 &
	HUB_PID=$!
	PIDS+=("$HUB_PID")
	HUB_URL="http://127.0.0.1:$port"
	wait_http "$HUB_URL/healthz"
}

# loadgen NAME ARGS... runs the generator (bounded by timeout) and keeps
# its output.
loadgen() {
	local name=$1
	shift
	echo "== $name: $(date -Is), load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/$name.txt"
	timeout 90m "${GEN_CPU[@]}" "$BIN/loadgen" -label "$name" -out "$OUT/$name.json" "$@" "${GEN_EXTRA[@]}" 2>&1 | tee -a "$OUT/$name.txt"
}

common=(-warmup "${WARMUP}s" -duration "${WINDOW}s" -v)

# quiet waits for the machine to calm down (other people's test runs).
quiet() {
	[ -n "$WAIT_LOAD" ] || return 0
	for _ in $(seq 180); do
		if awk -v max="$WAIT_LOAD" '{ exit !($1 < max) }' /proc/loadavg; then return 0; fi
		sleep 5
	done
	echo "load.sh: the load average stayed above $WAIT_LOAD; running anyway" >&2
}

for run in "${RUNS[@]}"; do
	quiet
	case "$run" in
	laptop)
		start_game
		start_hub
		loadgen laptop -game "$GAME_URL" -game-pids "$GAME_PID" -hub "$HUB_URL" -hub-pid "$HUB_PID" \
			-games 4 -players 40 -rate 0.5 "${common[@]}"
		;;
	s1)
		start_redis
		start_game redis
		start_hub
		loadgen s1 -game "$GAME_URL" -game-pids "$GAME_PID" -redis-pid "$REDIS_PID" -redis-url "redis://127.0.0.1:$REDIS_PORT/0" \
			-hub "$HUB_URL" -hub-pid "$HUB_PID" -games 50 -players 30 -rate 0.5 "${common[@]}"
		;;
	mid|mid-games)
		spread=players
		[ "$run" = mid-games ] && spread=games
		start_redis
		start_game redis
		A_URL=$GAME_URL A_PID=$GAME_PID
		start_game redis
		start_hub
		loadgen "$run" -game "$A_URL,$GAME_URL" -game-pids "$A_PID,$GAME_PID" -redis-pid "$REDIS_PID" \
			-redis-url "redis://127.0.0.1:$REDIS_PORT/0" -hub "$HUB_URL" -hub-pid "$HUB_PID" \
			-games 100 -players 30 -rate 0.5 -spread "$spread" "${common[@]}"
		;;
	idle)
		start_redis
		start_game redis
		start_hub
		loadgen idle -game "$GAME_URL" -game-pids "$GAME_PID" -hub "$HUB_URL" -hub-pid "$HUB_PID" \
			-games 156 -players 30 -idle -settle 15s -settle-long 135s -v
		;;
	slow)
		# Pairs of passes without and with slow clients, each against
		# fresh servers (a second pass on the same server would also
		# carry the first pass's games, still loaded). One pair's two
		# p99s differ by about ±10 % on their own here, so several pairs
		# are run, in alternating order, and judged pooled.
		files=()
		for pair in $(seq "$SLOW_PAIRS"); do
			order="without with"
			[ $((pair % 2)) = 0 ] && order="with without"
			for variant in $order; do
				start_redis
				start_game redis
				start_hub
				name=slow-$variant-$pair
				slowflag=()
				[ "$variant" = with ] && slowflag=(-slow 0.05)
				loadgen "$name" -game "$GAME_URL" -game-pids "$GAME_PID" -redis-pid "$REDIS_PID" -redis-url "redis://127.0.0.1:$REDIS_PORT/0" \
					-hub "$HUB_URL" -hub-pid "$HUB_PID" -games 50 -players 30 -rate 0.5 "${slowflag[@]}" \
					-warmup "${WARMUP}s" -duration "$((2 * WINDOW))s" -v
				cleanup
				sleep 2
				quiet
			done
			files+=("$OUT/slow-without-$pair.json" "$OUT/slow-with-$pair.json")
		done
		"$BIN/loadgen" slowcmp "${files[@]}" | tee "$OUT/slow.txt"
		;;
	capacity)
		start_redis
		start_game redis
		start_hub
		loadgen capacity -game "$GAME_URL" -game-pids "$GAME_PID" -redis-pid "$REDIS_PID" \
			-hub "$HUB_URL" -hub-pid "$HUB_PID" -players 30 -rate 0.5 -capacity "$STEPS" -capacity-p99 100 \
			-warmup "${WARMUP}s" -duration 20s -v
		;;
	esac
	cleanup
	sleep 2
done
echo "results in $OUT"
