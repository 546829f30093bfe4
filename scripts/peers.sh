#!/usr/bin/env bash
# scripts/peers.sh: real servers for Offsite's integration tests, on loopback only.
#
#   bash scripts/peers.sh install                 apt packages (quick no-op when all are installed)
#   bash scripts/peers.sh start [pg|rgw|etcd|docker|all]   (default all; a healthy running peer is left alone)
#   bash scripts/peers.sh stop  [pg|rgw|etcd|docker|all]   (default all)
#   bash scripts/peers.sh status
#   eval "$(bash scripts/peers.sh env)"           variables the tests read
#
# Peers (all bind 127.0.0.1 only; state under ${OFFSITE_PEERS_ROOT:-/tmp/offsite-peers}):
#   pg      PostgreSQL 15, port 55432, user postgres, trust auth, fsync off
#   rgw     Ceph 16 radosgw (S3) on a throwaway cluster: 1 mon + 1 memstore OSD, auth none,
#           http://127.0.0.1:7480, keys TESTKEY/TESTSECRET, lifecycle "day" = 10 s, storage classes
#           STANDARD and COLD (placement target); OFFSITE_PEERS_RGW_PORT/_MON_PORT_V1/_V2 move it
#   etcd    etcd 3.4, client http://127.0.0.1:23790
#   docker  dockerd, no bridge/iptables (use --network none|host), image local/busybox:1 imported
#           from busybox-static (there is no registry)
# A start always begins from empty state (pg/rgw/etcd/docker data are wiped), unless the peer is
# already running and healthy, in which case it is left as is.
# Needs root (apt, runuser, dockerd). Other daemons on the machine are never touched: `stop` ends only
# processes recorded in our pid files, or whose command line names our state directory.
set -euo pipefail
export LC_ALL=C   # EPOCHREALTIME and awk must agree on the decimal point

ROOT=${OFFSITE_PEERS_ROOT:-/tmp/offsite-peers}
PG_PORT=55432
RGW_PORT=${OFFSITE_PEERS_RGW_PORT:-7480}          # overridable to run a second, private cluster beside the shared one
MON_PORT_V2=${OFFSITE_PEERS_MON_PORT_V2:-13300}
MON_PORT_V1=${OFFSITE_PEERS_MON_PORT_V1:-16789}
ETCD_PORT=23790
ETCD_PEER_PORT=23800
ETCD_METRICS_PORT=23810
PG_BIN=/usr/lib/postgresql/15/bin
CEPH_DIR=$ROOT/ceph
DOCKER_DIR=$ROOT/docker
DOCKER_SOCK=$DOCKER_DIR/docker.sock
DOCKER_CGROUP=offsite-peers-docker   # cgroup parent of our containers (stop finds strays there)
ETCD_DIR=$ROOT/etcd
PG_DIR=$ROOT/pg
export ETCDCTL_API=3

PACKAGES=(age zstd restic borgbackup postgresql-15 etcd-server etcd-client awscli
  radosgw ceph-mon ceph-osd ceph-common docker.io containerd runc busybox-static iptables iproute2 curl)
PACKAGES+=(chromium chromium-driver)   # headless browser for the status page test (tests/Offsite.Server.Tests)

log() { echo "peers: $*"; }
fail() { echo "peers: $*" >&2; return 1; }
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ---- failure reporting: any failing command while starting a peer prints that peer's logs and exits 1
CUR_PEER=""; CUR_T0=""; CUR_LOGS=(); ALREADY=""
MAIN_PID=$BASHPID
on_err() {
  local rc=$?
  [ "$BASHPID" = "$MAIN_PID" ] || exit "$rc"   # in a subshell: let the parent report once
  trap - ERR
  if [ -n "$CUR_PEER" ]; then
    echo "peers: $CUR_PEER FAILED to start after $(since "$CUR_T0") s (exit $rc)" >&2
    local f
    for f in "${CUR_LOGS[@]}"; do
      [ -s "$f" ] || continue
      echo "----- last 30 lines of $f" >&2
      tail -n 30 "$f" >&2
    done
    echo "-----" >&2
  fi
  exit 1
}
set -E
trap on_err ERR

