#!/usr/bin/env bash
# Checks the running bot against the running api as a Telegram user would, through the
# local Telegram fake: /start registers the user in the API, /markets shows the API's
# markets, a market button opens it, every command is registered and listed by /help.
#
#   scripts/dev/test-bot-api-integration.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
tsdev check-bot-api
