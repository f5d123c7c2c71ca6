#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test of the workspace
# against a throwaway Postgres and Redis that this script starts and stops itself.
#
#   scripts/test.sh                       everything (what CI runs)
#   scripts/test.sh -p ts-cache           extra args go to `cargo test`
#   TEST_SH_SKIP_LINT=1 scripts/test.sh   skip fmt and clippy while iterating
#   TEST_DATABASE_URL=... / TEST_REDIS_URL=...   use servers you already run
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck disable=SC1091 # rustup's env file, present only on some machines
if [[ -f "$HOME/.cargo/env" ]]; then source "$HOME/.cargo/env"; fi
command -v cargo >/dev/null || { echo "test.sh: cargo not found (install Rust via rustup)" >&2; exit 1; }
# Outside the clone and persistent, so a fresh clone (CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradingstack/target}"

# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh
ensure_services

# ---- checks, in order; later steps (helm, shellcheck, cluster tests) append here ----

check_fmt() {
  log "cargo fmt --all -- --check"
  cargo fmt --all -- --check
}

check_clippy() {
  log "cargo clippy --workspace --all-targets -- -D warnings"
  cargo clippy --workspace --all-targets -- -D warnings
}

check_manifests() {
  log "scripts/check-manifests.sh (helm lint/template, kubernetes-validate, CRD drift, shellcheck)"
  bash scripts/check-manifests.sh
}

check_test() {
  # `--workspace` would override a `-p` given by the caller.
  local scope=(--workspace) arg
  for arg in "$@"; do
    case $arg in -p | -p* | --package | --package=*) scope=() ;; esac
  done
  log "cargo test $(printf '%s ' "${scope[@]}" "$@")"
  cargo test "${scope[@]}" "$@"
}

CHECKS=(check_fmt check_clippy check_manifests check_test)
if [[ -n "${TEST_SH_SKIP_LINT:-}" ]]; then CHECKS=(check_test); fi

for check in "${CHECKS[@]}"; do
  if [[ $check == check_test ]]; then "$check" "$@"; else "$check"; fi
done