need_root() { [ "$(id -u)" = 0 ] || fail "$1 needs root (run as root or with sudo)"; }

# wait_for SECONDS CMD...: poll until CMD succeeds
wait_for() {
  local t=$1; shift
  local end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || { echo "peers: timed out after ${t}s waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}

# pid_alive PIDFILE COMM: print the pid if the file names a live process whose comm is COMM
pid_alive() {
  local f=$1 comm=$2 p
  [ -f "$f" ] || return 1
  p=$(head -n1 "$f" 2>/dev/null | tr -dc 0-9)
  [ -n "$p" ] && [ -r "/proc/$p/comm" ] || return 1
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$comm" ] || return 1
  echo "$p"
}

# pids_with PATTERN COMM...: live processes named COMM whose command line contains PATTERN (a path under $ROOT)
pids_with() {
  local pat=$1 d p cl c; shift
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    { read -r c < "$d/comm"; } 2>/dev/null || continue
    case " $* " in *" $c "*) ;; *) continue ;; esac
    cl=$(tr '\0' ' ' < "$d/cmdline" 2>/dev/null) || continue
    case "$cl" in *"$pat"*) echo "$p" ;; esac
  done
}

# end_pid PID SECONDS: TERM, wait, then KILL
end_pid() {
  local p=$1 t=$2 i
  kill "$p" 2>/dev/null || return 0
  for ((i = 0; i < t * 5; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.2; done
  echo "peers: pid $p ($(cat "/proc/$p/comm" 2>/dev/null)) ignored TERM for ${t}s; killing" >&2
  kill -9 "$p" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.2; done
}

# stop_daemon PIDFILE COMM SECONDS
stop_daemon() {
  local p
  if p=$(pid_alive "$1" "$2"); then end_pid "$p" "$3"; fi
  rm -f "$1"
}

# ports_free PORT...: fail if something (not ours, since ours was stopped) listens there
ports_free() {
  local port busy
  for port in "$@"; do
    busy=$(ss -Hltnp "sport = :$port" 2>/dev/null || true)
    [ -z "$busy" ] || fail "port $port is already in use: $busy"
  done
}

# unmount everything below DIR (deepest first): dockerd leaves its netns and overlay mounts behind
umount_below() {
  local dir=$1 m
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}

# ======================================================================== install
install_pkgs() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "install: all ${#PACKAGES[@]} packages already installed"
    return 0
  fi
  need_root install
  local t0; t0=$(now)
  log "install: missing ${missing[*]}"
  # Keep the packages' own services (system dockerd with its 172.17/16 docker0 bridge, etcd on 2379,
  # ceph, the main postgres cluster) from starting: the tests use only the peers started here.
  local policy_created=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy_created=1
  fi
  local rc=0
  {
    apt-get -o DPkg::Lock::Timeout=600 update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  } || rc=$?
  [ -z "$policy_created" ] || rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || fail "install: apt-get failed (exit $rc)"
  log "install: done in $(since "$t0") s"
}

# ======================================================================== PostgreSQL 15
pg_ctl_() { runuser -u postgres -- "$PG_BIN/pg_ctl" "$@"; }
pg_healthy() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtqc 'select 1' 2>/dev/null | grep -qx 1; }
pg_running() { [ -f "$PG_DIR/data/postmaster.pid" ] && pg_ctl_ -D "$PG_DIR/data" status >/dev/null 2>&1; }

stop_pg() {
  if pg_running; then
    pg_ctl_ -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      pg_ctl_ -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  local p; for p in $(pids_with "$PG_DIR/data" postgres); do end_pid "$p" 10; done
}

