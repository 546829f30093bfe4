#!/usr/bin/env bash
# Builds the runtime image against the local dockerd (no registry: BASE is the locally imported busybox that
# scripts/peers.sh provides) and proves it works: `offsite --version`, pg_dump's version, and an init/backup/check
# of /etc inside the container. Slow (a self-contained publish): not part of scripts/test.sh.
#   eval "$(bash scripts/peers.sh env)"; bash deploy/docker/test-image.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tag=offsite:test-$$
bash "$here/stage-rootfs.sh" "$here/rootfs"
trap 'docker rmi -f "$tag" >/dev/null 2>&1 || true; rm -rf "$here/rootfs"' EXIT
docker build --network none --build-arg BASE="${BASE:-local/busybox:1}" -t "$tag" "$here"
docker run --rm --network none "$tag" --version
docker run --rm --network none --entrypoint pg_dump "$tag" --version
docker run --rm --network none --entrypoint sh -e OFFSITE_PASSWORD=test-only "$tag" -c \
  'offsite -r /tmp/r init >/dev/null && offsite -r /tmp/r backup /etc >/dev/null && offsite -r /tmp/r check'
docker image ls "$tag"
