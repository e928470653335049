#!/usr/bin/env bash
# A throw-away AIStore cluster (1 proxy + 1 target on 127.0.0.1, or more targets with AIS_TARGETS) for
# development and CI.
#
#   scripts/ais-dev-cluster.sh install          build aisnode from its Go module (cached per version)
#   scripts/ais-dev-cluster.sh start            install if needed, write configs, start, wait until ready
#   scripts/ais-dev-cluster.sh stop [NODE]      stop every node and delete the cluster dir;
#                                               with NODE (proxy|target|target2|...): stop only that node,
#                                               keep its state, and a later `start` brings it back
#   scripts/ais-dev-cluster.sh pid NODE         print the PID of NODE (for a test that kills it)
#   scripts/ais-dev-cluster.sh status           print whether each node runs and answers; exit 0 iff ready
#   scripts/ais-dev-cluster.sh env              print AIS_ENDPOINT=... for `eval`
#
# Environment:
#   AIS_PORT            proxy public port (default 51080); the other ports follow it: proxy
#                       intra-control +1, intra-data +2; target public +3, intra-control +4, intra-data +5;
#                       target2 +6..+8, target3 +9..+11, ...
#   AIS_TARGETS         number of storage targets (default 1): `target`, then `target2`, `target3`, ...
#   AIS_DEV_DIR         cluster dir: configs, mountpath, pids, logs (default <repo>/.tmp/ais/cluster)
#   AIS_BIN_DIR         where built binaries are cached (default <repo>/.tmp/ais/bin)
#   AIS_START_TIMEOUT   seconds to wait for readiness (default 90)
#   AIS_KEEP_LOGS=1     `stop` keeps the logs (in $AIS_DEV_DIR/logs) and deletes everything else
#
# Only Go (>= 1.26, or any Go that can fetch that toolchain) is needed. Nothing here needs root.
set -euo pipefail

# The one place the AIStore version is pinned (a module version of github.com/NVIDIA/aistore).
AIS_VERSION="v1.5.0"

AIS_MODULE="github.com/NVIDIA/aistore"
# The same build tag AIS's own Makefile always adds (monotonic clock via go:linkname).
AIS_BUILD_TAGS="mono"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AIS_PORT="${AIS_PORT:-51080}"
AIS_DEV_DIR="${AIS_DEV_DIR:-$ROOT/.tmp/ais/cluster}"
AIS_BIN_DIR="${AIS_BIN_DIR:-$ROOT/.tmp/ais/bin}"
AIS_START_TIMEOUT="${AIS_START_TIMEOUT:-90}"
AIS_TARGETS="${AIS_TARGETS:-1}"
HOST="127.0.0.1"
# absolute paths: they go into the node configs, and the PID check matches on them
case $AIS_DEV_DIR in /*) ;; *) AIS_DEV_DIR="$PWD/$AIS_DEV_DIR" ;; esac
case $AIS_BIN_DIR in /*) ;; *) AIS_BIN_DIR="$PWD/$AIS_BIN_DIR" ;; esac
[[ "$AIS_TARGETS" =~ ^[1-9][0-9]?$ ]] || { printf '[ais-dev] error: AIS_TARGETS must be a number from 1 to 99 (got %s)\n' "$AIS_TARGETS" >&2; exit 1; }
# Targets a larger cluster in this dir left running count too (`stop` without AIS_TARGETS stops them all).
for f in "$AIS_DEV_DIR"/target[0-9]*.pid; do
  [[ -f $f ]] || continue
  n="${f##*/target}"
  n="${n%.pid}"
  if [[ $n =~ ^[0-9]+$ ]] && ((n > AIS_TARGETS)); then AIS_TARGETS=$n; fi
done

BIN="$AIS_BIN_DIR/$AIS_VERSION/aisnode"
# The first target keeps the name `target` (and its ports) whatever the count: the single-target cluster is unchanged.
NODES=(proxy target)
for ((i = 2; i <= AIS_TARGETS; i++)); do NODES+=("target$i"); done
LAST_PORT_OFFSET=$((3 * (AIS_TARGETS + 1) - 1))