start_pg() {
  if pg_running && pg_healthy; then log "pg: already running (port $PG_PORT)"; ALREADY=1; return 0; fi
  stop_pg
  rm -rf "$PG_DIR"
  ports_free "$PG_PORT"
  id postgres >/dev/null 2>&1 || fail "user postgres missing (is postgresql-15 installed? run: bash scripts/peers.sh install)"
  mkdir -p "$PG_DIR"; chown postgres:postgres "$PG_DIR"
  runuser -u postgres -- test -w "$PG_DIR" || fail "user postgres cannot write $PG_DIR (choose an OFFSITE_PEERS_ROOT it can reach)"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync \
    > "$PG_DIR/initdb.log" 2>&1
  # setsid: a Ctrl-C aimed at the caller must not reach the server (stop ends it in order)
  setsid -w runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -o \
    "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start > "$PG_DIR/pg_ctl.log" 2>&1
  wait_for 30 pg_healthy
}

# ======================================================================== etcd 3.4
# endpoints via the environment: etcdctl 3.4 refuses a flag that an ETCDCTL_* variable (e.g. from `env`) also sets
etcd_healthy() { ETCDCTL_ENDPOINTS="http://127.0.0.1:$ETCD_PORT" ETCDCTL_COMMAND_TIMEOUT=3s etcdctl endpoint health; }

stop_etcd() {
  stop_daemon "$ROOT/etcd.pid" etcd 15
  local p; for p in $(pids_with "$ETCD_DIR/data" etcd); do end_pid "$p" 10; done
}

start_etcd() {
  if pid_alive "$ROOT/etcd.pid" etcd >/dev/null && etcd_healthy >/dev/null 2>&1; then
    log "etcd: already running (http://127.0.0.1:$ETCD_PORT)"; ALREADY=1; return 0
  fi
  stop_etcd
  rm -rf "$ETCD_DIR"
  ports_free "$ETCD_PORT" "$ETCD_PEER_PORT" "$ETCD_METRICS_PORT"
  mkdir -p "$ETCD_DIR"
  setsid nohup etcd --name n1 --data-dir "$ETCD_DIR/data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "n1=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "http://127.0.0.1:$ETCD_METRICS_PORT" \
    > "$ETCD_DIR/etcd.log" 2>&1 < /dev/null &
  echo $! > "$ROOT/etcd.pid"
  wait_for 30 etcd_healthy
  pid_alive "$ROOT/etcd.pid" etcd >/dev/null || fail "etcd answers but pid $(cat "$ROOT/etcd.pid") is not etcd"
}

# ======================================================================== dockerd
docker_() { docker -H "unix://$DOCKER_SOCK" "$@"; }
docker_healthy() { docker_ info --format '{{.ServerVersion}}'; }

stop_docker() {
  local p
  if p=$(pid_alive "$ROOT/dockerd.pid" dockerd); then
    # containers are throwaway: kill them now rather than wait out each one's stop timeout (10 s for
    # e.g. an httpd that ignores TERM as pid 1); then dockerd ends its own containerd on TERM
    local ids; ids=$(timeout 20 docker -H "unix://$DOCKER_SOCK" ps -q 2>/dev/null || true)
    [ -z "$ids" ] || timeout 30 docker -H "unix://$DOCKER_SOCK" kill $ids >/dev/null 2>&1 || true
    end_pid "$p" 30
  fi
  rm -f "$ROOT/dockerd.pid"
  # leftovers of an unclean end: containerd, shims (their command lines name our exec root)
  for p in $(pids_with "$DOCKER_DIR/" dockerd containerd containerd-shim containerd-shim-runc-v2 runc); do end_pid "$p" 10; done
  # container processes outlive a killed shim; they sit in cgroups under our --cgroup-parent
  local procs i left
  for ((i = 0; i < 25; i++)); do
    left=""
    for procs in $(find /sys/fs/cgroup -path "*/$DOCKER_CGROUP/*" -name cgroup.procs 2>/dev/null); do
      for p in $(cat "$procs" 2>/dev/null); do left=1; kill -9 "$p" 2>/dev/null || true; done
    done
    [ -n "$left" ] || break
    sleep 0.2
  done
  find /sys/fs/cgroup -depth -type d -path "*/$DOCKER_CGROUP*" -exec rmdir {} \; 2>/dev/null || true
  umount_below "$DOCKER_DIR"
}

