#!/usr/bin/env bash
# Runs both seed scenarios against the running local stack (real bot, api and workers;
# fakes for Telegram, Polymarket and the indexer), one line per step:
#   1. copy trading: a leader's trade by signed webhook -> stored -> stream -> listener ->
#      the follower's position through the API -> notification -> /positions;
#   2. smart trading: recommendation -> position with TP/SL -> price pushed over the
#      market WebSocket -> closed with reason take_profit -> notification.
#
#   scripts/dev/test-e2e-scenarios.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
tsdev e2e
