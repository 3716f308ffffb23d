#!/usr/bin/env bash
# The suite under load: run it ROUNDS times in a row (default 5) while two CPU hogs keep both
# cores of a 2-core machine busy. No test may depend on the machine's speed, so every round
# must pass. Usage: bash tests/stress.sh [ROUNDS] [-- PYTEST ARGS...]
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=5
if [ $# -gt 0 ] && [ "$1" != "--" ]; then rounds=$1; shift; fi
[ "${1:-}" = "--" ] && shift
python=${PYTHON:-python3}

hogs=()
cleanup() { for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null; done; }
trap cleanup EXIT INT TERM
for _ in 1 2; do
    "$python" -c 'while 1: pass' &
    hogs+=("$!")
done
echo "stress: ${#hogs[@]} CPU hogs running (pids ${hogs[*]}); $rounds rounds of pytest"

failed=0
for round in $(seq 1 "$rounds"); do
    start=$(date +%s)
    if "$python" -m pytest -q -p no:cacheprovider "$@" >"/tmp/mtasim-stress-$$-$round.log" 2>&1; then
        verdict=passed
    else
        verdict=FAILED
        failed=$((failed + 1))
    fi
    echo "stress: round $round/$rounds $verdict in $(( $(date +%s) - start )) s: $(tail -n 1 "/tmp/mtasim-stress-$$-$round.log")"
    [ "$verdict" = passed ] && rm -f "/tmp/mtasim-stress-$$-$round.log" \
        || echo "stress: the log is /tmp/mtasim-stress-$$-$round.log"
done
echo "stress: $((rounds - failed)) of $rounds rounds passed"
[ "$failed" -eq 0 ]