import_busybox() {
  docker_ image inspect local/busybox:1 >/dev/null 2>&1 && return 0
  [ -x /bin/busybox ] || fail "docker: /bin/busybox missing (package busybox-static)"
  local r=$DOCKER_DIR/rootfs a
  rm -rf "$r"; mkdir -p "$r/bin" "$r/tmp" "$r/data" "$r/etc"
  cp /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
  chmod 1777 "$r/tmp"
  tar -C "$r" -c . | docker_ import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - local/busybox:1 >/dev/null
  rm -rf "$r"
}

start_docker() {
  if pid_alive "$ROOT/dockerd.pid" dockerd >/dev/null && docker_healthy >/dev/null 2>&1; then
    import_busybox
    log "docker: already running (unix://$DOCKER_SOCK)"; ALREADY=1; return 0
  fi
  stop_docker
  rm -rf --one-file-system "$DOCKER_DIR"
  [ ! -e "$DOCKER_DIR" ] || fail "docker: could not remove $DOCKER_DIR (still mounted?): $(grep " $DOCKER_DIR/" /proc/self/mountinfo | head -3)"
  mkdir -p "$DOCKER_DIR"
  setsid nohup dockerd --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" \
    -H "unix://$DOCKER_SOCK" --pidfile "$ROOT/dockerd.pid" \
    --iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2 --shutdown-timeout 5 \
    --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$DOCKER_CGROUP" \
    > "$DOCKER_DIR/dockerd.log" 2>&1 < /dev/null &
  wait_for 60 docker_healthy
  import_busybox
  # prove that containers really run (runc, cgroups, overlay2)
  [ "$(docker_ run --rm --network none local/busybox:1 echo ok 2>>"$DOCKER_DIR/dockerd.log")" = ok ] ||
    fail "docker: test container did not run"
}

# ======================================================================== Ceph radosgw
ceph_() { timeout 60 ceph -c "$CEPH_DIR/ceph.conf" --connect-timeout 30 "$@"; }
rgw_healthy() {
  # a signed request as the test user: the gateway is up and the user exists
  curl -sf -o /dev/null --max-time 5 --aws-sigv4 aws:amz:us-east-1:s3 --user TESTKEY:TESTSECRET \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "http://127.0.0.1:$RGW_PORT/"
}

stop_rgw() {
  # radosgw first, and wait for it: ended after the OSD/mon are gone, it hangs. Then the OSD, then the mon.
  stop_daemon "$ROOT/radosgw.pid" radosgw 30
  stop_daemon "$ROOT/ceph-osd.pid" ceph-osd 30
  stop_daemon "$ROOT/ceph-mon.pid" ceph-mon 30
  # pid files lost or stale: anything still running with our ceph.conf, in the same order
  local n p
  for n in radosgw ceph-osd ceph-mon; do
    for p in $(pids_with "$CEPH_DIR/ceph.conf" "$n"); do end_pid "$p" 20; done
  done
  return 0
}

