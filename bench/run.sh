#!/usr/bin/env bash
# Offsite benchmark: Offsite vs restic vs borg on the same data, in the same run.
#
#   bash bench/run.sh [--quick]
#
# Writes bench/RESULTS.md and prints it. See bench/README.md for what is measured.
# --quick: /usr/share/doc and a 200 MiB stream, no 10 GiB memory check (a sanity run, < 3 min).
# Environment knobs (optional): BENCH_WORK (work dir, default bench/work),
# BENCH_SRC (directory dataset, default /usr/share or /usr/share/doc),
# BENCH_STREAM_MIB, BENCH_BIG_MIB (sizes of the generated streams),
# BENCH_BORG_ZSTD=1 (also run borg with --compression zstd,3 as a fourth tool),
# BENCH_FROM_HEAD=1 (build the committed tree, `git archive HEAD`, instead of the working tree),
# BENCH_RESULTS (output file, default bench/RESULTS.md),
# BENCH_IDLE_WAIT (max seconds to wait for a quiet machine before each timed run, default 5),
# BENCH_OFFSITE_PASSPHRASE=1 (run Offsite with the passphrase, as restic and borg run, instead of an
# exported key file; the key file is the default: issue 14 compares memory with a key file).
set -euo pipefail

START_TS=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
QUICK=0
case "${1:-}" in
    --quick) QUICK=1 ;;
    "") ;;
    *) echo "usage: bash bench/run.sh [--quick]" >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
WORK=${BENCH_WORK:-$BENCH/work}
RESULTS_MD=${BENCH_RESULTS:-$BENCH/RESULTS.md}

if (( QUICK )); then
    SRC=${BENCH_SRC:-/usr/share/doc}
    STREAM_MIB=${BENCH_STREAM_MIB:-200}
    BIG_MIB=0
    MODE=quick
else
    SRC=${BENCH_SRC:-/usr/share}
    STREAM_MIB=${BENCH_STREAM_MIB:-2048}
    BIG_MIB=${BENCH_BIG_MIB:-10240}
    MODE=full
fi
BORG_ZSTD=${BENCH_BORG_ZSTD:-0}
FROM_HEAD=${BENCH_FROM_HEAD:-0}
IDLE_WAIT=${BENCH_IDLE_WAIT:-5}
OFFSITE_PASSPHRASE=${BENCH_OFFSITE_PASSPHRASE:-0}

TOOLS=(offsite restic borg)
(( BORG_ZSTD )) && TOOLS+=(borg-zstd3)

export OFFSITE_PASSWORD=bench RESTIC_PASSWORD=bench BORG_PASSPHRASE=bench
# Keep the tools from touching the user's real caches and configs.
unset OFFSITE_REPOSITORY OFFSITE_CACHE_DIR OFFSITE_PASSWORD_FILE OFFSITE_PASSWORD_COMMAND OFFSITE_KEY_FILE OFFSITE_KEY_COMMAND
unset RESTIC_REPOSITORY RESTIC_CACHE_DIR RESTIC_PASSWORD_FILE RESTIC_PASSWORD_COMMAND
unset BORG_REPO BORG_BASE_DIR BORG_PASSCOMMAND BORG_KEY_FILE
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# ---------------------------------------------------------------- helpers
phase() { printf '\n\033[1m== %s\033[0m  (+%ds)\n' "$*" "$(( $(date +%s) - START_TS ))" >&2; }
say()   { printf '   %s\n' "$*" >&2; }
die()   { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

LOGDIR=$WORK/logs
RESULTS_TSV=$WORK/results.tsv     # dataset scenario tool seconds rss_kb repo_bytes cpu_s other_cpu_s
CLK_TCK=$(getconf CLK_TCK)
COMMANDS_TXT=$WORK/commands.txt   # exact command lines, in run order
EXTRA_TSV=$WORK/extra.tsv         # key value (memory check, checksums, ...)

# run_logged <logname> cmd...: run untimed, output to a log; on failure show the log and stop.
run_logged() {
    local log=$LOGDIR/$1.log; shift
    if ! "$@" >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "command failed: $* (log: $log)"
    fi
}

# Busy CPU time of the whole machine so far, in clock ticks (user+nice+system+irq+softirq+steal).
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }

