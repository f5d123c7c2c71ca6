#!/usr/bin/env bash
# Checks the running workers: every worker running, active markets polled into the
# API, prices streamed to ts:price:{token_id}, watched addresses answering.
#
#   scripts/dev/test-workers.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
tsdev check-workers