log() { printf '[ais-dev] %s\n' "$*" >&2; }
die() { printf '[ais-dev] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------
# ports and paths
# ---------------------------------------------------------------------------------------------------
check_port_base() {
  if ! [[ "$AIS_PORT" =~ ^[0-9]+$ ]] || ((AIS_PORT < 1024 || AIS_PORT + LAST_PORT_OFFSET > 65535)); then
    die "AIS_PORT must be a number in 1024..$((65535 - LAST_PORT_OFFSET)) (got '$AIS_PORT')"
  fi
}

# port NODE KIND -> number; KIND is pub|ctrl|data
port() {
  local base=$AIS_PORT off=0
  [[ $1 == target ]] && off=3
  [[ $1 =~ ^target([0-9]+)$ ]] && off=$((3 * BASH_REMATCH[1]))
  case $2 in pub) ;; ctrl) off=$((off + 1)) ;; data) off=$((off + 2)) ;; esac
  echo $((base + off))
}

proxy_url() { echo "http://$HOST:$(port proxy pub)"; }
node_url() { echo "http://$HOST:$(port "$1" pub)"; }
pid_file() { echo "$AIS_DEV_DIR/$1.pid"; }
out_file() { echo "$AIS_DEV_DIR/logs/$1.out"; }

# ---------------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------------
cmd_install() {
  if [[ -x "$BIN" ]]; then
    log "aisnode $AIS_VERSION already built: $BIN"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "Go is not installed (needed to build aisnode $AIS_VERSION from $AIS_MODULE)"
  mkdir -p "$AIS_BIN_DIR/$AIS_VERSION"

  local stage started ldflags
  stage="$(mktemp -d "$AIS_BIN_DIR/.build.XXXXXX")"
  # main.go refuses to run (debug builds) without main.build; buildtime shows up in the logs.
  ldflags="-s -w -X main.build=$AIS_VERSION -X main.buildtime=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  started=$(date +%s)
  log "building aisnode $AIS_VERSION (first build takes several minutes) ..."

  # 1) the canonical way. It needs the proxy's version list (a deprecation check), which some
  #    mirrors refuse; 2) then build the same package from a throw-away module that requires exactly
  #    $AIS_VERSION (same dependency versions: aistore's own go.mod is the only requirement).
  if ! (cd "$stage" && GOWORK=off GOFLAGS='' CGO_ENABLED=0 GOBIN="$stage" \
        go install -trimpath -tags="$AIS_BUILD_TAGS" -ldflags="$ldflags" "$AIS_MODULE/cmd/aisnode@$AIS_VERSION"); then
    log "'go install ...@$AIS_VERSION' failed; retrying through a temporary module that requires $AIS_MODULE $AIS_VERSION"
    mkdir -p "$stage/mod"
    printf 'module aisnode.build.local\n\ngo 1.26\n\nrequire %s %s\n' "$AIS_MODULE" "$AIS_VERSION" >"$stage/mod/go.mod"
    (cd "$stage/mod" && GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 \
      go build -trimpath -tags="$AIS_BUILD_TAGS" -ldflags="$ldflags" -o "$stage/aisnode" "$AIS_MODULE/cmd/aisnode") || {
      rm -rf "$stage"
      die "building aisnode $AIS_VERSION failed (see the Go output above)"
    }
  fi
  mv -f "$stage/aisnode" "$BIN"
  rm -rf "$stage"
  log "built $BIN in $(($(date +%s) - started))s ($(du -h "$BIN" | cut -f1))"
}

# ---------------------------------------------------------------------------------------------------
# configuration (written from AIS's config fields: cmn/config.go, ClusterConfig and LocalConfig)
# ---------------------------------------------------------------------------------------------------
write_cluster_config() {
  local url
  url="$(proxy_url)"
  cat >"$AIS_DEV_DIR/ais.json" <<EOF
{
  "backend": {},
  "auth": {},
  "proxy": {
    "primary_url": "$url",
    "original_url": "$url",
    "discovery_url": ""
  },
  "timeout": {
    "cplane_operation": "2s",
    "max_keepalive": "5s",
    "max_host_busy": "20s",
    "startup_time": "1m",
    "join_startup_time": "3m",
    "send_file_time": "5m"
  },
  "space": {
    "cleanupwm": 65,
    "lowwm": 80,
    "highwm": 90,
    "out_of_space": 97
  },
  "memsys": {
    "min_free": "256mb",
    "default_buf": "32kb",
    "to_gc": "1gb",
    "hk_time": "3m"
  },
  "versioning": {
    "enabled": true,
    "validate_warm_get": false
  },
  "resilver": {
    "enabled": true
  },
  "net": {
    "l4": { "proto": "tcp" },
    "http": { "use_https": false, "idle_conn_time": "6s", "idle_conns_per_host": 32, "idle_conns": 256 },
    "use_ipv6": false
  }
}
EOF
}

