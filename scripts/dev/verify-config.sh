#!/usr/bin/env bash
# Checks the local stack's configuration, one line per check: .env.local / .env,
# the settings of api, bot and workers (the same validation the services run), Postgres
# and Redis reachable, and the scripts of scripts/dev present. Exits non-zero on a failure.
#
#   scripts/dev/verify-config.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
tsdev verify-config
