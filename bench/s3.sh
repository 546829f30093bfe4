#!/usr/bin/env bash
# S3 benchmark rows: Offsite vs restic 0.14 to the same Ceph RGW (scripts/peers.sh start rgw).
#
#   bash bench/s3.sh [dataset ...]        default: /usr/share/doc /usr/share
#
# For each dataset and tool: initial backup, no-change backup, restore (each into a fresh bucket per
# tool), timed with /usr/bin/time; the S3 requests each phase made are counted from RGW's access log
# (the beast frontend logs one line per request at `debug rgw = 1`, scripts/peers.sh's default) by
# method and by the tool's bucket. Results: bench/S3-RESULTS.md (BENCH_S3_RESULTS) and the raw TSV.
#
# Environment: BENCH_S3_WORK (default /tmp/offsite-bench-s3), BENCH_S3_RESULTS,
# BENCH_S3_FROM_TREE=1 (build the working tree instead of `git archive HEAD`),
# OFFSITE_TEST_S3_ENDPOINT / OFFSITE_TEST_CEPH_CONF (from `bash scripts/peers.sh env`).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${BENCH_S3_WORK:-/tmp/offsite-bench-s3}
RESULTS_MD=${BENCH_S3_RESULTS:-$ROOT/bench/S3-RESULTS.md}
FROM_TREE=${BENCH_S3_FROM_TREE:-0}
if (( $# )); then DATASETS=("$@"); else DATASETS=(/usr/share/doc /usr/share); fi

say() { printf 's3-bench: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

eval "$(bash "$ROOT/scripts/peers.sh" env)"
ENDPOINT=${OFFSITE_TEST_S3_ENDPOINT:?}
RGW_LOG=$(dirname "${OFFSITE_TEST_CEPH_CONF:?}")/log/client.rgw.log
curl -fsS -o /dev/null "$ENDPOINT" || die "RGW is not answering at $ENDPOINT: bash scripts/peers.sh start rgw"
[[ -f $RGW_LOG ]] || die "RGW log $RGW_LOG not found"

export AWS_ACCESS_KEY_ID=${OFFSITE_TEST_S3_ACCESS_KEY:-TESTKEY} AWS_SECRET_ACCESS_KEY=${OFFSITE_TEST_S3_SECRET_KEY:-TESTSECRET}
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export OFFSITE_PASSWORD=bench RESTIC_PASSWORD=bench
unset OFFSITE_REPOSITORY OFFSITE_CACHE_DIR OFFSITE_PASSWORD_FILE OFFSITE_PASSWORD_COMMAND OFFSITE_KEY_FILE OFFSITE_KEY_COMMAND
unset RESTIC_REPOSITORY RESTIC_CACHE_DIR RESTIC_PASSWORD_FILE RESTIC_PASSWORD_COMMAND
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1
AWS=(/usr/bin/aws --endpoint-url "$ENDPOINT")

rm -rf "$WORK"; mkdir -p "$WORK/logs"
TSV=$WORK/results.tsv   # dataset phase tool seconds rss_kb put get list head post delete other total get_bytes
: >"$TSV"

# ---- build Offsite: the committed tree by default (others may be editing the working tree)
if (( FROM_TREE )); then
    SRC_ROOT=$ROOT; BUILT="$(git -C "$ROOT" rev-parse --short HEAD) + working tree"
else
    SRC_ROOT=$WORK/head-src; BUILT="$(git -C "$ROOT" rev-parse --short HEAD) (git HEAD)"
    mkdir -p "$SRC_ROOT"; git -C "$ROOT" archive HEAD | tar -x -C "$SRC_ROOT"
fi
say "building Offsite $BUILT"
OFFSITE_PUBLISH_DIR="$WORK/offsite-bin" bash "$SRC_ROOT/scripts/install.sh" --publish-only >"$WORK/logs/build.log" 2>&1 || { tail -20 "$WORK/logs/build.log"; die "build failed"; }
OFFSITE=$WORK/offsite-bin/offsite

# ---- request counting: RGW's beast access log, lines after a byte offset, for one bucket
log_size() { stat -c %s "$RGW_LOG"; }
# count_requests <offset> <bucket>: prints "put get list head post delete other total get_bytes"
count_requests() {
    sleep 1 # let RGW flush its log
    tail -c +"$(( $1 + 1 ))" "$RGW_LOG" | awk -v b="$2" '
        / beast: / && index($0, "\"") {
            split(substr($0, index($0, "\"") + 1), r, " ")
            m = r[1]; p = r[2]
            split(substr($0, index($0, "\" ") + 2), a, " ")   # after the request: status, bytes sent
            if (p != "/" b && index(p, "/" b "/") != 1 && index(p, "/" b "?") != 1) next
            rest = substr(p, length(b) + 2)          # after "/bucket"
            key = rest; sub(/\?.*/, "", key); sub(/^\//, "", key)
            if (m == "PUT") put++
            else if (m == "GET" && key == "") list++
            else if (m == "GET") { get++; getbytes += a[2] }
            else if (m == "HEAD") head++
            else if (m == "POST") post++
            else if (m == "DELETE") del++
            else other++
            total++
        }
        END { printf "%d %d %d %d %d %d %d %d %d\n", put, get, list, head, post, del, other, total, getbytes }'
}

# timed <dataset> <phase> <tool> <bucket> cmd...: run, record seconds, max RSS and requests
timed() {
    local ds=$1 phase=$2 tool=$3 bucket=$4; shift 4
    local off; off=$(log_size)
    local log=$WORK/logs/$(basename "$ds")-$phase-$tool.log
    echo "$*" >"$log"
    if ! /usr/bin/time -o "$WORK/time.out" -f '%e %M' "$@" >>"$log" 2>&1; then
        tail -20 "$log" >&2; die "$tool $phase failed (log $log)"
    fi
    read -r secs rss <"$WORK/time.out"
    local counts; counts=$(count_requests "$off" "$bucket")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ds" "$phase" "$tool" "$secs" "$rss" "$(tr ' ' '\t' <<<"$counts")" >>"$TSV"
    say "$(basename "$ds") $phase $tool: ${secs}s, requests (put get list head post delete other total get_bytes): $counts"
}

bucket_bytes() { "${AWS[@]}" s3api list-objects-v2 --bucket "$1" --query 'sum(Contents[].Size)' --output text 2>/dev/null || echo 0; }
bucket_objects() { "${AWS[@]}" s3api list-objects-v2 --bucket "$1" --query 'length(Contents[])' --output text 2>/dev/null || echo 0; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
EXTRA=$WORK/extra.tsv; : >"$EXTRA"
for ds in "${DATASETS[@]}"; do
    [[ -d $ds ]] || die "dataset $ds is not a directory"
    name=$(basename "$ds")
    files=$(find "$ds" -type f | wc -l); bytes=$(du -sb "$ds" | cut -f1)
    echo -e "$ds\tfiles\t$files\n$ds\tbytes\t$bytes" >>"$EXTRA"
    tar -cf - "$ds" 2>/dev/null >/dev/null || true # page cache warm for both tools
    for tool in offsite restic; do
        bucket="offsite-bench-$tool-$name-$(date +%s)"; bucket=${bucket//_/-}; bucket=${bucket,,}
        cache=$WORK/cache-$tool-$name target=$WORK/restore-$tool-$name
        rm -rf "$cache" "$target"; mkdir -p "$cache"
        "${AWS[@]}" s3api create-bucket --bucket "$bucket" >/dev/null
        repo="s3:$ENDPOINT/$bucket/repo"
        case $tool in
            offsite) RUN=(env OFFSITE_REPOSITORY="$repo" OFFSITE_CACHE_DIR="$cache" "$OFFSITE") ;;
            restic)  RUN=(env RESTIC_REPOSITORY="$repo" RESTIC_CACHE_DIR="$cache" restic) ;;
        esac
        "${RUN[@]}" init >"$WORK/logs/$name-init-$tool.log" 2>&1 || { cat "$WORK/logs/$name-init-$tool.log" >&2; die "$tool init failed"; }
        timed "$ds" initial "$tool" "$bucket" "${RUN[@]}" backup --quiet "$ds"
        timed "$ds" no-change "$tool" "$bucket" "${RUN[@]}" backup --quiet "$ds"
        timed "$ds" restore "$tool" "$bucket" "${RUN[@]}" restore latest --quiet --target "$target"
        if diff -r --no-dereference "$ds" "$target$ds" >"$WORK/logs/$name-diff-$tool.log" 2>&1; then same=identical; else same="DIFFERS (see logs/$name-diff-$tool.log)"; fi
        echo -e "$ds\t$tool-restore\t$same" >>"$EXTRA"
        # One file (the largest under 4 MiB) out of the whole snapshot: what a partial restore moves.
        one=$(find "$ds" -type f -size -4M -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
        rm -rf "$target"
        timed "$ds" restore-one-file "$tool" "$bucket" "${RUN[@]}" restore latest --quiet --target "$target" --include "$one"
        if cmp -s "$one" "$target$one" && [[ $(find "$target" -type f | wc -l) == 1 ]]; then one_same="identical, alone"; else one_same="WRONG"; fi
        echo -e "$ds\t$tool-restore-one\t$one_same ($(stat -c %s "$one") bytes)" >>"$EXTRA"
        echo -e "$ds\t$tool-bytes\t$(bucket_bytes "$bucket")" >>"$EXTRA"
        echo -e "$ds\t$tool-objects\t$(bucket_objects "$bucket")" >>"$EXTRA"
        say "$name $tool: restore $same; bucket $(bucket_bytes "$bucket") bytes in $(bucket_objects "$bucket") objects"
        "${AWS[@]}" s3 rb "s3://$bucket" --force >/dev/null 2>&1 || say "warning: could not remove bucket $bucket"
        rm -rf "$target" "$cache"
    done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report
python3 - "$TSV" "$EXTRA" "$RESULTS_MD" "$BUILT" "$(restic version | cut -d' ' -f1-2)" "$LOAD_START" "$LOAD_END" "$(nproc)" <<'PY'
import sys, collections, datetime
tsv, extra, out, built, restic, load0, load1, cpus = sys.argv[1:]
rows = collections.OrderedDict()
for line in open(tsv):
    ds, phase, tool, secs, rss, put, get, lst, head, post, dele, other, total, getbytes = line.rstrip("\n").split("\t")
    rows.setdefault((ds, phase), {})[tool] = dict(secs=float(secs), rss=int(rss), put=int(put), get=int(get), list=int(lst),
                                                  head=int(head), post=int(post), delete=int(dele), other=int(other), total=int(total),
                                                  getbytes=int(getbytes))
ex = collections.defaultdict(dict)
for line in open(extra):
    ds, k, v = line.rstrip("\n").split("\t")
    ex[ds][k] = v
def ratio(a, b): return f"{a / b:.2f}" if b else ("—" if a == 0 else "∞")
L = []
L.append("# S3 benchmark: Offsite vs restic to Ceph RGW\n")
L.append(f"Generated by `bash bench/s3.sh` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC. "
         f"Offsite {built}; {restic}. Ceph 16 RGW (one memstore OSD) on 127.0.0.1 ({cpus} CPUs, shared with "
         f"the RGW daemons and anything else running: load average {load0} at start, {load1} at end).\n")
L.append("Each tool writes to its own new bucket; both keep their local cache between the runs (a backup host's normal state). "
         "Request counts come from RGW's access log, per bucket. Ratio = Offsite / restic (below 1: Offsite is faster or makes fewer requests).\n")
for ds in dict.fromkeys(k[0] for k in rows):
    e = ex[ds]
    L.append(f"\n## `{ds}` ({int(e['files']):,} files, {int(e['bytes']) / 2**20:,.0f} MiB)\n")
    L.append("| phase | Offsite s | restic s | time ratio | Offsite requests (PUT/GET/LIST/HEAD/other) | restic requests (PUT/GET/LIST/HEAD/other) | request ratio | Offsite GET MiB | restic GET MiB | Offsite max RSS MiB | restic max RSS MiB |")
    L.append("|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|")
    for (d, phase), t in rows.items():
        if d != ds: continue
        o, r = t["offsite"], t["restic"]
        def req(x): return f"{x['total']} ({x['put']}/{x['get']}/{x['list']}/{x['head']}/{x['post'] + x['delete'] + x['other']})"
        L.append(f"| {phase} | {o['secs']:.1f} | {r['secs']:.1f} | {ratio(o['secs'], r['secs'])} | {req(o)} | {req(r)} | {ratio(o['total'], r['total'])} | {o['getbytes'] / 2**20:.1f} | {r['getbytes'] / 2**20:.1f} | {o['rss'] / 1024:.0f} | {r['rss'] / 1024:.0f} |")
    ob, rb = int(float(e.get("offsite-bytes", 0))), int(float(e.get("restic-bytes", 0)))
    L.append(f"\nStored: Offsite {ob / 2**20:,.1f} MiB in {e.get('offsite-objects')} objects, restic {rb / 2**20:,.1f} MiB in {e.get('restic-objects')} objects (ratio {ratio(ob, rb)}). "
             f"Restores: Offsite {e.get('offsite-restore')}, restic {e.get('restic-restore')} (`diff -r`); "
             f"one file: Offsite {e.get('offsite-restore-one')}, restic {e.get('restic-restore-one')} (`cmp`).\n")
L.append("\n## Reading the numbers\n")
L.append("- PUT includes multipart parts; \"other\" is POST (multipart initiate/complete) and DELETE (restic removes its lock objects).")
L.append("- Requests are what a cloud bill counts: on AWS a PUT or LIST costs about 12× a GET.")
L.append("- Times on a shared 2-CPU machine with RGW on the same CPUs vary by ±20% between runs; the request counts are exact.")
open(out, "w").write("\n".join(L) + "\n")
print(open(out).read())
PY
