#!/usr/bin/env bash
# Stops exactly the processes scripts/cluster/up.sh (and operator.sh) started (by the pids it recorded, each
# checked to still be the binary that was started), then removes the state folder.
#
#   scripts/cluster/down.sh               stop and remove $TS_CLUSTER_DIR
#   scripts/cluster/down.sh --keep-logs   stop, remove the etcd data, keep logs/ to read
set -euo pipefail

# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

keep_logs=0
[[ "${1:-}" == "--keep-logs" ]] && keep_logs=1
D="$CLUSTER_DIR"

if [[ ! -d "$D/pids" ]]; then
  cluster_log "nothing to stop in $D"
  exit 0
fi
for name in operator kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  if [[ -f "$D/pids/$name.pid" ]]; then
    stop_process "$D" "$name"
  fi
done
left=$(find "$D/pids" -name '*.pid' 2>/dev/null | wc -l)
[[ $left == 0 ]] || cluster_fail "some processes recorded in $D/pids were not stopped"
if [[ $keep_logs == 1 ]]; then
  rm -rf "$D/etcd" "$D/pki" "$D"/*.kubeconfig "$D/kubeconfig" "$D/pids"
  cluster_log "stopped; logs kept in $D/logs"
else
  rm -rf "$D"
  cluster_log "stopped; removed $D"
fi
