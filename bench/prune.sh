#!/usr/bin/env bash
# forget + prune: Offsite vs restic on the same history, in the same run.
#
#   bash bench/prune.sh            # 30 backups of a changing 100 MiB tree, then forget --keep-last 7 + prune
#
# Both tools back up the same tree after each change (5 of 100 files rewritten per round), then each runs its
# forget-and-prune once under /usr/bin/time -v (wall time, peak RSS). Offsite's prune is two-phase: it runs with
# --wait and a 1 s grace (OFFSITE_TEST_MIN_GRACE_SECONDS=1 lifts the 1-minute minimum, for measuring only), so its
# time includes the 1 s wait and a second scan. restic runs with --max-unused 10% like Offsite's default.
# Backup i is recorded as taken at midnight UTC i days before the run (--time, both tools), so the policy is a
# real GFS one: --keep-daily 7 --keep-weekly 4 --keep-monthly 2 (same snapshots kept by both; the script checks).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${BENCH_WORK:-$ROOT/bench/work-prune}
ROUNDS=${BENCH_ROUNDS:-30}
OFFSITE=(dotnet "$ROOT/src/Offsite.Cli/bin/Release/net10.0/offsite.dll")
[[ -f "$ROOT/src/Offsite.Cli/bin/Release/net10.0/offsite.dll" ]] || dotnet build "$ROOT/src/Offsite.Cli" -c Release -v q
rm -rf "$WORK"; mkdir -p "$WORK/tree"
export OFFSITE_PASSWORD=bench RESTIC_PASSWORD=bench OFFSITE_CACHE_DIR=$WORK/cache-offsite OFFSITE_SCRYPT_LOG_N=12
export RESTIC_CACHE_DIR=$WORK/cache-restic
OREPO=$WORK/offsite-repo RREPO=$WORK/restic-repo
"${OFFSITE[@]}" -r "$OREPO" init -q
restic -r "$RREPO" init -q >/dev/null
for i in $(seq 0 99); do head -c 1048576 /dev/urandom > "$WORK/tree/f$i"; done
for round in $(seq 1 "$ROUNDS"); do
    for k in 0 1 2 3 4; do head -c 1048576 /dev/urandom > "$WORK/tree/f$(( (round * 5 + k) % 100 ))"; done
    when=$(date -u -d "$(date -u +%Y-%m-%d) - $(( ROUNDS - round )) days" '+%Y-%m-%d %H:%M:%S')
    TZ=UTC "${OFFSITE[@]}" -r "$OREPO" backup -q --time "$when+00:00" "$WORK/tree"
    TZ=UTC restic -r "$RREPO" backup -q --time "$when" "$WORK/tree" >/dev/null
done
osize0=$(du -sb "$OREPO" | cut -f1); rsize0=$(du -sb "$RREPO" | cut -f1)
measure() { # name, command...
    local name=$1; shift
    /usr/bin/time -v "$@" > "$WORK/$name.out" 2> "$WORK/$name.time"
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$WORK/$name.time" | awk '{print $NF}')
    rss=$(grep "Maximum resident" "$WORK/$name.time" | awk '{print $NF}')
    echo "$name $wall $rss"
}
load=$(cut -d' ' -f1-3 /proc/loadavg)
POLICY=(--keep-daily 7 --keep-weekly 4 --keep-monthly 2)
o=$(TZ=UTC OFFSITE_TEST_MIN_GRACE_SECONDS=1 measure offsite "${OFFSITE[@]}" -r "$OREPO" forget "${POLICY[@]}" --prune --grace 1s --wait --max-unused 10%)
r=$(TZ=UTC measure restic restic -r "$RREPO" forget "${POLICY[@]}" --prune --max-unused 10%)
okept=$("${OFFSITE[@]}" -r "$OREPO" snapshots --json | python3 -c 'import json,sys; print(" ".join(sorted(s["time"][:10] for s in json.load(sys.stdin))))')
rkept=$(restic -r "$RREPO" snapshots --json | python3 -c 'import json,sys; print(" ".join(sorted(s["time"][:10] for s in json.load(sys.stdin))))')
[[ $okept == "$rkept" ]] || { echo "bench: the tools kept different days: offsite [$okept] restic [$rkept]" >&2; exit 1; }
osize1=$(du -sb "$OREPO" | cut -f1); rsize1=$(du -sb "$RREPO" | cut -f1)
"${OFFSITE[@]}" -r "$OREPO" check --read-data -q
restic -r "$RREPO" check --read-data -q >/dev/null
cat <<REPORT
## forget + prune vs restic ($(date -u +%Y-%m-%d), $(git -C "$ROOT" rev-parse --short HEAD), load at start $load)

$ROUNDS backups of a 100 MiB tree (100 random 1 MiB files, 5 rewritten before each backup), then
\`forget --keep-daily 7 --keep-weekly 4 --keep-monthly 2\` (backups dated one a day with \`--time\`) with prune
(\`--max-unused 10%\`) in one command. Both kept the same $(echo "$okept" | wc -w) days ($okept); \`check --read-data\` passes for both afterwards.

| tool | forget + prune wall time | peak RSS (KiB) | repository before | after |
|---|---|---|---|---|
| offsite (\`--prune --grace 1s --wait\`, includes the 1 s wait and a second scan) | $(echo "$o" | cut -d' ' -f2) | $(echo "$o" | cut -d' ' -f3) | $osize0 | $osize1 |
| restic 0.14 (\`--prune\`) | $(echo "$r" | cut -d' ' -f2) | $(echo "$r" | cut -d' ' -f3) | $rsize0 | $rsize1 |
REPORT