write_local_config() {
  local node=$1 d="$AIS_DEV_DIR/$1" count=0
  [[ $node == target* ]] && count=1
  mkdir -p "$d/conf" "$d/log"
  # test_fspaths (count > 0) is AIS's test mode: the target makes <root>/mp1 itself and skips the
  # checks that every mountpath is a separate filesystem. It is ignored on the proxy.
  cat >"$d/local.json" <<EOF
{
  "confdir": "$d/conf",
  "log_dir": "$d/log",
  "host_net": {
    "hostname": "$HOST",
    "hostname_intra_control": "$HOST",
    "hostname_intra_data": "$HOST",
    "port": "$(port "$node" pub)",
    "port_intra_control": "$(port "$node" ctrl)",
    "port_intra_data": "$(port "$node" data)"
  },
  "fspaths": {},
  "test_fspaths": {
    "root": "$d/mpaths",
    "count": $count,
    "instance": 0
  }
}
EOF
}

# ---------------------------------------------------------------------------------------------------
# processes
# ---------------------------------------------------------------------------------------------------
# Prints the PID of NODE when its pid file names a live aisnode started with this cluster's config.
node_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f $f ]] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against a recycled PID: it must be our aisnode with our local config
  if [[ -r /proc/$pid/cmdline ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-local_config=$AIS_DEV_DIR/$1/local.json" || return 1
  fi
  echo "$pid"
}

http_code() { curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null || true; }

node_ready() {
  case $1 in
    proxy) [[ "$(http_code "$(node_url proxy)/v1/health?prr=true")" == 200 ]] ;;
    target*) [[ "$(http_code "$(node_url "$1")/v1/health?readiness=true")" == 200 ]] ;;
  esac
}

