#!/usr/bin/env bash
# PostgreSQL benchmark: `offsite backup postgres://…` on a pgbench database.
#
#   bash bench/postgres.sh                          (scale 50: ~750 MB database, ~490 MB dump; 5 rounds)
#   BENCH_PG_SCALE=10 BENCH_PG_ROUNDS=3 bash bench/postgres.sh   (a quick run)
#
# Measures, on the same database, with offsite published as scripts/install.sh installs it:
#   - backup wall time, rounds alternating so that load changes hit every contender alike; medians:
#     bare `pg_dump -Fc -Z0 > /dev/null` (the same bytes offsite stores; target <= 1.1x) vs offsite's
#     first backup into an empty repository, opened with a passphrase (scrypt, ~0.4 s of CPU per run)
#     and with a key file (`key export --identity`, what unattended hosts use), and repeat backups
#   - the seed pipeline `pg_dump | gzip | openssl enc -aes-256-cbc -pbkdf2 > file`
#   - bytes added by a repeat backup of the unchanged database and after updating 1% of rows
#   - restore wall time: offsite restore --to (streamed into pg_restore) vs `pg_restore -j2` from a local file
# Needs the PostgreSQL test peer (bash scripts/peers.sh start pg) or PGHOST/PGPORT/PGUSER for another server,
# pgbench, gzip, openssl, jq, and the .NET SDK. Uses databases offsite_bench*, dropped at the end.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCALE=${BENCH_PG_SCALE:-50}
ROUNDS=${BENCH_PG_ROUNDS:-5}
WORK=${BENCH_PG_WORK:-$(mktemp -d /tmp/offsite-pgbench.XXXXXX)}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-postgres}
DB=offsite_bench
URL="postgres://$PGUSER@$PGHOST:$PGPORT"
export OFFSITE_REPOSITORY=$WORK/repo OFFSITE_CACHE_DIR=$WORK/cache
PASS=bench

