# shellcheck shell=bash disable=SC2034 # names used by up.sh and down.sh
# Shared by scripts/kind/up.sh and down.sh: names, and one ✅/❌ line per step.

KIND_CLUSTER="${KIND_CLUSTER:-tradingstack}"
KIND_CONTEXT="kind-$KIND_CLUSTER"
TS_NAMESPACE="${TS_NAMESPACE:-default}"
TS_STACK="${TS_STACK:-demo}"
TS_IMAGE_REPOSITORY="${TS_IMAGE_REPOSITORY:-tradingstack}"
TS_IMAGE_TAG="${TS_IMAGE_TAG:-dev}"
OPERATOR_NAMESPACE=tradingstack-system
OPERATOR_RELEASE=tradingstack-operator
# Published on the host by kind-config.yaml.
API_NODE_PORT=30080
JAEGER_NODE_PORT=30686
KIND_LOG_DIR="${KIND_LOG_DIR:-${TMPDIR:-/tmp}/tradingstack-kind}"
DRY_RUN="${DRY_RUN:-0}"

# step NAME COMMAND...: runs the command with its output in $KIND_LOG_DIR/<n>-<name>.log, then
# one ✅ line, or a ❌ line with the end of the log and exit 1. With DRY_RUN=1 the output is
# shown instead (x prints the commands rather than running them).
STEP_NO=0
step() {
  local name=$1 log start
  shift
  STEP_NO=$((STEP_NO + 1))
  if [[ $DRY_RUN == 1 ]]; then
    printf '… %s\n' "$name"
    ( set -euo pipefail; "$@" ) &
    if wait $!; then printf '✅ %s (dry run)\n' "$name"; else printf '❌ %s (dry run)\n' "$name"; exit 1; fi
    return 0
  fi
  mkdir -p "$KIND_LOG_DIR"
  log="$KIND_LOG_DIR/$(printf '%02d' "$STEP_NO")-${name//[^a-zA-Z0-9]/-}.log"
  printf '… %s (log: %s)\n' "$name" "$log"
  start=$SECONDS
  # In a background subshell, so that `set -e` holds inside the step's functions.
  ( set -euo pipefail; "$@" ) >"$log" 2>&1 </dev/null &
  if wait $!; then
    printf '✅ %s (%ds)\n' "$name" $((SECONDS - start))
  else
    printf '❌ %s: the last lines of %s\n' "$name" "$log"
    tail -n 40 "$log" | sed 's/^/   /'
    exit 1
  fi
}

# x COMMAND...: runs it; with DRY_RUN=1 prints it instead.
x() {
  if [[ $DRY_RUN == 1 ]]; then
    printf '   $'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

ok() { printf '✅ %s\n' "$*"; }
fail() { printf '❌ %s\n' "$*"; exit 1; }

# need_cmd NAME HOW_TO_INSTALL
need_cmd() {
  command -v "$1" >/dev/null || fail "$1 not found on PATH: $2"
}

need_kind_and_docker() {
  need_cmd docker "install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop"
  need_cmd kind "go install sigs.k8s.io/kind@v0.33.0 (then add \$(go env GOPATH)/bin to PATH), or see https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
  docker info >/dev/null 2>&1 || fail "docker cannot reach a Docker engine (is the daemon running, and may this user use it?)"
  ok "docker $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?') and $(kind version 2>/dev/null | head -n1)"
}

cluster_exists() {
  kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"
}
