#!/usr/bin/env bash
# Memory at many files (issue 16): Offsite and restic side by side on trees made by bench/gentree.c.
#
#   bash bench/memory.sh [FILES_IN_THOUSANDS...]      default: 300 3000
#
# For each size N (thousands of files: N directories x 1,000 files x 600 random bytes) it makes the
# tree once, then runs for each tool, one after another on the same tree: initial backup, no-change
# backup, check, ls of the snapshot, full restore. Each line reports wall time and peak RSS
# (/usr/bin/time %M), and the table at the end gives Offsite's figures as a ratio of restic's.
# Results go to bench/work/memory-results.md (and are printed); copy them into RESULTS.md by hand
# with the machine's load, which this script prints too.
# Disk: about 4.5 GiB per million files for the tree, as much again for each restore, plus the
# repositories (the restore target is deleted after each restore).
# Knobs: BENCH_WORK (default bench/work), BENCH_OFFSITE (a published offsite binary; default: publish
# Release into bench/work/offsite), BENCH_SKIP_RESTIC=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${BENCH_WORK:-$ROOT/bench/work}
SIZES=("$@"); (( ${#SIZES[@]} )) || SIZES=(300 3000)
OUT=$WORK/memory-results.md
mkdir -p "$WORK"
export OFFSITE_PASSWORD=bench RESTIC_PASSWORD=bench DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
unset OFFSITE_REPOSITORY OFFSITE_PASSWORD_FILE OFFSITE_KEY_FILE RESTIC_REPOSITORY RESTIC_PASSWORD_FILE
say() { printf 'memory.sh: %s\n' "$*" >&2; }

command -v /usr/bin/time >/dev/null || { say "installing time"; apt-get install -y -qq time >/dev/null; }
command -v restic >/dev/null || { say "installing restic"; apt-get install -y -qq restic >/dev/null; }

OFFSITE=${BENCH_OFFSITE:-}
if [[ -z $OFFSITE ]]; then
  say "publishing Offsite (Release, ReadyToRun) into $WORK/offsite"
  dotnet publish "$ROOT/src/Offsite.Cli" -c Release -r linux-x64 --self-contained false -o "$WORK/offsite" -v q -nologo >/dev/null
  OFFSITE=$WORK/offsite/offsite
fi
say "building bench/gentree.c"
gcc -O2 -o "$WORK/gentree" "$ROOT/bench/gentree.c"

echo "| files | tool | command | seconds | peak RSS MiB |" > "$OUT"
echo "|---|---|---|---|---|" >> "$OUT"

# run LABEL TOOL CMD...: one timed command, appended to the results
run() {
  local files=$1 tool=$2 what=$3; shift 3
  sync
  local t; t=$(mktemp)
  if ! /usr/bin/time -f '%e %M' -o "$t" "$@" > "$WORK/last.log" 2>&1; then
    say "FAILED: $tool $what (see $WORK/last.log)"; tail -5 "$WORK/last.log" >&2; exit 1
  fi
  read -r secs kb < "$t"; rm -f "$t"
  printf '| %s | %s | %s | %s | %d |\n' "$files" "$tool" "$what" "$secs" $(( kb / 1024 )) | tee -a "$OUT"
}

for k in "${SIZES[@]}"; do
  tree=$WORK/tree-${k}k
  if [[ ! -f $tree/.complete ]]; then
    say "making $tree: $k directories x 1,000 files x 600 bytes (deterministic)"
    rm -rf "$tree"; "$WORK/gentree" "$tree" "$k" 1000 600 && touch "$tree/.complete"
  fi
  files="${k}k"

  repo=$WORK/mem-offsite-$k cache=$WORK/mem-offsite-cache-$k target=$WORK/mem-restore
  rm -rf "$repo" "$cache" "$target"
  export OFFSITE_CACHE_DIR=$cache
  "$OFFSITE" -r "$repo" init -q
  run "$files" offsite "initial backup" "$OFFSITE" -r "$repo" backup -q "$tree"
  run "$files" offsite "no-change backup" "$OFFSITE" -r "$repo" backup -q "$tree"
  run "$files" offsite check "$OFFSITE" -r "$repo" check -q
  run "$files" offsite "ls -R" "$OFFSITE" -r "$repo" ls -R latest
  run "$files" offsite restore "$OFFSITE" -r "$repo" restore -q latest --target "$target"
  rm -rf "$target" "$repo" "$cache"

  if [[ ${BENCH_SKIP_RESTIC:-0} != 1 ]]; then
    repo=$WORK/mem-restic-$k
    rm -rf "$repo"
    export RESTIC_CACHE_DIR=$WORK/mem-restic-cache-$k
    rm -rf "$RESTIC_CACHE_DIR"
    restic -r "$repo" init -q
    run "$files" restic "initial backup" restic -r "$repo" backup -q "$tree"
    run "$files" restic "no-change backup" restic -r "$repo" backup -q "$tree"
    run "$files" restic check restic -r "$repo" check -q
    run "$files" restic "ls -R" restic -r "$repo" ls latest
    run "$files" restic restore restic -r "$repo" restore latest --target "$target"
    rm -rf "$target" "$repo" "$RESTIC_CACHE_DIR"
  fi
done
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
say "results: $OUT"
