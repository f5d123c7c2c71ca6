# shellcheck shell=bash
# Shared by scripts/cluster/up.sh, down.sh and jaeger.sh: where things live, how a process
# is started in the background and how exactly that process is stopped again.
#
#   TS_CLUSTER_DIR   state of the control plane (default ${TMPDIR:-/tmp}/tradingstack-cluster):
#                    certificates, kubeconfigs, etcd data, logs/, pids/
#   TS_JAEGER_DIR    state of the local Jaeger (default ${TMPDIR:-/tmp}/tradingstack-jaeger)
#   TS_TOOLS_DIR     where scripts/tools.sh put the binaries (default ~/.cache/tradingstack/tools)

# shellcheck disable=SC2034 # used by the scripts that source this file
CLUSTER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034
TOOLS_BIN="${TS_TOOLS_DIR:-$HOME/.cache/tradingstack/tools}/bin"
# shellcheck disable=SC2034
CLUSTER_DIR="${TS_CLUSTER_DIR:-${TMPDIR:-/tmp}/tradingstack-cluster}"
# shellcheck disable=SC2034
JAEGER_DIR="${TS_JAEGER_DIR:-${TMPDIR:-/tmp}/tradingstack-jaeger}"

cluster_log() { echo "cluster: $*" >&2; }
cluster_fail() { echo "cluster: $*" >&2; exit 1; }

# A binary built by scripts/tools.sh, or a failure naming it.
tool_path() {
  local bin="$TOOLS_BIN/$1"
  [[ -x "$bin" ]] || cluster_fail "$1 not found at $bin: run scripts/tools.sh first"
  echo "$bin"
}

# A free TCP port on 127.0.0.1 (the kernel's choice; released before the caller binds it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_process STATE_DIR NAME BINARY ARGS...: runs BINARY in the background, output to
# STATE_DIR/logs/NAME.log, pid to STATE_DIR/pids/NAME.pid. Without job control a background
# process ignores SIGINT, so a Ctrl-C in the terminal later does not stop it: down.sh does.
start_process() {
  local dir=$1 name=$2
  shift 2
  mkdir -p "$dir/logs" "$dir/pids"
  "$@" </dev/null >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
  # Remember the binary, so that a stop never signals a recycled pid.
  echo "$1" >"$dir/pids/$name.exe"
}

# Whether the process recorded as NAME in STATE_DIR is still the one that was started.
process_alive() {
  local dir=$1 name=$2 pid exe
  pid=$(cat "$dir/pids/$name.pid" 2>/dev/null) || return 1
  exe=$(cat "$dir/pids/$name.exe" 2>/dev/null) || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$exe")" ]]
}

# Fails naming NAME, with the end of its log, when it is no longer running.
require_alive() {
  local dir=$1 name=$2
  if ! process_alive "$dir" "$name"; then
    tail -n 25 "$dir/logs/$name.log" >&2 2>/dev/null || true
    cluster_fail "$name exited during start-up (log: $dir/logs/$name.log)"
  fi
}

# stop_process STATE_DIR NAME: SIGTERM, up to 10 s, then SIGKILL; only the recorded pid.
stop_process() {
  local dir=$1 name=$2 pid _
  if process_alive "$dir" "$name"; then
    pid=$(cat "$dir/pids/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      process_alive "$dir" "$name" || break
      sleep 0.1
    done
    if process_alive "$dir" "$name"; then
      cluster_log "$name (pid $pid) ignored SIGTERM for 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        process_alive "$dir" "$name" || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$dir/pids/$name.pid" "$dir/pids/$name.exe"
}

# wait_for SECONDS WHAT PROCESS_DIR PROCESS_NAME COMMAND...: polls COMMAND every 0.2 s until it
# succeeds; fails naming WHAT if the process dies or the time runs out.
wait_for() {
  local seconds=$1 what=$2 dir=$3 name=$4 deadline
  shift 4
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    require_alive "$dir" "$name"
    if ((SECONDS >= deadline)); then
      tail -n 25 "$dir/logs/$name.log" >&2 2>/dev/null || true
      cluster_fail "$what: not within ${seconds} s (log: $dir/logs/$name.log)"
    fi
    sleep 0.2
  done
}
