#!/usr/bin/env bash
# Brings the whole TradingStack up locally, as in production, with no Docker:
# Postgres and Redis (started here when nothing answers), a local Jaeger when one is
# built (scripts/tools.sh; optional), the Telegram and Polymarket fakes when no real
# credentials or URLs are configured, then api -> /health/ready -> bot -> workers.
# With tmux, each service gets a pane of the session "tradingstack"; otherwise they
# run in the background. Logs and pids: logs/{api,bot,workers,...}.{log,pid}.
#
#   scripts/dev/start-all.sh          start (settings from .env.local / .env, created on first run)
#   TS_NO_TMUX=1 scripts/dev/start-all.sh   background processes even when tmux exists
#   scripts/dev/stop-all.sh           stop everything this started
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"

ensure_env_file
load_env
ensure_postgres
ensure_redis

info "building api, bot, workers and the dev tools (cargo build)"
cargo build -q -p api -p bot -p workers -p devstack
ok "built into $BIN_DIR"

rm -f "$LOG_DIR/stack.env"
# Traces: a local Jaeger (scripts/cluster/jaeger.sh) when it is built and no collector
# is configured. Optional: the stack runs without it.
if [[ -z ${OTEL_EXPORTER_OTLP_ENDPOINT:-} && -x ${TS_TOOLS_DIR:-$HOME/.cache/tradingstack/tools}/bin/jaeger ]]; then
  if jaeger_env=$(TS_JAEGER_DIR="$LOG_DIR/jaeger" scripts/cluster/jaeger.sh start 2>"$LOG_DIR/jaeger-start.log"); then
    eval "$jaeger_env"
    echo "TS_JAEGER_QUERY_URL=$TS_JAEGER_QUERY_URL" >"$LOG_DIR/stack.env"
    ok "Jaeger on ${TS_JAEGER_QUERY_URL:-http://127.0.0.1:16686} (OTLP at $OTEL_EXPORTER_OTLP_ENDPOINT)"
  else
    fail "Jaeger did not start, traces stay off: $(tail -n 1 "$LOG_DIR/jaeger-start.log")"
  fi
elif [[ -z ${OTEL_EXPORTER_OTLP_ENDPOINT:-} ]]; then
  info "no Jaeger built (scripts/tools.sh builds one); traces stay off"
fi

# Fakes for whatever has no real credentials or URLs.
fake_args=()
[[ -z ${TELEGRAM_BOT_TOKEN:-}${BOT_TOKEN:-} ]] && fake_args+=(--telegram)
[[ -z ${GAMMA_API_URL:-} || -z ${CLOB_API_URL:-} || -z ${CLOB_WS_URL:-} || -z ${DATA_API_URL:-} ]] && fake_args+=(--polymarket)
rm -f "$LOG_DIR/fakes.env"
if [[ ${#fake_args[@]} -gt 0 ]]; then
  (cd "$LOG_DIR" && launch fakes "$BIN_DIR/tsdev" fakes --env-file "$LOG_DIR/fakes.env" "${fake_args[@]}")
  for ((i = 0; i < 100; i++)); do [[ -s $LOG_DIR/fakes.env ]] && break; sleep 0.1; done
  [[ -s $LOG_DIR/fakes.env ]] || die "the fakes did not start (see $LOG_DIR/fakes.log)"
  load_fakes_env
  ok "fakes up for: ${fake_args[*]#--}"
fi

launch_role api
if wait_http "$(api_base)/health/ready" 90; then ok "api ready at $(api_base)"; else die "api not ready after 90 s (see $LOG_DIR/api.log)"; fi
launch_role bot
launch_role workers
for svc in bot:"${BOT_HEALTH_PORT:-8001}" workers:"${WORKERS_HEALTH_PORT:-8002}"; do
  if wait_http "http://127.0.0.1:${svc#*:}/health/ready" 60; then ok "${svc%%:*} ready"; else
    fail "${svc%%:*} not ready (see $LOG_DIR/${svc%%:*}.log)"
  fi
done

cat <<MSG

TradingStack is up.
  API          $(api_base)   (docs: $(api_base)/docs; token: API_TOKEN in .env.local)
  health       bot :${BOT_HEALTH_PORT:-8001}, workers :${WORKERS_HEALTH_PORT:-8002}
  logs         $LOG_DIR/*.log   (scripts/dev/monitor-all.sh follows them)
MSG
[[ -n ${TELEGRAM_API_URL:-} && " ${fake_args[*]} " == *" --telegram "* ]] &&
  echo "  play a user  scripts/dev/play.sh   (the bot talks to the local Telegram fake)"
[[ -n ${TS_JAEGER_QUERY_URL:-} ]] && echo "  traces       $TS_JAEGER_QUERY_URL"
use_tmux && echo "  tmux         tmux attach -t $TMUX_SESSION"
echo "  stop         scripts/dev/stop-all.sh"
exit "$FAILED"
