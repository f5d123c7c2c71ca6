#!/usr/bin/env bash
# Follows the logs of the local stack: attaches to the tmux session start-all.sh made
# (one pane per service), or without tmux follows logs/*.log interleaved.
#
#   scripts/dev/monitor-all.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
if use_tmux && tmux has-session -t "$TMUX_SESSION" 2>/dev/null; then
  if [[ -n ${TMUX:-} ]]; then exec tmux switch-client -t "$TMUX_SESSION"; fi
  exec tmux attach -t "$TMUX_SESSION"
fi
logs=()
for name in api bot workers fakes jaeger; do
  [[ -f $LOG_DIR/$name.log ]] && logs+=("$LOG_DIR/$name.log")
done
[[ ${#logs[@]} -gt 0 ]] || die "no logs in $LOG_DIR: start the stack with scripts/dev/start-all.sh"
exec tail -n 20 -F "${logs[@]}"
