#!/usr/bin/env bash
# Installs the offsite command: a ReadyToRun (precompiled) build in $PREFIX/lib/offsite and a
# launcher in $PREFIX/bin. Needs the .NET 10 SDK to build and the .NET 10 runtime to run.
#
#   bash scripts/install.sh                 # PREFIX=/usr/local
#   PREFIX=$HOME/.local bash scripts/install.sh
#   OFFSITE_PUBLISH_DIR=/tmp/o bash scripts/install.sh --publish-only   # build only (used by bench/)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
case "$(uname -m)" in
  x86_64) RID=linux-x64 ;;
  aarch64 | arm64) RID=linux-arm64 ;;
  *) echo "install: unsupported machine $(uname -m)" >&2; exit 2 ;;
esac
OUT=${OFFSITE_PUBLISH_DIR:-$PREFIX/lib/offsite}
command -v dotnet >/dev/null || { echo "install: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
dotnet publish "$ROOT/src/Offsite.Cli" -c Release -r "$RID" --self-contained false -o "$OUT" -v quiet -nologo >&2
if [ "${1:-}" = "--publish-only" ]; then
  echo "$OUT/offsite"
  exit 0
fi
mkdir -p "$PREFIX/bin"
ln -sf "$OUT/offsite" "$PREFIX/bin/offsite"
echo "installed: $PREFIX/bin/offsite -> $OUT/offsite" >&2
"$PREFIX/bin/offsite" --version
