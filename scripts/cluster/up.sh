#!/usr/bin/env bash
# A local Kubernetes control plane with no Docker and no kubelet, for trying the operator and
# for the cluster tests: etcd, kube-apiserver (RBAC on, service-account tokens signed with a
# key made here), kube-controller-manager (garbage collector, deployment and replica-set
# controllers, service-account and token controllers, ...), kube-scheduler and kwok, which
# plays the kubelet of one fake node: pods are scheduled to it and become Running and Ready,
# but no container runs. Everything listens on free ports of 127.0.0.1; state lives in
# $TS_CLUSTER_DIR (default ${TMPDIR:-/tmp}/tradingstack-cluster).
#
#   scripts/tools.sh                 # once: builds the binaries (cached afterwards)
#   eval "$(scripts/cluster/up.sh)"  # or copy the export line it prints
#   kubectl get nodes
#   scripts/cluster/down.sh          # stops exactly what up.sh started, removes the state
#
# The last line on stdout is `export KUBECONFIG=...` (admin, system:masters); progress goes
# to stderr. Exits non-zero naming the component that did not start, with its log's end.
set -euo pipefail

# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_TIMEOUT="${TS_CLUSTER_START_TIMEOUT:-120}"
D="$CLUSTER_DIR"

if [[ -f "$D/pids/kube-apiserver.pid" ]] && process_alive "$D" kube-apiserver; then
  cluster_fail "a control plane already runs from $D: scripts/cluster/down.sh first (or set TS_CLUSTER_DIR)"
fi

ETCD=$(tool_path etcd)
APISERVER=$(tool_path kube-apiserver)
KCM=$(tool_path kube-controller-manager)
SCHEDULER=$(tool_path kube-scheduler)
KWOK=$(tool_path kwok)

if ! command -v openssl >/dev/null; then
  cluster_log "openssl not found; installing it with apt-get"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl; } >&2 ||
    cluster_fail "openssl is needed to make the certificates and could not be installed"
fi
command -v curl >/dev/null || cluster_fail "curl is needed to wait for the API server"
command -v python3 >/dev/null || cluster_fail "python3 is needed to find free ports"

rm -rf "$D"
mkdir -p "$D"/{pki,etcd,logs,pids}
chmod 700 "$D"

# If anything below fails, stop what was already started.
started_ok=0
cleanup_on_failure() {
  if [[ $started_ok == 0 ]]; then
    cluster_log "start-up failed; stopping what was started"
    "$(dirname "${BASH_SOURCE[0]}")/down.sh" --keep-logs >&2 || true
  fi
}
trap cleanup_on_failure EXIT

# ---- certificates ------------------------------------------------------------------------
P="$D/pki"
ossl() { openssl "$@" 2>>"$D/logs/openssl.log"; }
ossl ecparam -name prime256v1 -genkey -noout -out "$P/ca.key"
ossl req -x509 -new -key "$P/ca.key" -subj "/CN=tradingstack-local-ca" -days 30 -out "$P/ca.crt"

# cert NAME SUBJECT EXTENSIONS: an ECDSA key and a certificate signed by the CA.
cert() {
  local name=$1 subject=$2 ext=$3
  ossl ecparam -name prime256v1 -genkey -noout -out "$P/$name.key"
  ossl req -new -key "$P/$name.key" -subj "$subject" -out "$P/$name.csr"
  printf '%b\n' "$ext" >"$P/$name.ext"
  ossl x509 -req -in "$P/$name.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial \
    -days 30 -extfile "$P/$name.ext" -out "$P/$name.crt"
  rm -f "$P/$name.csr" "$P/$name.ext"
}
client_ext='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
cert apiserver "/CN=kube-apiserver" \
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local'
cert admin "/O=system:masters/CN=admin" "$client_ext"
cert controller-manager "/CN=system:kube-controller-manager" "$client_ext"
cert scheduler "/CN=system:kube-scheduler" "$client_ext"
cert kwok "/O=system:masters/CN=kwok" "$client_ext"
# The service-account token signing key pair (RS256).
ossl genrsa -out "$P/sa.key" 2048
ossl rsa -in "$P/sa.key" -pubout -out "$P/sa.pub"

# ---- ports ----------------------------------------------------------------------------------
ETCD_PORT=$(free_port)
ETCD_PEER_PORT=$(free_port)
API_PORT=$(free_port)
KCM_PORT=$(free_port)
SCHED_PORT=$(free_port)
KWOK_PORT=$(free_port)
SERVER="https://127.0.0.1:$API_PORT"

