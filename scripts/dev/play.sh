#!/usr/bin/env bash
# Plays a Telegram user of the local bot from this terminal, through the Telegram fake
# that start-all.sh starts when no TELEGRAM_BOT_TOKEN is set: type /start, commands or
# text; type a button's number to press it.
#
#   scripts/dev/play.sh [--user 1001]
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
tsdev play "$@"
