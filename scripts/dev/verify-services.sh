#!/usr/bin/env bash
# Checks that every service of the running local stack answers: api live, ready,
# docs and bearer auth; bot and workers live and ready (with each worker's state); the
# local fakes. Exits non-zero on a failure.
#
#   scripts/dev/verify-services.sh
set -euo pipefail
# shellcheck source=scripts/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
want_help "${1:-}"
tsdev verify-services