# wait_idle: wait (at most $IDLE_WAIT s) until the machine is quiet: < 0.3 CPUs busy over 1 s.
wait_idle() {
    local waited=0 b0 b1
    while :; do
        b0=$(busy_ticks); sleep 1; b1=$(busy_ticks)
        (( (b1 - b0) * 10 < CLK_TCK * 3 )) && return 0
        (( ++waited >= IDLE_WAIT )) && { printf '(busy machine) ' >&2; return 0; }
    done
}

# measure <dataset> <scenario> <tool> <repo-dir> cmd...
#   Times cmd with /usr/bin/time (wall seconds, peak RSS, user+sys CPU of the tool), records the
#   repository size afterwards, and how much CPU other processes on the machine used meanwhile
#   (noise). stdin/stdout of the function call go to the command, so `measure ... < file` and
#   `measure ... > /dev/null` work. Tool stderr goes to the log.
measure() {
    local ds=$1 sc=$2 tool=$3 repo=$4; shift 4
    local tf=$WORK/time.out log=$LOGDIR/$ds-$sc-$tool.log
    printf '   %-11s %-9s ... ' "$tool" "$sc" >&2
    printf '[%s/%s/%s] %s\n' "$ds" "$sc" "$tool" "$(printf '%q ' "$@")" >>"$COMMANDS_TXT"
    local b0 b1
    sync          # earlier runs' dirty pages must not be written back during this one
    wait_idle
    b0=$(busy_ticks)
    if ! /usr/bin/time -o "$tf" -f '%e %M %U %S' "$@" 2>"$log"; then
        echo "FAILED" >&2
        tail -n 30 "$log" >&2
        die "$tool $sc on $ds failed (log: $log)"
    fi
    b1=$(busy_ticks)
    local secs rss usr sys size cpu other
    read -r secs rss usr sys < <(tail -n 1 "$tf")
    size=$(du -sb "$repo" | cut -f1)
    cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
    other=$(awk -v a="$b0" -v b="$b1" -v c="$cpu" -v hz="$CLK_TCK" 'BEGIN {o = (b - a) / hz - c; printf "%.2f", o < 0 ? 0 : o}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ds" "$sc" "$tool" "$secs" "$rss" "$size" "$cpu" "$other" >>"$RESULTS_TSV"
    printf '%7.2f s  %6d MiB RSS  repo %6d MiB  cpu %6.2f s  (other procs %.1f s)\n' \
        "$secs" $(( rss / 1024 )) $(( size / 1048576 )) "$cpu" "$other" >&2
}

# Per-tool repository layout: $WORK/repos/<dataset>/<tool>/{repo,cache}
repo_of()  { echo "$WORK/repos/$1/$2/repo"; }
cache_of() { echo "$WORK/repos/$1/$2/cache"; }

# tool_cmd <tool> <repo> <cache> <action> [args]: sets the array CMD to the full command line,
# an `env` call that sets the tool's repository variables (so /usr/bin/time can exec it).
#   actions: init | backup-dir <path> <archive-name> | backup-stdin <archive-name>
#            | restore <target-dir> | dump
tool_cmd() {
    local tool=$1 repo=$2 cache=$3 action=$4; shift 4
    local -a e
    local -a key=()
    case $tool in
        offsite)         e=(env "OFFSITE_REPOSITORY=$repo" "OFFSITE_CACHE_DIR=$cache")
                         # The key file exported at init: no scrypt in the timed runs (see the Method section).
                         if (( ! OFFSITE_PASSPHRASE )) && [[ $action != init ]]; then
                             e=(env -u OFFSITE_PASSWORD "OFFSITE_REPOSITORY=$repo" "OFFSITE_CACHE_DIR=$cache"); key=(--key-file "$(dirname "$repo")/id.key")
                         fi ;;
        restic)          e=(env "RESTIC_REPOSITORY=$repo" "RESTIC_CACHE_DIR=$cache") ;;
        borg|borg-zstd3) e=(env "BORG_REPO=$repo" "BORG_BASE_DIR=$cache") ;;
        *) die "unknown tool $tool" ;;
    esac
    local -a comp=()
    [[ $tool == borg-zstd3 ]] && comp=(--compression zstd,3)
    case $tool:$action in
        offsite:init)          CMD=("${e[@]}" "$OFFSITE" init --quiet) ;;
        offsite:backup-dir)    CMD=("${e[@]}" "$OFFSITE" "${key[@]}" backup --quiet "${@:3}" "$1") ;;
        offsite:backup-stdin)  CMD=("${e[@]}" "$OFFSITE" "${key[@]}" backup --quiet "${@:2}" --stdin --stdin-name stream.bin) ;;
        offsite:restore)       CMD=("${e[@]}" "$OFFSITE" "${key[@]}" restore latest --quiet --target "$1") ;;
        offsite:dump)          CMD=("${e[@]}" "$OFFSITE" "${key[@]}" dump latest /stream.bin) ;;
        restic:init)           CMD=("${e[@]}" restic init --quiet) ;;
        restic:backup-dir)     CMD=("${e[@]}" restic backup --quiet "$1") ;;
        restic:backup-stdin)   CMD=("${e[@]}" restic backup --quiet --stdin --stdin-filename stream.bin) ;;
        restic:restore)        CMD=("${e[@]}" restic restore latest --quiet --target "$1") ;;
        restic:dump)           CMD=("${e[@]}" restic dump latest stream.bin) ;;
        borg*:init)            CMD=("${e[@]}" borg init --encryption repokey) ;;
        borg*:backup-dir)      CMD=("${e[@]}" borg create "${comp[@]}" "::$2" "$1") ;;
        borg*:backup-stdin)    CMD=("${e[@]}" borg create "${comp[@]}" --stdin-name stream.bin "::$1" -) ;;
        borg*:restore)         CMD=(env -C "$1" "${e[@]:1}" borg extract ::changed) ;;
        borg*:dump)            CMD=("${e[@]}" borg extract --stdout ::changed stream.bin) ;;
        *) die "unknown tool action $tool:$action" ;;
    esac
}

