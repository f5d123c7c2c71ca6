#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test of the workspace
# against a throwaway Postgres and Redis that this script starts and stops itself.
#
#   scripts/test.sh                       everything (what CI runs)
#   scripts/test.sh -p ts-cache           extra args go to `cargo test`
#   TEST_SH_SKIP_LINT=1 scripts/test.sh   skip fmt and clippy while iterating
#   TEST_DATABASE_URL=... / TEST_REDIS_URL=...   use servers you already run
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck disable=SC1091 # rustup's env file, present only on some machines
if [[ -f "$HOME/.cargo/env" ]]; then source "$HOME/.cargo/env"; fi
command -v cargo >/dev/null || { echo "test.sh: cargo not found (install Rust via rustup)" >&2; exit 1; }
# Outside the clone and persistent, so a fresh clone (CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradingstack/target}"
# A fresh clone is a new path, so incremental caches would only pile up (tens of GB)
# without ever being reused.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
ensure_services

# ---- checks, in order; later steps (helm, shellcheck, cluster tests) append here ----

check_fmt() {
  log "cargo fmt --all -- --check"
  cargo fmt --all -- --check
}

check_clippy() {
  log "cargo clippy --workspace --all-targets -- -D warnings"
  cargo clippy --workspace --all-targets -- -D warnings
}

check_manifests() {
  log "scripts/check-manifests.sh (helm lint/template, kubernetes-validate, CRD drift, shellcheck)"
  bash scripts/check-manifests.sh
}

check_test() {
  # `--workspace` would override a `-p` given by the caller.
  local scope=(--workspace) arg
  for arg in "$@"; do
    case $arg in -p | -p* | --package | --package=*) scope=() ;; esac
  done
  log "cargo test $(printf '%s ' "${scope[@]}" "$@")"
  cargo test "${scope[@]}" "$@"
}

# The README's first command, for real: start-all.sh brings the whole stack up with the
# fakes (on this run's Postgres and Redis, a database and key prefix of its own), then
# verify-services.sh, the bot-through-API check and both seed scenarios run against it,
# and stop-all.sh must leave no process behind. TEST_SH_SKIP_STACK=1 skips it, saying so.
check_local_stack() {
  local arg
  for arg in "$@"; do
    case $arg in -p | -p* | --package | --package=*)
      log "local stack SKIPPED (-p given)"; return 0 ;;
    esac
  done
  if [[ -n "${TEST_SH_SKIP_STACK:-}" ]]; then log "local stack SKIPPED (TEST_SH_SKIP_STACK set)"; return 0; fi
  log "local stack: start-all.sh, verify-services.sh, test-bot-api-integration.sh, test-e2e-scenarios.sh, stop-all.sh"
  (
    dir=$(mktemp -d /tmp/tradingstack-stack.XXXXXX)
    export TS_LOG_DIR="$dir/logs" TS_DATA_DIR="$dir/data" TS_NO_TMUX=1
    # The process environment wins over .env.local: this run's services, fresh secrets,
    # and empty credentials so the fakes stand in for Telegram and Polymarket.
    export DATABASE_URL="${TEST_DATABASE_URL%/*}/ts_local_stack_$$" REDIS_URL="$TEST_REDIS_URL"
    export REDIS_KEY_PREFIX="ts-stack-$$" API_TOKEN="stack-$RANDOM$RANDOM" WEBHOOK_SECRET="hook-$RANDOM$RANDOM"
    export ENCRYPTION_KEY="0123456789abcdef0123456789abcdef"
    export TELEGRAM_BOT_TOKEN="" BOT_TOKEN="" TELEGRAM_API_URL="" GAMMA_API_URL="" CLOB_API_URL="" CLOB_WS_URL="" DATA_API_URL=""
    # shellcheck disable=SC2030 # this subshell's own environment, on purpose
    export OTEL_EXPORTER_OTLP_ENDPOINT="" POLL_INTERVAL_SECS=5
    # Free ports, so a stack or Jaeger already running on the defaults does not interfere.
    API_PORT=$(free_port) BOT_HEALTH_PORT=$(free_port) WORKERS_HEALTH_PORT=$(free_port)
    export API_PORT BOT_HEALTH_PORT WORKERS_HEALTH_PORT API_URL="http://127.0.0.1:$API_PORT"
    # shellcheck disable=SC2030 # this subshell's own Jaeger ports, on purpose
    TS_JAEGER_OTLP_HTTP_PORT=$(free_port) TS_JAEGER_OTLP_GRPC_PORT=$(free_port) TS_JAEGER_QUERY_PORT=$(free_port)
    # shellcheck disable=SC2030 # as above
    TS_JAEGER_QUERY_GRPC_PORT=$(free_port) TS_JAEGER_HEALTH_PORT=$(free_port)
    export TS_JAEGER_OTLP_HTTP_PORT TS_JAEGER_OTLP_GRPC_PORT TS_JAEGER_QUERY_PORT TS_JAEGER_QUERY_GRPC_PORT TS_JAEGER_HEALTH_PORT
    trap 'scripts/dev/stop-all.sh >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
    scripts/dev/start-all.sh
    scripts/dev/verify-services.sh
    scripts/dev/test-bot-api-integration.sh
    scripts/dev/test-e2e-scenarios.sh
    scripts/dev/stop-all.sh
    sleep 1
    local left
    left=$(pgrep -f "$TS_LOG_DIR|$CARGO_TARGET_DIR/debug/(api|bot|workers|tsdev)" || true)
    if [[ -n $left ]]; then
      echo "stop-all.sh left processes behind:" >&2
      ps -o pid,args -p "${left//$'\n'/,}" >&2 || true
      exit 1
    fi
    echo "stop-all.sh left no process behind"
  )
}

