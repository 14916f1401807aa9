#!/usr/bin/env bash
# `npm run test:stress [-- runs]`: runs the whole suite (npm test) several times (default 3) while a CPU hog keeps
# every core busy, then lists every test that failed in any run. A test that fails only when the machine is busy
# is a failing test: this is how to find it before CI does.
# Logs: test-output/stress/run-<n>.log. Exit 1 when any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
out=test-output/stress
mkdir -p "$out"
cores="$(node -e 'console.log(require("node:os").availableParallelism())')"

hogs=()
stop_hogs() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap stop_hogs EXIT
for _ in $(seq "$cores"); do
  node -e 'for (;;) {}' &
  hogs+=($!)
done
echo "stress: ${cores} CPU hog(s) running; ${runs} run(s) of npm test; logs in ${out}/"

failed_runs=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  npm test > "$out/run-$i.log" 2>&1
  rc=$?
  summary=$(grep -E '^ℹ (tests|pass|fail|cancelled) ' "$out/run-$i.log" | tr '\n' ' ')
  echo "run $i: exit $rc in $(( $(date +%s) - start )) s — ${summary}"
  [ "$rc" -ne 0 ] && failed_runs=$((failed_runs + 1))
done
stop_hogs
trap - EXIT

echo
echo "tests that failed in any run (run: test):"
found=0
for i in $(seq "$runs"); do
  # node's spec reporter lists failures after "✖ failing tests:", each as "test at <file>:<line>:<col>" + "✖ <name>"
  awk -v run="$i" '
    /^✖ failing tests:/ { on = 1; next }
    on && /^test at / { where = $3; next }
    on && /^✖ / { sub(/^✖ /, ""); sub(/ \([0-9.]+m?s\)$/, ""); print "  run " run ": " where " — " $0 }
  ' "$out/run-$i.log"
done | sort -t: -k2 | tee "$out/failures.txt"
[ -s "$out/failures.txt" ] && found=1
[ "$found" -eq 0 ] && echo "  none"
exit $(( failed_runs > 0 || found ))
