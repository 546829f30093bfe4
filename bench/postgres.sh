#!/usr/bin/env bash
# PostgreSQL benchmark: `offsite backup postgres://…` on a pgbench database.
#
#   bash bench/postgres.sh            (scale 50, ~750 MB database, ~480 MB dump)
#   BENCH_PG_SCALE=10 bash bench/postgres.sh   (a quick run)
#
# Measures, on the same database:
#   - backup wall time: offsite (first backup into an empty repository) vs bare `pg_dump -Fc -Z0 > /dev/null`
#     (same bytes, target <= 1.1x) vs the seed pipeline `pg_dump | gzip | openssl enc -aes-256-cbc -pbkdf2 > file`
#   - second backup, unchanged database: bytes added
#   - backup after updating 1% of rows (every 100th account): bytes added vs the dump size
#   - restore wall time: offsite restore --to (streamed into pg_restore) vs `pg_restore -j2` from a local file
# Needs the PostgreSQL test peer (bash scripts/peers.sh start pg) or PGHOST/PGPORT/PGUSER for another server,
# pgbench, gzip, openssl, jq, and the .NET SDK. Uses databases offsite_bench*, dropped at the end.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCALE=${BENCH_PG_SCALE:-50}
WORK=${BENCH_PG_WORK:-$(mktemp -d /tmp/offsite-pgbench.XXXXXX)}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-postgres}
DB=offsite_bench
URL="postgres://$PGUSER@$PGHOST:$PGPORT"
export OFFSITE_REPOSITORY=$WORK/repo OFFSITE_CACHE_DIR=$WORK/cache OFFSITE_PASSWORD=bench

say() { echo "postgres.sh: $*" >&2; }
now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mib() { awk -v n="$1" 'BEGIN { printf "%.1f MiB", n / 1048576 }'; }
cleanup() {
  dropdb --if-exists "$DB" 2>/dev/null || true
  dropdb --if-exists "${DB}_r" 2>/dev/null || true
  dropdb --if-exists "${DB}_f" 2>/dev/null || true
  [ -n "${BENCH_PG_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

pg_isready -q || { say "no PostgreSQL at $PGHOST:$PGPORT (start one: bash scripts/peers.sh start pg)"; exit 1; }
say "building offsite (Release)"
dotnet build "$ROOT/src/Offsite.Cli" -c Release -v q -nologo > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
OFFSITE=(dotnet "$ROOT/src/Offsite.Cli/bin/Release/net10.0/offsite.dll")

say "pgbench -i -s $SCALE"
dropdb --if-exists "$DB"; createdb "$DB"
pgbench -i -s "$SCALE" -q "$DB" 2>&1 | tail -n 1 >&2
psql -X -q -d "$DB" -c "VACUUM ANALYZE" >/dev/null
DB_SIZE=$(psql -X -A -t -d "$DB" -c "SELECT pg_database_size('$DB')")
"${OFFSITE[@]}" init -q
pg_dump -Fc -Z0 "$DB" > /dev/null   # warm the page cache for every contender

t=$(now); pg_dump -Fc -Z0 "$DB" > /dev/null; T_BARE=$(secs "$t")
t=$(now); pg_dump "$DB" | gzip | openssl enc -aes-256-cbc -pbkdf2 -pass pass:x > "$WORK/seed.sql.gz.enc"; T_SEED=$(secs "$t")
SEED_BYTES=$(stat -c %s "$WORK/seed.sql.gz.enc")
t=$(now); "${OFFSITE[@]}" backup "$URL/$DB" --json > "$WORK/b1.json"; T_B1=$(secs "$t")
t=$(now); pg_dump -Fc -Z0 "$DB" > /dev/null; T_BARE2=$(secs "$t")
t=$(now); "${OFFSITE[@]}" backup "$URL/$DB" --json > "$WORK/b2.json"; T_B2=$(secs "$t")
psql -X -q -d "$DB" -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 100 = 0" >/dev/null
t=$(now); "${OFFSITE[@]}" backup "$URL/$DB" --json > "$WORK/b3.json"; T_B3=$(secs "$t")
DUMP=$(jq .bytes "$WORK/b1.json")
field() { jq ".$2" "$WORK/$1.json"; }

pg_dump -Fc -Z0 "$DB" > "$WORK/local.dump"
dropdb --if-exists "${DB}_f"; createdb "${DB}_f"
t=$(now); pg_restore -j2 -d "${DB}_f" "$WORK/local.dump"; T_PGR=$(secs "$t")
dropdb --if-exists "${DB}_r"
t=$(now); "${OFFSITE[@]}" restore latest --source "pg:$PGHOST:$PGPORT/$DB" --to "$URL/${DB}_r" --json > "$WORK/r.json"; T_R=$(secs "$t")
T_R_PG=$(jq .seconds "$WORK/r.json")

BARE=$(awk -v a="$T_BARE" -v b="$T_BARE2" 'BEGIN { printf "%.2f", (a + b) / 2 }')
cat <<REPORT
## pgbench -s $SCALE ($(mib "$DB_SIZE") database, $(mib "$DUMP") custom -Z0 dump), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)

| backup | wall time | vs bare pg_dump |
|---|---|---|
| bare \`pg_dump -Fc -Z0 > /dev/null\` (mean of 2) | ${BARE} s | 1.00x |
| seed pipeline \`pg_dump \| gzip \| openssl enc\` to a file ($(mib "$SEED_BYTES")) | ${T_SEED} s | $(ratio "$T_SEED" "$BARE")x |
| offsite backup, first (empty repository) | ${T_B1} s | $(ratio "$T_B1" "$BARE")x |
| offsite backup, unchanged database | ${T_B2} s | $(ratio "$T_B2" "$BARE")x |
| offsite backup, after updating 1% of rows | ${T_B3} s | $(ratio "$T_B3" "$BARE")x |

| offsite backup | added (raw) | added (stored) | raw added / dump size |
|---|---|---|---|
| first | $(mib "$(field b1 addedBytes)") | $(mib "$(field b1 addedStoredBytes)") | $(ratio "$(field b1 addedBytes)" "$DUMP") |
| unchanged | $(mib "$(field b2 addedBytes)") | $(mib "$(field b2 addedStoredBytes)") | $(ratio "$(field b2 addedBytes)" "$DUMP") |
| 1% of rows updated | $(mib "$(field b3 addedBytes)") | $(mib "$(field b3 addedStoredBytes)") | $(ratio "$(field b3 addedBytes)" "$DUMP") |

| restore | wall time |
|---|---|
| \`pg_restore -j2\` from a local file | ${T_PGR} s |
| offsite restore --to (whole command) | ${T_R} s ($(ratio "$T_R" "$T_PGR")x) |
| of which pg_restore streaming | ${T_R_PG} s |
REPORT