init_repo() { # <tool> <repo> <cache> <logname>
    local tool=$1 repo=$2 cache=$3
    rm -rf "$repo" "$cache"; mkdir -p "$(dirname "$repo")" "$cache"
    tool_cmd "$tool" "$repo" "$cache" init
    run_logged "$4" "${CMD[@]}" </dev/null
    if [[ $tool == offsite ]]; then
        run_logged "$4" env OFFSITE_REPOSITORY="$repo" "$OFFSITE" key export --identity -o "$(dirname "$repo")/id.key" </dev/null
    fi
}

# step <dataset> <scenario> <tool> <action> [args]: build the command for the dataset's repo and time it.
step() {
    local ds=$1 sc=$2 tool=$3 action=$4; shift 4
    tool_cmd "$tool" "$(repo_of "$ds" "$tool")" "$(cache_of "$ds" "$tool")" "$action" "$@"
    measure "$ds" "$sc" "$tool" "$(repo_of "$ds" "$tool")" "${CMD[@]}"
}

# warmup <dataset> <tool> <action> [args]: one untimed run into a scratch repository. Offsite's
# run also reports its CPU by stage (--stage-times), which goes into the report.
warmup() {
    local ds=$1 tool=$2 action=$3; shift 3
    local repo=$WORK/scratch/$tool/repo cache=$WORK/scratch/$tool/cache t0=$EPOCHREALTIME
    init_repo "$tool" "$repo" "$cache" "warmup-$ds-$tool"
    local -a stages=()
    [[ $tool == offsite ]] && stages=(--stage-times --json)
    tool_cmd "$tool" "$repo" "$cache" "$action" "$@" "${stages[@]}"
    run_logged "warmup-$ds-$tool" "${CMD[@]}"
    if [[ $tool == offsite ]]; then
        python3 - "$LOGDIR/warmup-$ds-$tool.log" "$ds" >>"$EXTRA_TSV" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if '"stageCpuSeconds"' in line:
        d = json.loads(line)
        for k, v in d["stageCpuSeconds"].items():
            print(f"stages_{sys.argv[2]}_{k}\t{v}")
        print(f"stages_{sys.argv[2]}_bytes\t{d['bytes']}")
        print(f"stages_{sys.argv[2]}_seconds\t{d['seconds']}")
PY
    fi
    say "$tool warm-up done ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}') s)"
    rm -rf "$WORK/scratch/$tool"
}

