#!/usr/bin/env bash
# Stops what start-all.sh started, by its pid files in logs/ only: workers, bot, api,
# the fakes, Jaeger, and the Postgres and Redis it started (never servers it found
# running). Leaves data in place.
#
#   scripts/dev/stop-all.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"

for name in workers bot api fakes redis; do stop_pid "$name"; done
if [[ -f $LOG_DIR/jaeger/pids/jaeger.pid ]]; then
  TS_JAEGER_DIR="$LOG_DIR/jaeger" scripts/cluster/jaeger.sh stop >/dev/null 2>&1 && ok "stopped Jaeger"
fi
if [[ -f $LOG_DIR/postgres.datadir ]]; then
  data=$(cat "$LOG_DIR/postgres.datadir")
  bin=$(pg_bin)
  if [[ -n $bin && -f $data/postmaster.pid ]]; then
    as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null && ok "stopped Postgres ($data)"
  fi
  rm -f "$LOG_DIR/postgres.datadir" "$(pid_file postgres)"
fi
if use_tmux && tmux has-session -t "$TMUX_SESSION" 2>/dev/null; then
  # Only our own session, which is empty once its services are gone.
  tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true
fi
rm -f "$LOG_DIR"/*.env "$LOG_DIR"/run-*.sh
ok "stack stopped"