# kubeconfig NAME: a kubeconfig authenticating with the client certificate NAME.
kubeconfig() {
  local name=$1
  cat >"$D/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: tradingstack-local
  cluster:
    server: $SERVER
    certificate-authority-data: $(base64 -w0 <"$P/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 <"$P/$name.crt")
    client-key-data: $(base64 -w0 <"$P/$name.key")
contexts:
- name: tradingstack-local
  context:
    cluster: tradingstack-local
    user: $name
    namespace: default
current-context: tradingstack-local
EOF
  chmod 600 "$D/$name.kubeconfig"
}
for who in admin controller-manager scheduler kwok; do kubeconfig "$who"; done
cp "$D/admin.kubeconfig" "$D/kubeconfig"

# ---- etcd -----------------------------------------------------------------------------------
cluster_log "starting etcd on 127.0.0.1:$ETCD_PORT"
start_process "$D" etcd "$ETCD" \
  --name=local --data-dir="$D/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="local=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --quota-backend-bytes=2147483648 --log-level=warn
wait_for "$START_TIMEOUT" "etcd /health" "$D" etcd \
  curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

# ---- kube-apiserver -------------------------------------------------------------------------
cluster_log "starting kube-apiserver on $SERVER"
# The flags follow controller-runtime's envtest, with RBAC as the only authorizer, the
# ServiceAccount admission on (the service-account controller creates `default` accounts),
# OwnerReferencesPermissionEnforcement on (owner references with blockOwnerDeletion need
# the update verb on the owner's finalizers, as on most production clusters) and the
# TokenRequest API (kubectl create token) served with the key pair made above.
start_process "$D" kube-apiserver "$APISERVER" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --secure-port="$API_PORT" --advertise-address=127.0.0.1 \
  --endpoint-reconciler-type=none \
  --cert-dir="$D/pki" \
  --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
  --client-ca-file="$P/ca.crt" \
  --authorization-mode=RBAC \
  --enable-admission-plugins=OwnerReferencesPermissionEnforcement \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$P/sa.pub" \
  --service-account-signing-key-file="$P/sa.key" \
  --api-audiences=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=10.96.0.0/16 \
  --allow-privileged=true \
  --profiling=false \
  --v=1
READYZ=(curl -fsS --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" "$SERVER/readyz")
wait_for "$START_TIMEOUT" "kube-apiserver $SERVER/readyz" "$D" kube-apiserver "${READYZ[@]}"

# ---- controllers, scheduler, kwok -------------------------------------------------------------
cluster_log "starting kube-controller-manager, kube-scheduler and kwok"
start_process "$D" kube-controller-manager "$KCM" \
  --kubeconfig="$D/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$D/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$D/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
  --controllers='*' \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$P/sa.key" \
  --root-ca-file="$P/ca.crt" \
  --cluster-name=tradingstack-local \
  --leader-elect=false \
  --concurrent-deployment-syncs=10 --concurrent-replicaset-syncs=10 \
  --concurrent-gc-syncs=20 \
  --kube-api-qps=200 --kube-api-burst=400 \
  --profiling=false \
  --v=1
start_process "$D" kube-scheduler "$SCHEDULER" \
  --kubeconfig="$D/scheduler.kubeconfig" \
  --authentication-kubeconfig="$D/scheduler.kubeconfig" \
  --authorization-kubeconfig="$D/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" \
  --leader-elect=false \
  --kube-api-qps=200 --kube-api-burst=400 \
  --profiling=false \
  --v=1
# No Stage objects are configured, so kwok uses its default stages: nodes become Ready, pods go
# Pending -> Running and Ready, deleted pods are removed. The lease duration must be given:
# without a config file kwok v0.7.0 leaves it at 0, renews no node lease and heartbeats the
# node status only every ~55 s, past the node lifecycle controller's 50 s grace period, which
# then marks the node NotReady and its pods not ready.
start_process "$D" kwok "$KWOK" \
  --kubeconfig="$D/kwok.kubeconfig" \
  --node-lease-duration-seconds=40 \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --cidr=10.244.0.1/16 \
  --node-ip=127.0.0.1 \
  --server-address="127.0.0.1:$KWOK_PORT"

# The fake node: large enough for the benchmark's 100 stacks (400 pods), untainted so that
# pods need no toleration.
API=(curl -fsS --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key"
  -H 'Content-Type: application/json')
"${API[@]}" -X POST "$SERVER/api/v1/nodes" -o /dev/null -d '{
  "apiVersion": "v1", "kind": "Node",
  "metadata": {
    "name": "kwok-node-0",
    "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
    "labels": {"kubernetes.io/hostname": "kwok-node-0", "kubernetes.io/os": "linux",
               "kubernetes.io/arch": "amd64", "kubernetes.io/role": "agent", "type": "kwok"}
  },
  "status": {
    "allocatable": {"cpu": "1000", "memory": "4Ti", "pods": "2000"},
    "capacity": {"cpu": "1000", "memory": "4Ti", "pods": "2000"}
  }
}' || cluster_fail "creating the fake node kwok-node-0 failed (log: $D/logs/kube-apiserver.log)"

node_ready() {
  "${API[@]}" "$SERVER/api/v1/nodes/kwok-node-0" |
    python3 -c 'import json,sys; n=json.load(sys.stdin); sys.exit(0 if any(c["type"]=="Ready" and c["status"]=="True" for c in n.get("status",{}).get("conditions",[])) else 1)'
}
wait_for "$START_TIMEOUT" "kwok: node kwok-node-0 Ready" "$D" kwok node_ready
require_alive "$D" kube-scheduler
# The service-account controller runs once the default ServiceAccount exists; pods are only
# admitted after that.
wait_for "$START_TIMEOUT" "kube-controller-manager: ServiceAccount default/default" \
  "$D" kube-controller-manager "${API[@]}" "$SERVER/api/v1/namespaces/default/serviceaccounts/default"

cat >"$D/env" <<EOF
# Written by scripts/cluster/up.sh
TS_CLUSTER_DIR=$D
KUBECONFIG=$D/kubeconfig
TS_CLUSTER_SERVER=$SERVER
TS_CLUSTER_CA=$P/ca.crt
EOF
started_ok=1
cluster_log "ready: API server $SERVER, node kwok-node-0 (kwok), state and logs in $D"
cluster_log "stop it with scripts/cluster/down.sh"
echo "export KUBECONFIG=$D/kubeconfig"