# Sum of sizes and count of regular files below a directory: "<count> <bytes>".
tree_stats() { find "$1" -type f -printf '%s\n' | awk '{n++; s+=$1} END {printf "%d %d\n", n, s}'; }

# ---------------------------------------------------------------- preflight
phase "preflight ($MODE mode)"
missing=()
command -v restic >/dev/null || missing+=(restic)
command -v borg >/dev/null || missing+=(borgbackup)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v cc >/dev/null || missing+=(gcc)
if (( ${#missing[@]} )); then
    say "installing missing packages: ${missing[*]}"
    if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >/dev/null; fi
fi
command -v dotnet >/dev/null || die "dotnet SDK not found"
[[ -d $SRC ]] || die "dataset directory $SRC does not exist"
say "restic: $(restic version | head -n1)"
say "borg:   $(borg --version)"
say "dotnet: $(dotnet --version)"

rm -rf "$WORK/repos" "$WORK/restore" "$WORK/scratch" "$LOGDIR"
mkdir -p "$WORK" "$LOGDIR"
: >"$RESULTS_TSV"; : >"$COMMANDS_TXT"; : >"$EXTRA_TSV"

if (( FROM_HEAD )); then
    # Build the committed tree (git HEAD) in the work dir, unaffected by uncommitted edits.
    HEAD_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
    phase "build Offsite (Release) from git HEAD $HEAD_COMMIT"
    HEADSRC=$WORK/head-src
    rm -rf "$HEADSRC"; mkdir -p "$HEADSRC"
    git -C "$ROOT" archive "$HEAD_COMMIT" | tar -x -C "$HEADSRC"
    BUILD_ROOT=$HEADSRC
    OFFSITE_COMMIT="$HEAD_COMMIT (built from git HEAD)"
else
    phase "build Offsite (Release) from the working tree"
    BUILD_ROOT=$ROOT
    OFFSITE_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/ (working tree build)')"
fi
# Published the way scripts/install.sh installs it (ReadyToRun), into a private directory: a
# concurrent rebuild of the shared tree must not swap assemblies under a running benchmark.
rm -rf "$WORK/offsite-bin"
run_logged build env OFFSITE_PUBLISH_DIR="$WORK/offsite-bin" bash "$BUILD_ROOT/scripts/install.sh" --publish-only
OFFSITE=$WORK/offsite-bin/offsite
[[ -x $OFFSITE ]] || die "offsite binary not found at $OFFSITE"
say "published $OFFSITE (ReadyToRun)"
GEN=$WORK/gen
cc -O2 -o "$GEN" "$BENCH/gen.c"

# ---------------------------------------------------------------- dataset 1: directory
DS=dir
phase "dataset 1: directory copy of $SRC"
DATA=$WORK/data
# The last run's copy is moved aside and deleted only after the restores: ext4 skips inodes freed in
# the last minutes when it allocates new ones, and deleting 63k files here made every restore four
# minutes later pay for it (39.6 s instead of ~7 s, 42 s of CPU, in one run).
TRASH=$WORK/trash
if [[ -e $DATA ]]; then mkdir -p "$TRASH"; mv "$DATA" "$TRASH/data-$(date +%s%N)"; fi
say "cp -a $SRC $DATA"
cp -a "$SRC" "$DATA"
sync
read -r DIR_FILES DIR_BYTES < <(tree_stats "$DATA")
say "$DIR_FILES files, $(( DIR_BYTES / 1048576 )) MiB"
printf 'dir_files\t%s\ndir_bytes\t%s\n' "$DIR_FILES" "$DIR_BYTES" >>"$EXTRA_TSV"

phase "warm-up: one untimed backup per tool (page cache, binaries)"
for tool in "${TOOLS[@]}"; do warmup $DS "$tool" backup-dir "$DATA" warmup; done

phase "[$DS] initial backup"
for tool in "${TOOLS[@]}"; do
    init_repo "$tool" "$(repo_of $DS "$tool")" "$(cache_of $DS "$tool")" "init-$DS-$tool"
    step $DS initial "$tool" backup-dir "$DATA" initial
done
# The floor issue 14 sets for a backup: read every file and zstd -3 it on both cores.
measure $DS initial floor "$WORK/data" bash -c 'tar cf - -C "$1" . | zstd -3 -T2 -q > /dev/null' floor "$DATA"

phase "[$DS] no-change backup"
for tool in "${TOOLS[@]}"; do step $DS nochange "$tool" backup-dir "$DATA" nochange; done

phase "[$DS] modify 5% of files (append to every 20th regular file)"
mapfile -d '' FILES < <(find "$DATA" -type f -print0 | LC_ALL=C sort -z)
changed=0
for (( i = 19; i < ${#FILES[@]}; i += 20 )); do
    f=${FILES[i]}
    [[ -w $f ]] || chmod u+w "$f"
    printf 'offsite-bench: appended line %d\n' "$i" >>"$f"
    changed=$(( changed + 1 ))
done
say "modified $changed of ${#FILES[@]} files"
printf 'dir_changed_files\t%s\n' "$changed" >>"$EXTRA_TSV"
read -r DIR_FILES2 DIR_BYTES2 < <(tree_stats "$DATA")

phase "[$DS] 5%-changed backup"
for tool in "${TOOLS[@]}"; do step $DS changed "$tool" backup-dir "$DATA" changed; done

phase "[$DS] full restore into an empty directory"
for tool in "${TOOLS[@]}"; do
    target=$WORK/restore/$tool
    rm -rf "$target"; mkdir -p "$target"
    step $DS restore "$tool" restore "$target"
    restored=$target$DATA
    [[ -d $restored ]] || die "$tool restore: $restored does not exist"
    read -r n b < <(tree_stats "$restored")
    if [[ "$n $b" != "$DIR_FILES2 $DIR_BYTES2" ]]; then
        die "$tool restore mismatch: $n files / $b bytes, expected $DIR_FILES2 / $DIR_BYTES2"
    fi
    say "verified: $n files, $b bytes"
    # Kept until every restore is done: ext4 skips inodes freed in the last minutes when it allocates
    # new ones (recently_deleted), and after deleting a 63k-file tree that scan doubled the next
    # restore's system time, so each run would have paid for the previous one's cleanup.
done
# The floor for a restore: copy the same tree, metadata included, on the same file system.
target=$WORK/restore/floor
rm -rf "$target"; mkdir -p "$target"
measure $DS restore floor "$WORK/data" cp -a "$DATA" "$target/data"
rm -rf "$WORK/repos/$DS" "$WORK/restore" "$TRASH"

# ---------------------------------------------------------------- dataset 2: stream
DS=stream
phase "dataset 2: generated stream, $STREAM_MIB MiB"
STREAM=$WORK/stream.bin
STREAM2=$WORK/stream-changed.bin
"$GEN" "$STREAM_MIB" >"$STREAM"
"$GEN" "$STREAM_MIB" changed >"$STREAM2"
SUM1=$(sha256sum <"$STREAM" | cut -d' ' -f1)
SUM2=$(sha256sum <"$STREAM2" | cut -d' ' -f1)
say "stream.bin         sha256 $SUM1"
say "stream-changed.bin sha256 $SUM2"
printf 'stream_mib\t%s\nstream_sha256\t%s\nstream_changed_sha256\t%s\n' "$STREAM_MIB" "$SUM1" "$SUM2" >>"$EXTRA_TSV"
if command -v zstd >/dev/null; then
    printf 'stream_zstd3_bytes\t%s\n' "$(zstd -3 -T1 -c <"$STREAM" | wc -c)" >>"$EXTRA_TSV"
fi

# The stream files are in the page cache already (just written and checksummed), so the
# warm-up only needs to warm each tool's code paths: its first 256 MiB are enough.
phase "warm-up: one untimed stdin backup per tool (first 256 MiB of the stream)"
for tool in "${TOOLS[@]}"; do warmup $DS "$tool" backup-stdin warmup < <(head -c $(( 256 * 1048576 )) "$STREAM"); done

phase "[$DS] initial backup (stdin)"
for tool in "${TOOLS[@]}"; do
    init_repo "$tool" "$(repo_of $DS "$tool")" "$(cache_of $DS "$tool")" "init-$DS-$tool"
    step $DS initial "$tool" backup-stdin initial <"$STREAM"
done

measure $DS initial floor "$STREAM" bash -c 'zstd -3 -T2 -q -c < "$1" > /dev/null' floor "$STREAM"

phase "[$DS] no-change backup (same bytes again)"
for tool in "${TOOLS[@]}"; do step $DS nochange "$tool" backup-stdin nochange <"$STREAM"; done

phase "[$DS] 5%-changed backup (every 20th 1 MiB block rewritten)"
for tool in "${TOOLS[@]}"; do step $DS changed "$tool" backup-stdin changed <"$STREAM2"; done

phase "[$DS] full restore (dump to /dev/null)"
for tool in "${TOOLS[@]}"; do step $DS restore "$tool" dump >/dev/null; done

# Untimed correctness check of the restored bytes. Quick mode checks every tool (proves the
# commands right); the full run checks Offsite only, to save time.
VERIFY_TOOLS=("${TOOLS[@]}")
(( QUICK )) || VERIFY_TOOLS=(offsite)
phase "[$DS] verify dumps (untimed: dump | sha256sum): ${VERIFY_TOOLS[*]}"
for tool in "${VERIFY_TOOLS[@]}"; do
    tool_cmd "$tool" "$(repo_of $DS "$tool")" "$(cache_of $DS "$tool")" dump
    got=$("${CMD[@]}" 2>>"$LOGDIR/verify-$tool.log" | sha256sum | cut -d' ' -f1)
    [[ $got == "$SUM2" ]] || die "$tool dump checksum mismatch: $got, expected $SUM2"
    say "$tool dump verified"
done
rm -rf "$WORK/repos/$DS"

# ---------------------------------------------------------------- memory bound
# big_backup <key> <repo> <cache> [offsite global args]: pipe the generator into offsite, record time/RSS.
big_backup() {
    local key=$1 repo=$2 cache=$3; shift 3
    # The generator runs concurrently (pipe); /usr/bin/time measures offsite only.
    printf '[memory/%s] %q %s | %s\n' "$key" "$GEN" "$BIG_MIB" \
        "$(printf '%q ' /usr/bin/time -f '%e %M' "$OFFSITE" "$@" backup --quiet --stdin --stdin-name big.bin)" >>"$COMMANDS_TXT"
    sync; wait_idle; printf '   ' >&2
    set +o pipefail
    "$GEN" "$BIG_MIB" | OFFSITE_REPOSITORY=$repo OFFSITE_CACHE_DIR=$cache \
        /usr/bin/time -o "$WORK/time.out" -f '%e %M' "$OFFSITE" "$@" backup --quiet --stdin --stdin-name big.bin 2>>"$LOGDIR/memory.log"
    local rcs=("${PIPESTATUS[@]}")
    set -o pipefail
    [[ ${rcs[0]} -eq 0 && ${rcs[1]} -eq 0 ]] || { tail -n 30 "$LOGDIR/memory.log" >&2; die "memory check failed (${rcs[*]})"; }
    local secs rss size
    read -r secs rss < <(tail -n 1 "$WORK/time.out")
    size=$(du -sb "$repo" | cut -f1)
    printf '%s_seconds\t%s\n%s_rss_kb\t%s\n%s_repo_bytes\t%s\n' "$key" "$secs" "$key" "$rss" "$key" "$size" >>"$EXTRA_TSV"
    say "offsite backup ($key): $secs s, peak RSS $(( rss / 1024 )) MiB (target < 256 MiB), repo $(( size / 1048576 )) MiB"
}

# open_only <key> <repo> <cache> [offsite global args]: `offsite snapshots`, the cost of opening a repository.
open_only() {
    local key=$1 repo=$2 cache=$3; shift 3
    /usr/bin/time -o "$WORK/time.out" -f '%e %M' env OFFSITE_REPOSITORY="$repo" OFFSITE_CACHE_DIR="$cache" \
        "$OFFSITE" "$@" snapshots >/dev/null 2>>"$LOGDIR/memory.log"
    local secs rss
    read -r secs rss < <(tail -n 1 "$WORK/time.out")
    printf '%s_seconds\t%s\n%s_rss_kb\t%s\n' "$key" "$secs" "$key" "$rss" >>"$EXTRA_TSV"
    say "offsite snapshots ($key): $secs s, peak RSS $(( rss / 1024 )) MiB"
}

if (( BIG_MIB > 0 )); then
    phase "memory check: $BIG_MIB MiB generated stream piped into offsite backup --stdin"
    printf 'big_mib\t%s\n' "$BIG_MIB" >>"$EXTRA_TSV"
    # 1. As users run it: passphrase from OFFSITE_PASSWORD (includes scrypt key derivation).
    repo=$WORK/repos/big/pass/repo cache=$WORK/repos/big/pass/cache
    init_repo offsite "$repo" "$cache" init-big
    big_backup big "$repo" "$cache"
    open_only open "$repo" "$cache"
    rm -rf "$WORK/repos/big/pass"
    # 2. With an exported key file instead of a passphrase: no scrypt, so this is the memory of
    #    the backup pipeline itself.
    repo=$WORK/repos/big/keyfile/repo cache=$WORK/repos/big/keyfile/cache
    init_repo offsite "$repo" "$cache" init-big
    run_logged init-big env OFFSITE_REPOSITORY="$repo" "$OFFSITE" key export --identity -o "$WORK/repos/big/id.key"
    (
        unset OFFSITE_PASSWORD
        big_backup bigkey "$repo" "$cache" --key-file "$WORK/repos/big/id.key"
        open_only openkey "$repo" "$cache" --key-file "$WORK/repos/big/id.key"
    )
    rm -rf "$WORK/repos/big"
fi

# ---------------------------------------------------------------- report
phase "report"
TOTAL=$(( $(date +%s) - START_TS ))
{
    echo "mode	$MODE"
    echo "date	$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "total_seconds	$TOTAL"
    echo "src	$SRC"
    echo "work	$WORK"
    echo "cpu	$(lscpu | sed -n 's/^Model name: *//p' | head -n1) ($(nproc) CPUs)"
    echo "mem	$(free -h | awk '/^Mem:/ {print $2}') RAM"
    echo "kernel	$(uname -srm)"
    echo "fs	$(df -T "$WORK" | awk 'NR==2 {print $2 " on " $1}')"
    echo "os	$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "dotnet	$(dotnet --version)"
    echo "restic	$(restic version | head -n1)"
    echo "borg	$(borg --version)"
    echo "offsite_commit	$OFFSITE_COMMIT"
    echo "load_start	$LOAD_START"
    echo "load_end	$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "offsite_version	$("$OFFSITE" --version 2>/dev/null | head -n1)"
    echo "borg_zstd	$BORG_ZSTD"
    echo "idle_wait	$IDLE_WAIT"
    echo "offsite_auth	$( (( OFFSITE_PASSPHRASE )) && echo passphrase || echo keyfile)"
} >>"$EXTRA_TSV"
# Sections below the marker in the old RESULTS.md (measurements by hand or by other scripts) are kept.
MARKER='<!-- Sections below are kept by bench/run.sh'
KEPT=$WORK/kept.md
: >"$KEPT"
[[ -f $RESULTS_MD ]] && awk -v m="$MARKER" 'index($0, m) == 1 {on = 1} on' "$RESULTS_MD" >"$KEPT"
python3 "$BENCH/report.py" "$RESULTS_TSV" "$EXTRA_TSV" "$COMMANDS_TXT" >"$WORK/report.md"
cat "$WORK/report.md" "$KEPT" >"$RESULTS_MD"
cat "$WORK/report.md"
phase "done in ${TOTAL}s; wrote $RESULTS_MD"