start_rgw() {
  if pid_alive "$ROOT/radosgw.pid" radosgw >/dev/null && pid_alive "$ROOT/ceph-osd.pid" ceph-osd >/dev/null &&
    pid_alive "$ROOT/ceph-mon.pid" ceph-mon >/dev/null && rgw_healthy; then
    log "rgw: already running (http://127.0.0.1:$RGW_PORT)"; ALREADY=1; return 0
  fi
  stop_rgw
  local d=$CEPH_DIR
  rm -rf "$d"
  ports_free "$RGW_PORT" "$MON_PORT_V2" "$MON_PORT_V1"
  mkdir -p "$d/run" "$d/log" "$d/osd.0" "$d/rgw"
  CUR_LOGS=("$d/log/mon.a.log" "$d/log/osd.stderr" "$d/log/osd.0.log" "$d/log/client.rgw.log" "$d/log/rgw.stderr" "$d/log/setup.log")
  local fsid; fsid=$(cat /proc/sys/kernel/random/uuid)
  cat > "$d/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_PORT_V2,v1:127.0.0.1:$MON_PORT_V1]
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
# radosgw defaults ms_mon_client_mode to "secure", which cannot work with auth none
ms mon client mode = crc
ms bind ipv6 = false
run dir = $d/run
admin socket = $d/run/\$name.asok
log file = $d/log/\$name.log
keyring = $d/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon max pg per osd = 1000
osd crush chooseleaf type = 0
[mon]
mon data = $d/mon.\$id
[osd]
osd data = $d/osd.\$id
osd objectstore = memstore
memstore device bytes = 4294967296
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $d/rgw
rgw lc debug interval = 10
EOF
  {
    ceph-authtool --create-keyring "$d/keyring" --gen-key -n mon. --cap mon 'allow *'
    ceph-authtool "$d/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *'
    monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT_V2,v1:127.0.0.1:$MON_PORT_V1]" --fsid "$fsid" "$d/monmap"
    ceph-mon -c "$d/ceph.conf" --mkfs -i a --monmap "$d/monmap" --keyring "$d/keyring"
  } >> "$d/log/setup.log" 2>&1
  # the daemons fork into the background themselves; setsid keeps a Ctrl-C on the caller away from them
  setsid -w ceph-mon -c "$d/ceph.conf" -i a --pid-file "$ROOT/ceph-mon.pid" >> "$d/log/setup.log" 2>&1
  local uuid id
  uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph_ osd new "$uuid" 2>> "$d/log/setup.log")
  [ "$id" = 0 ] || fail "rgw: 'ceph osd new' returned '$id', expected 0"
  ceph-osd -c "$d/ceph.conf" -i "$id" --mkfs --osd-uuid "$uuid" > "$d/log/osd.stderr" 2>&1
  setsid -w ceph-osd -c "$d/ceph.conf" -i "$id" --pid-file "$ROOT/ceph-osd.pid" >> "$d/log/osd.stderr" 2>&1
  wait_for 60 sh -c "timeout 20 ceph -c '$d/ceph.conf' --connect-timeout 15 osd stat | grep -q '1 up'"
  setsid -w radosgw -c "$d/ceph.conf" -n client.rgw --pid-file "$ROOT/radosgw.pid" > "$d/log/rgw.stderr" 2>&1
  wait_for 90 curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$RGW_PORT/"
  timeout 60 radosgw-admin -c "$d/ceph.conf" user create --uid=test --display-name=test \
    --access-key=TESTKEY --secret-key=TESTSECRET >> "$d/log/setup.log" 2>&1
  # A second storage class (S3 x-amz-storage-class COLD, its own pool) for the storage-class and lifecycle
  # transition tests. The gateway reads placement targets at startup, so it is restarted once.
  {
    timeout 60 radosgw-admin -c "$d/ceph.conf" zonegroup placement add --rgw-zonegroup default \
      --placement-id default-placement --storage-class COLD
    timeout 60 radosgw-admin -c "$d/ceph.conf" zone placement add --rgw-zone default \
      --placement-id default-placement --storage-class COLD --data-pool default.rgw.cold.data
  } >> "$d/log/setup.log" 2>&1
  stop_daemon "$ROOT/radosgw.pid" radosgw 30
  setsid -w radosgw -c "$d/ceph.conf" -n client.rgw --pid-file "$ROOT/radosgw.pid" >> "$d/log/rgw.stderr" 2>&1
  wait_for 90 curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$RGW_PORT/"
  wait_for 30 rgw_healthy
}

# ======================================================================== dispatch
PEERS=(pg etcd docker rgw)   # start order; stop runs the reverse

