#!/usr/bin/env bash
# Starts the workers service of the local stack in the background (or as a pane of the
# tmux session start-all.sh made), with logs/workers.log and logs/workers.pid.
#
#   scripts/dev/start-workers.sh        needs the binary built (start-all.sh builds it)
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
load_env
load_fakes_env
launch_role workers
