#!/usr/bin/env bash
# The operator benchmark against the real control plane: 100 TradingStacks applied at once,
# time until all are Ready, reconcile p99 and the operator's resident memory
# (crates/cluster-tests/src/bin/cluster-bench.rs). Builds the tools and the release binaries,
# starts scripts/cluster/up.sh and Jaeger on free ports, runs the bench, stops everything.
#
#   scripts/cluster/bench.sh                 figures, exit 0
#   scripts/cluster/bench.sh --check         exit 1 when a target is missed
#   scripts/cluster/bench.sh --stacks=20     another count
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/cluster/lib.sh
source scripts/cluster/lib.sh
# shellcheck source=scripts/lib/kubetools.sh
source scripts/lib/kubetools.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradingstack/target}"

ensure_helm
ensure_kubectl
scripts/tools.sh
cargo build --release -p tradingstack-operator --bin operator -p cluster-tests --bin cluster-bench

export TS_CLUSTER_DIR TS_JAEGER_DIR TS_JAEGER_OTLP_HTTP_PORT TS_JAEGER_OTLP_GRPC_PORT \
  TS_JAEGER_QUERY_PORT TS_JAEGER_QUERY_GRPC_PORT TS_JAEGER_HEALTH_PORT
TS_CLUSTER_DIR=$(mktemp -d /tmp/tradingstack-cluster-bench.XXXXXX)
TS_JAEGER_DIR=$(mktemp -d /tmp/tradingstack-jaeger-bench.XXXXXX)
TS_JAEGER_OTLP_HTTP_PORT=$(free_port) TS_JAEGER_OTLP_GRPC_PORT=$(free_port)
TS_JAEGER_QUERY_PORT=$(free_port) TS_JAEGER_QUERY_GRPC_PORT=$(free_port)
TS_JAEGER_HEALTH_PORT=$(free_port)
trap 'scripts/cluster/jaeger.sh stop || true; scripts/cluster/down.sh || true' EXIT

eval "$(scripts/cluster/up.sh)"
eval "$(scripts/cluster/jaeger.sh start)"
export TS_JAEGER_OTLP_ENDPOINT="$OTEL_EXPORTER_OTLP_ENDPOINT"
unset OTEL_EXPORTER_OTLP_ENDPOINT
export TS_OPERATOR_BIN="$CARGO_TARGET_DIR/release/operator" TS_HELM="$HELM" TS_KUBECTL="$KUBECTL"
# kube_client at debug: its HTTP spans land under each reconcile span in Jaeger, so the bench
# can say how much of a reconcile is spent waiting for the API server.
export TS_OPERATOR_LOG="${TS_OPERATOR_LOG:-info,kube_client=debug}"
"$CARGO_TARGET_DIR/release/cluster-bench" "$@"
