#!/usr/bin/env bash
# The project's benchmarks, each printing its figures, against a throwaway Postgres
# and Redis like the tests (or TEST_DATABASE_URL / TEST_REDIS_URL when given).
#
#   scripts/bench.sh                 every benchmark
#   scripts/bench.sh cached_markets  only the named ones
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck disable=SC1091 # rustup's env file, present only on some machines
if [[ -f "$HOME/.cargo/env" ]]; then source "$HOME/.cargo/env"; fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradingstack/target}"

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
ensure_services

# package:bench pairs; later issues append theirs.
BENCHES=(
  api:cached_markets
  tradingstack-operator:reconcile
  bot:update_latency
  workers:tpsl_latency
  workers:copy_fanout
)

for entry in "${BENCHES[@]}"; do
  package=${entry%%:*}
  bench=${entry#*:}
  if [[ $# -gt 0 && ! " $* " == *" $bench "* ]]; then continue; fi
  log "cargo bench -p $package --bench $bench"
  cargo bench -p "$package" --bench "$bench"
done
