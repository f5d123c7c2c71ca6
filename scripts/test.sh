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
    export TS_CLUSTER_DIR TS_JAEGER_DIR TS_JAEGER_OTLP_HTTP_PORT TS_JAEGER_OTLP_GRPC_PORT \
      TS_JAEGER_QUERY_PORT TS_JAEGER_QUERY_GRPC_PORT TS_JAEGER_HEALTH_PORT
    TS_CLUSTER_DIR=$(mktemp -d /tmp/tradingstack-cluster-test.XXXXXX)
    TS_JAEGER_DIR=$(mktemp -d /tmp/tradingstack-jaeger-test.XXXXXX)
    TS_JAEGER_OTLP_HTTP_PORT=$(free_port) TS_JAEGER_OTLP_GRPC_PORT=$(free_port)
    TS_JAEGER_QUERY_PORT=$(free_port) TS_JAEGER_QUERY_GRPC_PORT=$(free_port)
    TS_JAEGER_HEALTH_PORT=$(free_port)
    trap 'scripts/cluster/jaeger.sh stop || true; scripts/cluster/down.sh || true' EXIT
    cargo build -p tradingstack-operator --bin operator
    export TS_OPERATOR_BIN="$CARGO_TARGET_DIR/debug/operator" TS_HELM="$HELM" TS_KUBECTL="$KUBECTL"
    eval "$(scripts/cluster/up.sh)"
    eval "$(scripts/cluster/jaeger.sh start)"
    export TS_JAEGER_OTLP_ENDPOINT="$OTEL_EXPORTER_OTLP_ENDPOINT"
    unset OTEL_EXPORTER_OTLP_ENDPOINT
    cargo test -p cluster-tests -- --include-ignored
  )
}

CHECKS=(check_fmt check_clippy check_manifests check_test)
if [[ -n "${TEST_SH_SKIP_LINT:-}" ]]; then CHECKS=(check_test); fi
CHECKS+=(check_cluster)

for check in "${CHECKS[@]}"; do
  if [[ $check == check_test || $check == check_cluster ]]; then "$check" "$@"; else "$check"; fi
done
