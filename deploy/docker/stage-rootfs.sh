#!/usr/bin/env bash
# Gathers the files of the Offsite runtime image into a root file system tree, on a Debian 12 machine with the
# .NET SDK and postgresql-client-15: the self-contained `offsite`, pg_dump/pg_restore/pg_dumpall/psql, every shared
# library they load (ldd decides, plus the ones .NET and Offsite open at run time), the dynamic loader, CA
# certificates and time zones. The Dockerfile copies the tree onto a busybox base: no registry or network needed.
#   bash deploy/docker/stage-rootfs.sh deploy/docker/rootfs
set -euo pipefail
out=${1:?usage: stage-rootfs.sh OUT_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pgbin=/usr/lib/postgresql/15/bin
[ -x "$pgbin/pg_dump" ] || { echo "stage-rootfs: $pgbin/pg_dump missing (apt-get install postgresql-client-15)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/usr/local/lib/offsite" "$out/usr/local/bin" "$out$pgbin" "$out/etc/ssl/certs" "$out/usr/share"
dotnet publish "$root/src/Offsite.Cli" -c Release -r linux-x64 --self-contained true -o "$out/usr/local/lib/offsite" -v quiet -nologo
ln -s /usr/local/lib/offsite/offsite "$out/usr/local/bin/offsite"
for p in pg_dump pg_restore pg_dumpall psql; do
  cp -L "$pgbin/$p" "$out$pgbin/$p"
  ln -s "$pgbin/$p" "$out/usr/local/bin/$p"
done

# Libraries opened with dlopen (not visible to ldd): OpenSSL 3 (.NET crypto, Offsite.Crypto), zstd (Offsite.Codecs).
dlopened=(/usr/lib/x86_64-linux-gnu/libcrypto.so.3 /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libzstd.so.1)
mapfile -t elves < <(find "$out/usr/local/lib/offsite" "$out$pgbin" -type f \( -name '*.so' -o -perm -u+x \) -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
{
  printf '%s\n' "${dlopened[@]}"
  for f in "${elves[@]}" "${dlopened[@]}"; do
    ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'
  done
} | sort -u | while read -r lib; do
  [ -e "$lib" ] || continue
  cp --parents -L "$lib" "$out/"            # same path inside the image, the symlink resolved
  real=$(readlink -f "$lib")
  [ "$real" = "$lib" ] || cp --parents -L "$real" "$out/" 2>/dev/null || true
done
# The loader is asked for by its /lib64 path; Debian keeps it in /lib/x86_64-linux-gnu (usrmerge).
mkdir -p "$out/lib64"
cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/"

cp -L /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$out/usr/share/"
echo "stage-rootfs: $(du -sh "$out" | cut -f1) in $out"