port_busy() { # true when something accepts connections on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

start_node() {
  local node=$1 args=()
  if [[ $node == proxy ]]; then
    args=(-role=proxy "-ntargets=$AIS_TARGETS")
  else
    args=(-role=target)
  fi
  mkdir -p "$AIS_DEV_DIR/logs"
  # own session (setsid, when there is one) so that a Ctrl-C in the calling terminal does not reach it;
  # this script has no job control, so setsid execs in place and $! stays the aisnode PID
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  nohup "${launcher[@]}" "$BIN" "${args[@]}" \
    -config="$AIS_DEV_DIR/ais.json" \
    -local_config="$AIS_DEV_DIR/$node/local.json" \
    >>"$(out_file "$node")" 2>&1 </dev/null &
  echo $! >"$(pid_file "$node")"
  log "started $node (pid $!) on $(node_url "$node")"
}

print_log_tails() {
  local node f
  for node in "${NODES[@]}"; do
    # <node>.out: aisnode's stdout/stderr; ais<node>.INFO|ERROR: its own logs (symlinks to the newest)
    for f in "$(out_file "$node")" "$AIS_DEV_DIR/$node/log/ais$node.ERROR" "$AIS_DEV_DIR/$node/log/ais$node.INFO"; do
      [[ -s $f ]] || continue
      printf '\n----- %s (last 30 lines) -----\n' "$f" >&2
      tail -n 30 "$f" | cut -c1-400 >&2
    done
  done
}

# Startup failed: show the logs, stop what this invocation started, keep the logs for a look.
fail_start() {
  local msg=$1 node
  shift
  print_log_tails
  for node in "${NODES[@]:1}" proxy; do # targets first, as in `stop`
    [[ " $* " == *" $node "* ]] && stop_node "$node"
  done
  local alive=0
  for node in "${NODES[@]}"; do node_pid "$node" >/dev/null && alive=1; done
  ((alive)) || keep_logs_and_wipe
  die "$msg (logs: $AIS_DEV_DIR/logs)"
}

cmd_start() {
  check_port_base
  command -v curl >/dev/null 2>&1 || die "curl is required"
  local node running=() missing=()
  for node in "${NODES[@]}"; do
    if node_pid "$node" >/dev/null; then running+=("$node"); else missing+=("$node"); fi
  done

  if ((${#missing[@]} == 0)); then
    log "already running"
  else
    cmd_install
    if ((${#running[@]} == 0)); then
      # fresh cluster: drop whatever a crashed or killed earlier run left behind
      wipe_cluster_dir
      local p
      for p in $(seq "$AIS_PORT" $((AIS_PORT + LAST_PORT_OFFSET))); do
        port_busy "$p" && die "port $p on $HOST is in use (AIS uses $AIS_PORT..$((AIS_PORT + LAST_PORT_OFFSET)); set AIS_PORT)"
      done
      mkdir -p "$AIS_DEV_DIR/logs"
      write_cluster_config
      for node in "${NODES[@]}"; do write_local_config "$node"; done
    else
      # restart of one node (after `stop proxy|target`): reuse its config and persisted state
      [[ -f $AIS_DEV_DIR/ais.json ]] || die "no cluster config in $AIS_DEV_DIR"
    fi
    for node in "${missing[@]}"; do start_node "$node"; done
  fi

  local deadline=$((SECONDS + AIS_START_TIMEOUT)) started=$SECONDS
  while :; do
    local ready=1
    for node in "${NODES[@]}"; do
      node_pid "$node" >/dev/null || fail_start "aisnode $node exited during startup" "${missing[@]}"
      node_ready "$node" || ready=0
    done
    ((ready)) && break
    ((SECONDS < deadline)) || fail_start "cluster not ready after ${AIS_START_TIMEOUT}s" "${missing[@]}"
    sleep 1
  done
  log "ready in $((SECONDS - started))s"
  proxy_url
}

# ---------------------------------------------------------------------------------------------------
# stop / status
# ---------------------------------------------------------------------------------------------------
stop_node() {
  local node=$1 pid i
  if ! pid="$(node_pid "$node")"; then
    rm -f "$(pid_file "$node")"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do # up to 15 s for a graceful exit
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$node (pid $pid) did not exit on SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$(pid_file "$node")"
  log "stopped $node (pid $pid)"
}

# Deletes only what this script creates, so a mistaken AIS_DEV_DIR cannot lose anything else.
wipe_cluster_dir() {
  [[ -d $AIS_DEV_DIR ]] || return 0
  local keep_logs=${1:-0}
  local n
  for n in "${NODES[@]}"; do rm -rf "${AIS_DEV_DIR:?}/$n" "$AIS_DEV_DIR/$n.pid"; done
  rm -rf "$AIS_DEV_DIR/ais.json"
  ((keep_logs)) || rm -rf "$AIS_DEV_DIR/logs"
  rmdir "$AIS_DEV_DIR" 2>/dev/null || true
}

# Moves AIS's own logs next to the .out files, then deletes everything else.
keep_logs_and_wipe() {
  local n
  for n in "${NODES[@]}"; do
    if [[ -d $AIS_DEV_DIR/$n/log ]]; then
      mkdir -p "$AIS_DEV_DIR/logs/$n"
      cp -a "$AIS_DEV_DIR/$n/log/." "$AIS_DEV_DIR/logs/$n/"
    fi
  done
  wipe_cluster_dir 1
}

cmd_stop() {
  case "${1:-}" in
    "")
      # targets first: they leave the cluster while the proxy is still there to hear about it
      local node
      for node in "${NODES[@]:1}" proxy; do stop_node "$node"; done
      if [[ ${AIS_KEEP_LOGS:-0} == 1 ]]; then
        keep_logs_and_wipe
        log "logs kept in $AIS_DEV_DIR/logs"
      else
        wipe_cluster_dir 0
      fi
      ;;
    *)
      [[ " ${NODES[*]} " == *" $1 "* ]] || die "usage: $0 stop [${NODES[*]// /|}]"
      stop_node "$1"
      ;;
  esac
}

cmd_status() {
  check_port_base
  local node pid all=0
  for node in "${NODES[@]}"; do
    if pid="$(node_pid "$node")"; then
      if node_ready "$node"; then
        echo "$node: running (pid $pid), ready, $(node_url "$node")"
      else
        echo "$node: running (pid $pid), NOT ready, $(node_url "$node")"
        all=1
      fi
    else
      echo "$node: not running"
      all=1
    fi
  done
  if ((all == 0)); then echo "AIS is up: $(proxy_url)"; else echo "AIS is not (fully) up"; fi
  return $all
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) shift; cmd_stop "$@" ;;
  status) cmd_status ;;
  pid)
    [[ " ${NODES[*]} " == *" ${2:-} "* ]] || die "usage: $0 pid ${NODES[*]// /|}"
    node_pid "$2" || die "$2 is not running"
    ;;
  env) check_port_base; echo "AIS_ENDPOINT=$(proxy_url)" ;;
  *)
    sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
