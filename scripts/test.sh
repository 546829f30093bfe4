#!/usr/bin/env bash
# scripts/test.sh: THE test command (CI runs it through .ci/run).
#
#   bash scripts/test.sh
#
# 1. installs the test peers' apt packages (scripts/peers.sh install; a quick no-op when present),
# 2. starts PostgreSQL 15, Ceph RGW (S3), etcd and dockerd on 127.0.0.1 (scripts/peers.sh start all),
# 3. exports their addresses (scripts/peers.sh env: OFFSITE_TEST_*, PG*, DOCKER_HOST, ...),
# 4. runs `dotnet test Offsite.slnx -c Release` over the whole solution,
# 5. always stops the peers, prints "N passed, N failed, N skipped" and exits with dotnet test's code.
#
# Environment:
#   OFFSITE_TEST_FILTER   passed to dotnet test as --filter (e.g. "FullyQualifiedName~Storage")
#   OFFSITE_TEST_TIMEOUT  limit for dotnet test (restore + build + run), default 75m (CI allows 90 min in all)
#   OFFSITE_PEERS_ROOT    peer state directory, default /tmp/offsite-peers
# Results: TestResults/scripts-test/*.trx and console.log (the directory is emptied at each run).
# Needs root and the .NET 10 SDK (preinstalled; this script does not install it).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
PEERS=(bash "$REPO/scripts/peers.sh")
RESULTS=$REPO/TestResults/scripts-test
say() { echo "test.sh: $*"; }

# ---- the SDK must already be there
if ! command -v dotnet >/dev/null 2>&1; then
  say "ERROR: the .NET SDK is missing: 'dotnet' is not on PATH." >&2
  say "Offsite needs the .NET 10 SDK, which this machine image is expected to provide; this script does not install it." >&2
  exit 127
fi
if ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
  say "ERROR: no .NET 10 SDK found (dotnet --list-sdks: $(dotnet --list-sdks 2>/dev/null | tr '\n' ';'))." >&2
  say "Offsite targets net10.0; this script does not install SDKs." >&2
  exit 127
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# no MSBuild worker nodes lingering after the run (they would hold CI's output pipe open)
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

# ---- one run at a time per machine: the peers use fixed ports
PEERS_ROOT=${OFFSITE_PEERS_ROOT:-/tmp/offsite-peers}
mkdir -p "$PEERS_ROOT"
exec 9> "$PEERS_ROOT/test.lock"
if ! flock -n 9; then
  say "another scripts/test.sh run holds $PEERS_ROOT/test.lock; waiting for it"
  flock 9
fi

# ---- cleanup: end the test run if still going, then stop the peers (always)
TEST_PID=""
descendants() { # descendants PID: every process below PID
  local parent=$1 p s
  for p in /proc/[0-9]*; do
    { read -r s < "$p/stat"; } 2>/dev/null || continue
    s=${s##*) }            # after "pid (comm) ": state ppid ...
    set -- $s
    if [ "${2:-}" = "$parent" ]; then echo "${p#/proc/}"; descendants "${p#/proc/}"; fi
  done
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$TEST_PID" ] && kill -0 "$TEST_PID" 2>/dev/null; then
    say "ending the test run (pid $TEST_PID and its children)"
    local pids; pids=$(descendants "$TEST_PID" || true)
    kill -TERM $pids "$TEST_PID" 2>/dev/null || true
    sleep 3
    kill -KILL $pids "$TEST_PID" 2>/dev/null || true
  fi
  say "stopping peers"
  "${PEERS[@]}" stop || say "WARNING: peers.sh stop failed" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# ---- peers
"${PEERS[@]}" install
if ! "${PEERS[@]}" start all; then
  say "ERROR: the test peers did not start (see above); no tests were run" >&2
  exit 1
fi
eval "$("${PEERS[@]}" env)"
"${PEERS[@]}" env | sed 's/^/test.sh: env: /'

# ---- tests
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
args=(test Offsite.slnx -c Release --logger "console;verbosity=normal" --logger trx --results-directory "$RESULTS")
if [ -n "${OFFSITE_TEST_FILTER:-}" ]; then
  args+=(--filter "$OFFSITE_TEST_FILTER")
  say "filter: $OFFSITE_TEST_FILTER"
fi
say "dotnet ${args[*]}"
T0=$SECONDS
# In the background, so that INT/TERM reach the traps at once instead of after dotnet test ends.
(
  set +e -o pipefail
  timeout -k 60 "${OFFSITE_TEST_TIMEOUT:-75m}" dotnet "${args[@]}" < /dev/null 2>&1 | tee "$RESULTS/console.log"
) &
TEST_PID=$!
RC=0
wait "$TEST_PID" || RC=$?
TEST_PID=""
say "dotnet test finished in $((SECONDS - T0)) s with exit code $RC"
[ "$RC" != 124 ] || say "ERROR: dotnet test exceeded OFFSITE_TEST_TIMEOUT=${OFFSITE_TEST_TIMEOUT:-75m} and was killed" >&2

# ---- summary: sum the counters of every .trx file
shopt -s nullglob
TRX=("$RESULTS"/*.trx)
sum_attr() { # sum_attr NAME: total of NAME="n" over all <Counters> elements
  [ ${#TRX[@]} -gt 0 ] || { echo 0; return; }
  grep -ho '<Counters [^>]*' "${TRX[@]}" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}
if [ ${#TRX[@]} -gt 0 ]; then
  TOTAL=$(sum_attr total)
  PASSED=$(sum_attr passed)
  FAILED=$(($(sum_attr failed) + $(sum_attr error) + $(sum_attr timeout) + $(sum_attr aborted)))
  SKIPPED=$((TOTAL - PASSED - FAILED)); [ "$SKIPPED" -ge 0 ] || SKIPPED=0
else
  # no .trx (build failed, or the run was killed): fall back to the console summaries, if any
  sum_console() { sed -n "s/^ *$1: *\([0-9][0-9]*\) *\$/\1/p" "$RESULTS/console.log" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
  PASSED=$(sum_console Passed); FAILED=$(sum_console Failed); SKIPPED=$(sum_console Skipped)
fi
say "${#TRX[@]} result file(s) in $RESULTS"
# CI shows only the end of the output: repeat each failed test with its message here, at the end.
if [ "$FAILED" != 0 ] && [ -f "$RESULTS/console.log" ]; then
  say "failed tests (name, then the first lines of the message):"
  awk '/^  Failed [A-Za-z]/ { n = 14 } n > 0 && !/^  Stack Trace:/ { print "test.sh:   " $0; n-- } /^  Stack Trace:/ { n = 0 }' \
    "$RESULTS/console.log" | cut -c1-400
fi
if [ "$RC" != 0 ] && [ "$FAILED" = 0 ]; then
  say "dotnet test failed (exit $RC) without failed tests: a build error, a crashed test host or a timeout; see the output above" >&2
fi
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
exit "$RC"
