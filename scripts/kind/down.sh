#!/usr/bin/env bash
# Deletes the kind cluster that scripts/kind/up.sh created, with everything in it.
#
#   scripts/kind/down.sh          delete the cluster "tradingstack" (KIND_CLUSTER overrides)
#   scripts/kind/down.sh --help
#
# The image tradingstack:dev stays in the local Docker engine; `docker rmi tradingstack:dev`
# removes it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/kind/lib.sh
source scripts/kind/lib.sh

case ${1:-} in
  -h | --help) sed -n '2,9p' "${BASH_SOURCE[0]}"; exit 0 ;;
  "") ;;
  *) fail "unknown argument '$1' (try --help)" ;;
esac

need_cmd kind "go install sigs.k8s.io/kind@v0.33.0, or see https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
if ! cluster_exists; then
  ok "no kind cluster $KIND_CLUSTER: nothing to delete"
  exit 0
fi
step "delete the kind cluster $KIND_CLUSTER" kind delete cluster --name "$KIND_CLUSTER"
