#!/usr/bin/env bash
# Checks caching through the running api: a repeated read is a Redis hit (the
# ts_cache_hits_total counter of /metrics moves), cached keys carry a TTL, and a write
# deletes the cached read it made stale.
#
#   scripts/dev/test-cache-integration.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
tsdev check-cache