say() { echo "postgres.sh: $*" >&2; }
now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mib() { awk -v n="$1" 'BEGIN { printf "%.1f MiB", n / 1048576 }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { tr ' ' '\n' | grep . | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }
cleanup() {
  dropdb --if-exists "$DB" 2>/dev/null || true
  dropdb --if-exists "${DB}_r" 2>/dev/null || true
  dropdb --if-exists "${DB}_f" 2>/dev/null || true
  [ -n "${BENCH_PG_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

pg_isready -q || { say "no PostgreSQL at $PGHOST:$PGPORT (start one: bash scripts/peers.sh start pg)"; exit 1; }
say "publishing offsite (ReadyToRun, as scripts/install.sh does)"
OFFSITE=$(OFFSITE_PUBLISH_DIR="$WORK/offsite-bin" bash "$ROOT/scripts/install.sh" --publish-only 2>"$WORK/build.log") || { cat "$WORK/build.log"; exit 1; }
with_pass() { OFFSITE_PASSWORD=$PASS "$OFFSITE" "$@"; }
with_key() { "$OFFSITE" --key-file "$WORK/identity.key" "$@"; }
empty_repository() { rm -rf "$WORK/repo/packs" "$WORK/repo/index" "$WORK/repo/snapshots" "$WORK/cache"; }

say "pgbench -i -s $SCALE"
dropdb --if-exists "$DB"; createdb "$DB"
pgbench -i -s "$SCALE" -q "$DB" 2>&1 | tail -n 1 >&2
psql -X -q -d "$DB" -c "VACUUM ANALYZE" >/dev/null
DB_SIZE=$(psql -X -A -t -d "$DB" -c "SELECT pg_database_size('$DB')")
with_pass init -q
with_pass key export --identity -o "$WORK/identity.key" -q
pg_dump -Fc -Z0 "$DB" > /dev/null   # warm the page cache for every contender

T_BARE="" T_PASS="" T_KEY="" T_PASS2="" T_KEY2="" T_BARE3="" T_KEY3=""
for round in $(seq "$ROUNDS"); do
  say "round $round of $ROUNDS"
  t=$(now); pg_dump -Fc -Z0 "$DB" > /dev/null; T_BARE+=" $(secs "$t")"
  empty_repository
  t=$(now); with_pass backup "$URL/$DB" --json > "$WORK/b1.json"; T_PASS+=" $(secs "$t")"
  t=$(now); with_pass backup "$URL/$DB" --json > "$WORK/b2.json"; T_PASS2+=" $(secs "$t")"
  empty_repository
  t=$(now); with_key backup "$URL/$DB" --json > /dev/null; T_KEY+=" $(secs "$t")"
  t=$(now); with_key backup "$URL/$DB" --json > /dev/null; T_KEY2+=" $(secs "$t")"
  # An hour of traffic: 1% of the rows, scattered; vacuumed as autovacuum would.
  psql -X -q -d "$DB" -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 100 = $round" -c "VACUUM pgbench_accounts" >/dev/null
  t=$(now); pg_dump -Fc -Z0 "$DB" > /dev/null; T_BARE3+=" $(secs "$t")"
  t=$(now); with_key backup "$URL/$DB" --json > "$WORK/b3.json"; T_KEY3+=" $(secs "$t")"
done
T_SEED=""
for round in 1 2; do
  t=$(now); pg_dump "$DB" | gzip | openssl enc -aes-256-cbc -pbkdf2 -pass pass:x > "$WORK/seed.sql.gz.enc"; T_SEED+=" $(secs "$t")"
done
SEED_BYTES=$(stat -c %s "$WORK/seed.sql.gz.enc")

DUMP=$(jq .bytes "$WORK/b1.json")
field() { jq ".$2" "$WORK/$1.json"; }

pg_dump -Fc -Z0 "$DB" > "$WORK/local.dump"
dropdb --if-exists "${DB}_f"; createdb "${DB}_f"
t=$(now); pg_restore -j2 -d "${DB}_f" "$WORK/local.dump"; T_PGR=$(secs "$t")
dropdb --if-exists "${DB}_r"
t=$(now); with_key restore latest --source "pg:$PGHOST:$PGPORT/$DB" --to "$URL/${DB}_r" --json > "$WORK/r.json"; T_R=$(secs "$t")
T_R_PG=$(jq .seconds "$WORK/r.json")

BARE=$(echo "$T_BARE" | median)
row() { # label, times
  local m; m=$(echo "$2" | median)
  echo "| $1 | $m s ($(echo "$2" | range)) | $(ratio "$m" "$BARE")x |"
}
cat <<REPORT
## pgbench -s $SCALE ($(mib "$DB_SIZE") database, $(mib "$DUMP") custom -Z0 dump), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)

Offsite $(git -C "$ROOT" rev-parse --short HEAD), published with ReadyToRun; medians of $ROUNDS alternating rounds (range in brackets).

| backup | wall time | vs bare pg_dump |
|---|---|---|
| bare \`pg_dump -Fc -Z0 > /dev/null\` | $BARE s ($(echo "$T_BARE" | range)) | 1.00x |
$(row "offsite backup, first, key file" "$T_KEY")
$(row "offsite backup, first, passphrase" "$T_PASS")
$(row "offsite backup, unchanged database, key file" "$T_KEY2")
$(row "offsite backup, unchanged database, passphrase" "$T_PASS2")
$(row "seed pipeline \`pg_dump \| gzip \| openssl enc\` to a file ($(mib "$SEED_BYTES"))" "$T_SEED")
| bare \`pg_dump -Fc -Z0\` after updating 1% of rows | $(echo "$T_BARE3" | median) s ($(echo "$T_BARE3" | range)) | $(ratio "$(echo "$T_BARE3" | median)" "$BARE")x |
| offsite backup after updating 1% of rows, key file | $(echo "$T_KEY3" | median) s ($(echo "$T_KEY3" | range)) | $(ratio "$(echo "$T_KEY3" | median)" "$(echo "$T_BARE3" | median)")x of the bare dump after the update |

| offsite backup | added (raw) | added (stored) | raw added / dump size |
|---|---|---|---|
| first | $(mib "$(field b1 addedBytes)") | $(mib "$(field b1 addedStoredBytes)") | $(ratio "$(field b1 addedBytes)" "$DUMP") |
| unchanged | $(mib "$(field b2 addedBytes)") | $(mib "$(field b2 addedStoredBytes)") | $(ratio "$(field b2 addedBytes)" "$DUMP") |
| 1% of rows updated | $(mib "$(field b3 addedBytes)") | $(mib "$(field b3 addedStoredBytes)") | $(ratio "$(field b3 addedBytes)" "$DUMP") |

| restore | wall time |
|---|---|
| \`pg_restore -j2\` from a local file | ${T_PGR} s |
| offsite restore --to (whole command, key file) | ${T_R} s ($(ratio "$T_R" "$T_PGR")x) |
| of which pg_restore streaming | ${T_R_PG} s |
REPORT
