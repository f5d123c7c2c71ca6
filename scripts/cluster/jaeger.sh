#!/usr/bin/env bash
# The Jaeger v2 all-in-one built by scripts/tools.sh, as a local process with in-memory
# storage, for the cluster tests and the local stack (scripts/dev/start-all.sh).
#
#   scripts/cluster/jaeger.sh start    start it and wait until OTLP and the query API answer
#   scripts/cluster/jaeger.sh stop     stop exactly the process `start` started
#   scripts/cluster/jaeger.sh status   exit 0 when it runs
#   scripts/cluster/jaeger.sh env      the variables that point a service at it
#
# Listens on 127.0.0.1 only:
#   TS_JAEGER_OTLP_HTTP_PORT  OTLP/HTTP receiver      (default 4318)  <- OTEL_EXPORTER_OTLP_ENDPOINT
#   TS_JAEGER_OTLP_GRPC_PORT  OTLP/gRPC receiver      (default 4317)
#   TS_JAEGER_QUERY_PORT      UI and HTTP query API   (default 16686) e.g. /api/traces?service=NAME
#   TS_JAEGER_QUERY_GRPC_PORT query gRPC API          (default 16685)
#   TS_JAEGER_HEALTH_PORT     health check            (default 13133)
#   TS_JAEGER_DIR             config, log and pid     (default ${TMPDIR:-/tmp}/tradingstack-jaeger)
# `start` prints the `env` lines on stdout, so `eval "$(scripts/cluster/jaeger.sh start)"`
# works. A Jaeger built from its Go module may show a placeholder page instead of the UI
# (the UI assets ship with releases only); the query API is complete.
set -euo pipefail

# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OTLP_HTTP_PORT="${TS_JAEGER_OTLP_HTTP_PORT:-4318}"
OTLP_GRPC_PORT="${TS_JAEGER_OTLP_GRPC_PORT:-4317}"
QUERY_PORT="${TS_JAEGER_QUERY_PORT:-16686}"
QUERY_GRPC_PORT="${TS_JAEGER_QUERY_GRPC_PORT:-16685}"
HEALTH_PORT="${TS_JAEGER_HEALTH_PORT:-13133}"
D="$JAEGER_DIR"

print_env() {
  echo "export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_HTTP_PORT"
  echo "export TS_JAEGER_QUERY_URL=http://127.0.0.1:$QUERY_PORT"
}

port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

start() {
  local jaeger port
  jaeger=$(tool_path jaeger)
  if process_alive "$D" jaeger; then
    cluster_fail "jaeger already runs from $D (scripts/cluster/jaeger.sh stop first)"
  fi
  for port in "$OTLP_HTTP_PORT" "$OTLP_GRPC_PORT" "$QUERY_PORT" "$QUERY_GRPC_PORT" "$HEALTH_PORT"; do
    port_free "$port" || cluster_fail "jaeger: port 127.0.0.1:$port is in use (set TS_JAEGER_*_PORT)"
  done
  rm -rf "$D"
  mkdir -p "$D"
  cat >"$D/config.yaml" <<YAML
# Written by scripts/cluster/jaeger.sh: all-in-one, in-memory, loopback only.
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: info
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:$HEALTH_PORT
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$QUERY_PORT
    grpc:
      endpoint: 127.0.0.1:$QUERY_GRPC_PORT
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$OTLP_GRPC_PORT
      http:
        endpoint: 127.0.0.1:$OTLP_HTTP_PORT
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
YAML
  cluster_log "starting jaeger: OTLP/HTTP 127.0.0.1:$OTLP_HTTP_PORT, query 127.0.0.1:$QUERY_PORT"
  start_process "$D" jaeger "$jaeger" --config "$D/config.yaml"
  wait_for 60 "jaeger query API http://127.0.0.1:$QUERY_PORT/api/services" "$D" jaeger \
    curl -fsS "http://127.0.0.1:$QUERY_PORT/api/services"
  # An empty OTLP export: 200 once the receiver is up.
  wait_for 60 "jaeger OTLP/HTTP receiver on 127.0.0.1:$OTLP_HTTP_PORT" "$D" jaeger \
    curl -fsS -X POST -H 'Content-Type: application/json' -d '{"resourceSpans":[]}' \
    "http://127.0.0.1:$OTLP_HTTP_PORT/v1/traces"
  print_env
}

case "${1:-}" in
  start) start ;;
  stop)
    if [[ -d "$D/pids" ]]; then stop_process "$D" jaeger; fi
    rm -rf "$D" ;;
  status) process_alive "$D" jaeger ;;
  env) print_env ;;
  *) sed -n '2,22p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
