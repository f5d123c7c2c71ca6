#!/usr/bin/env bash
# Checks SKIP_DB for the bot two ways: its dependency graph (cargo tree -p bot has no
# sqlx, redis, store or cache crate) and the running bot's own environment (SKIP_DB=true,
# no DATABASE_URL or REDIS_URL), and that it is ready on the API alone.
#
#   scripts/dev/verify-handlers-skip-db.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
tsdev check-skip-db