# The operator and the charts against a real control plane and a real Jaeger (issue 7):
# builds the pinned tools (cached), starts scripts/cluster/up.sh and Jaeger on free ports of
# 127.0.0.1, and runs the cluster-tests, which fail (never skip) when something is missing.
# Everything it starts is stopped when it ends. TEST_SH_SKIP_CLUSTER=1 skips it, saying so.
check_cluster() {
  # Arguments scoping the run to other packages (`-p api`) leave the cluster tests out, saying so.
  local arg scoped="" mine=""
  for arg in "$@"; do
    case $arg in
      -p | --package | -p* | --package=*) scoped=1 ;;
    esac
    case $arg in cluster-tests | -pcluster-tests | --package=cluster-tests) mine=1 ;; esac
  done
  if [[ -n "${TEST_SH_SKIP_CLUSTER:-}" || ( -n $scoped && -z $mine ) ]]; then
    log "cluster tests SKIPPED (TEST_SH_SKIP_CLUSTER set, or -p without cluster-tests)"
    return 0
  fi
  log "cluster tests: scripts/tools.sh, scripts/cluster/up.sh, Jaeger, cargo test -p cluster-tests"
  (
    # shellcheck source=scripts/lib/kubetools.sh
    source scripts/lib/kubetools.sh
    # shellcheck source=scripts/cluster/lib.sh
    source scripts/cluster/lib.sh
    ensure_helm
    ensure_kubectl
    scripts/tools.sh
    # shellcheck disable=SC2031 # check_cluster's own ports, set just below in this subshell
    export TS_CLUSTER_DIR TS_JAEGER_DIR TS_JAEGER_OTLP_HTTP_PORT TS_JAEGER_OTLP_GRPC_PORT \
      TS_JAEGER_QUERY_PORT TS_JAEGER_QUERY_GRPC_PORT TS_JAEGER_HEALTH_PORT
    TS_CLUSTER_DIR=$(mktemp -d /tmp/tradingstack-cluster-test.XXXXXX)
    TS_JAEGER_DIR=$(mktemp -d /tmp/tradingstack-jaeger-test.XXXXXX)
    TS_JAEGER_OTLP_HTTP_PORT=$(free_port) TS_JAEGER_OTLP_GRPC_PORT=$(free_port)
    TS_JAEGER_QUERY_PORT=$(free_port) TS_JAEGER_QUERY_GRPC_PORT=$(free_port)
    TS_JAEGER_HEALTH_PORT=$(free_port)
    # On a failure the components' logs stay (their folder is printed); the operator's log tail
    # is in the failing test's output.
    # shellcheck disable=SC2317 # called by the trap
    cluster_done() {
      local rc=$?
      scripts/cluster/jaeger.sh stop || true
      if [[ $rc == 0 ]]; then scripts/cluster/down.sh || true; else
        scripts/cluster/down.sh --keep-logs || true
        local f
        for f in "$TS_CLUSTER_DIR"/logs/*.log; do
          echo "--- last lines of $f" >&2
          tail -n 15 "$f" >&2 || true
        done
        echo "cluster tests failed; control-plane logs in $TS_CLUSTER_DIR/logs" >&2
      fi
    }
    trap cluster_done EXIT
    cargo build -p tradingstack-operator --bin operator
    export TS_OPERATOR_BIN="$CARGO_TARGET_DIR/debug/operator" TS_HELM="$HELM" TS_KUBECTL="$KUBECTL"
    eval "$(scripts/cluster/up.sh)"
    eval "$(scripts/cluster/jaeger.sh start)"
    # shellcheck disable=SC2031 # set by jaeger.sh's env lines just above
    export TS_JAEGER_OTLP_ENDPOINT="$OTEL_EXPORTER_OTLP_ENDPOINT"
    unset OTEL_EXPORTER_OTLP_ENDPOINT
    cargo test -p cluster-tests -- --include-ignored
  )
}

CHECKS=(check_fmt check_clippy check_manifests check_test)
if [[ -n "${TEST_SH_SKIP_LINT:-}" ]]; then CHECKS=(check_test); fi
CHECKS+=(check_local_stack check_cluster)

# Everything is also written to a log, so the run ends with one line tallying every
# test of every step (cargo's suites and the local stack's checks).
RUN_LOG=$(mktemp /tmp/tradingstack-test-run.XXXXXX)
for check in "${CHECKS[@]}"; do
  if [[ $check == check_test || $check == check_cluster || $check == check_local_stack ]]; then "$check" "$@"; else "$check"; fi
done 2>&1 | tee "$RUN_LOG"
# (The cluster tests are #[ignore]d in `cargo test --workspace` and run by check_cluster,
# so ignored tests are not counted as skipped.)
awk '/^test result: /{p+=$4; f+=$6} /^[0-9]+ passed, [0-9]+ failed$/{p+=$1; f+=$3}
     END {printf "\ntests: %d passed, %d failed\n", p, f}' "$RUN_LOG"
rm -f "$RUN_LOG"
