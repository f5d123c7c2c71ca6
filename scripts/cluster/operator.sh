#!/usr/bin/env bash
# Runs the operator as a local process against the control plane of scripts/cluster/up.sh,
# authenticated as the ServiceAccount of charts/tradingstack-operator (a token from
# `kubectl create token`), so the chart's ClusterRole is exactly what it may do. kwok's pods
# run no containers: this process is the operator that reconciles.
#
#   helm install tradingstack-operator charts/tradingstack-operator \
#     -n tradingstack-system --create-namespace --set replicaCount=0
#   scripts/cluster/operator.sh start     build (cargo) if needed, start, wait for /readyz
#   scripts/cluster/operator.sh stop      stop it (down.sh stops it too)
#
#   TS_OPERATOR_BIN         the binary (default: cargo build -p tradingstack-operator --bin operator)
#   TS_OPERATOR_PORT        /healthz, /readyz, /metrics on 127.0.0.1 (default 8080)
#   TS_OPERATOR_NAMESPACE   namespace of the chart's release (default tradingstack-system)
#   TS_OPERATOR_RELEASE     release name (default tradingstack-operator)
#   OTEL_EXPORTER_OTLP_ENDPOINT   passed on: e.g. the Jaeger of scripts/cluster/jaeger.sh
# Its log: $TS_CLUSTER_DIR/logs/operator.log.
set -euo pipefail

# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/lib/kubetools.sh
source "$CLUSTER_ROOT/scripts/lib/kubetools.sh"

D="$CLUSTER_DIR"
PORT="${TS_OPERATOR_PORT:-8080}"
NS="${TS_OPERATOR_NAMESPACE:-tradingstack-system}"
RELEASE="${TS_OPERATOR_RELEASE:-tradingstack-operator}"

start() {
  [[ -f "$D/kubeconfig" ]] || cluster_fail "no control plane in $D: run scripts/cluster/up.sh first"
  if process_alive "$D" operator; then cluster_fail "the operator already runs (pid $(cat "$D/pids/operator.pid"))"; fi
  ensure_kubectl
  local admin=(env KUBECONFIG="$D/kubeconfig" "$KUBECTL") sa token server ca bin
  sa=$("${admin[@]}" get deployments -n "$NS" -l "app.kubernetes.io/instance=$RELEASE" \
    -o 'jsonpath={.items[0].spec.template.spec.serviceAccountName}' 2>/dev/null) || true
  [[ -n "$sa" ]] || cluster_fail "no Deployment of release $RELEASE in $NS: helm install charts/tradingstack-operator first"
  token=$("${admin[@]}" create token "$sa" -n "$NS" --duration=12h) ||
    cluster_fail "kubectl create token $sa -n $NS failed"
  server=$("${admin[@]}" config view --raw -o 'jsonpath={.clusters[0].cluster.server}')
  ca=$("${admin[@]}" config view --raw -o 'jsonpath={.clusters[0].cluster.certificate-authority-data}')
  umask 077
  cat >"$D/operator.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: tradingstack-local
  cluster: {server: "$server", certificate-authority-data: "$ca"}
users:
- name: $sa
  user: {token: "$token"}
contexts:
- name: operator
  context: {cluster: tradingstack-local, user: $sa}
current-context: operator
YAML
  bin="${TS_OPERATOR_BIN:-}"
  if [[ -z "$bin" ]]; then
    cluster_log "building the operator (cargo build -p tradingstack-operator --bin operator)"
    (cd "$CLUSTER_ROOT" && cargo build -q -p tradingstack-operator --bin operator) >&2
    bin="${CARGO_TARGET_DIR:-$HOME/.cache/tradingstack/target}/debug/operator"
  fi
  [[ -x "$bin" ]] || cluster_fail "operator binary $bin not found"
  cluster_log "starting the operator as system:serviceaccount:$NS:$sa, /metrics on 127.0.0.1:$PORT"
  KUBECONFIG="$D/operator.kubeconfig" start_process "$D" operator "$bin" --listen "127.0.0.1:$PORT"
  wait_for 60 "operator /readyz on 127.0.0.1:$PORT" "$D" operator curl -fsS "http://127.0.0.1:$PORT/readyz"
  cluster_log "operator ready (log: $D/logs/operator.log)"
}

case "${1:-}" in
  start) start ;;
  stop) if [[ -d "$D/pids" ]]; then stop_process "$D" operator; fi ;;
  status) process_alive "$D" operator ;;
  *) sed -n '2,18p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
