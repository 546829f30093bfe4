#!/usr/bin/env bash
# Builds offsite and runs the main job on an embedded default: a local repository directory,
# no cloud account. Backs up a directory (default: /usr/share/doc), backs it up again (dedup),
# restores it, compares, and checks the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-/usr/share/doc}
DEMO=${OFFSITE_DEMO_DIR:-$PWD/.offsite-demo}
command -v dotnet >/dev/null || { echo "demo: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
dotnet build src/Offsite.Cli -c Release -v quiet -nologo >/dev/null
OFFSITE="dotnet src/Offsite.Cli/bin/Release/net10.0/offsite.dll"

rm -rf "$DEMO"; mkdir -p "$DEMO"
export OFFSITE_REPOSITORY=$DEMO/repo OFFSITE_CACHE_DIR=$DEMO/cache
export OFFSITE_PASSWORD=${OFFSITE_PASSWORD:-demo-passphrase-change-me}
set -x
$OFFSITE init
$OFFSITE backup "$SRC" --tag demo
$OFFSITE backup "$SRC" --tag demo
$OFFSITE snapshots
$OFFSITE restore latest --target "$DEMO/restore"
$OFFSITE check --read-data
$OFFSITE stats
set +x
diff -r --no-dereference "$SRC" "$DEMO/restore$SRC" && echo "demo: restored tree is identical to $SRC"