peer_logs() {
  case $1 in
    pg) CUR_LOGS=("$PG_DIR/server.log" "$PG_DIR/pg_ctl.log" "$PG_DIR/initdb.log") ;;
    etcd) CUR_LOGS=("$ETCD_DIR/etcd.log") ;;
    docker) CUR_LOGS=("$DOCKER_DIR/dockerd.log") ;;
    rgw) CUR_LOGS=("$CEPH_DIR/log/mon.a.log" "$CEPH_DIR/log/osd.0.log" "$CEPH_DIR/log/client.rgw.log" "$CEPH_DIR/log/setup.log") ;;
  esac
}

select_peers() { # select_peers ARG -> SELECTED array
  case "${1:-all}" in
    all) SELECTED=("${PEERS[@]}") ;;
    pg | rgw | etcd | docker) SELECTED=("$1") ;;
    *) echo "usage: $0 {start|stop} [pg|rgw|etcd|docker|all]" >&2; exit 2 ;;
  esac
}

cmd_start() {
  need_root start
  select_peers "${1:-all}"
  mkdir -p "$ROOT"
  local t_all p; t_all=$(now)
  for p in "${SELECTED[@]}"; do
    CUR_PEER=$p; CUR_T0=$(now); ALREADY=""; peer_logs "$p"
    "start_$p"
    [ -n "$ALREADY" ] || log "$p: ready in $(since "$CUR_T0") s"
    CUR_PEER=""
  done
  [ ${#SELECTED[@]} -eq 1 ] || log "all started in $(since "$t_all") s"
}

cmd_stop() {
  select_peers "${1:-all}"
  [ -d "$ROOT" ] || { log "nothing to stop ($ROOT does not exist)"; return 0; }
  local i p t0
  for ((i = ${#SELECTED[@]} - 1; i >= 0; i--)); do
    p=${SELECTED[i]}; t0=$(now)
    "stop_$p"
    log "$p: stopped in $(since "$t0") s"
  done
}

cmd_status() {
  local rc=0
  if pg_running && pg_healthy; then log "pg: up (127.0.0.1:$PG_PORT)"; else log "pg: down"; rc=1; fi
  if pid_alive "$ROOT/etcd.pid" etcd >/dev/null && etcd_healthy >/dev/null 2>&1; then log "etcd: up"; else log "etcd: down"; rc=1; fi
  if pid_alive "$ROOT/dockerd.pid" dockerd >/dev/null && docker_healthy >/dev/null 2>&1; then log "docker: up"; else log "docker: down"; rc=1; fi
  if pid_alive "$ROOT/radosgw.pid" radosgw >/dev/null && rgw_healthy; then log "rgw: up"; else log "rgw: down"; rc=1; fi
  return $rc
}

cmd_env() {
  local q="'"
  # values are single-quoted for eval; none of them contain a quote
  cat <<EOF
export OFFSITE_PEERS_ROOT=$q$ROOT$q
export OFFSITE_TEST_PG=${q}host=127.0.0.1 port=$PG_PORT user=postgres$q
export PGHOST=127.0.0.1
export PGPORT=$PG_PORT
export PGUSER=postgres
export OFFSITE_TEST_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
export OFFSITE_TEST_S3_ACCESS_KEY=TESTKEY
export OFFSITE_TEST_S3_SECRET_KEY=TESTSECRET
export OFFSITE_TEST_CEPH_CONF=$q$CEPH_DIR/ceph.conf$q
export OFFSITE_TEST_ETCD=http://127.0.0.1:$ETCD_PORT
export ETCDCTL_API=3
export ETCDCTL_ENDPOINTS=http://127.0.0.1:$ETCD_PORT
export DOCKER_HOST=${q}unix://$DOCKER_SOCK$q
EOF
}

case "${1:-}" in
  install) install_pkgs ;;
  start) cmd_start "${2:-all}" ;;
  stop) cmd_stop "${2:-all}" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 {install|start [pg|rgw|etcd|docker|all]|stop [...]|status|env}" >&2; exit 2 ;;
esac
