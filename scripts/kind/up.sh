#!/usr/bin/env bash
# The whole TradingStack on a local kind cluster (Docker): creates the cluster from
# kind-config.yaml, builds the image and loads it into the nodes, installs the operator
# chart, creates the stack's Secret, installs a stack (with Jaeger and a dev Postgres) and
# waits until it is Ready; then prints how to reach the API, Jaeger and the logs.
#
#   scripts/kind/up.sh              everything (rerun it after a code change: it rebuilds,
#                                   reloads and upgrades; the cluster and secrets are kept)
#   scripts/kind/up.sh --no-build   reuse the image tradingstack:dev already built
#   scripts/kind/up.sh --dry-run    print the commands; render the charts with the values
#   scripts/kind/up.sh --help
#   scripts/kind/down.sh            delete the cluster
#
# Needs docker (with a running engine) and kind on PATH; helm and kubectl are installed by
# scripts/lib/kubetools.sh. Settings, from the environment:
#   TELEGRAM_BOT_TOKEN   the bot's token from @BotFather. Without it the bot is left out
#                        (bot.replicas=0), as it cannot become ready without Telegram.
#   TELEGRAM_API_URL     another Bot API base URL for the bot (optional)
#   API_TOKEN, WEBHOOK_SECRET, ENCRYPTION_KEY (32 characters)
#                        default: what the cluster's Secret already holds, else generated
#   DATABASE_URL         an external Postgres; default: the chart's dev Postgres
#   KIND_CLUSTER (tradingstack), TS_NAMESPACE (default), TS_STACK (demo),
#   KIND_NODE_IMAGE (kind's default), TS_WAIT_TIMEOUT (10m)
# The workers read Polymarket's public APIs and the bot Telegram's, so the nodes need a way
# out to the internet for the stack to become Ready.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/kind/lib.sh
source scripts/kind/lib.sh
# shellcheck source=scripts/lib/kubetools.sh
source scripts/lib/kubetools.sh

build=1
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    --dry-run) DRY_RUN=1 ;;
    -h | --help) sed -n '2,27p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) fail "unknown argument '$arg' (try --help)" ;;
  esac
done

IMAGE="$TS_IMAGE_REPOSITORY:$TS_IMAGE_TAG"
SECRET_NAME="$TS_STACK-secrets"
WAIT_TIMEOUT="${TS_WAIT_TIMEOUT:-10m}"
JAEGER_COLLECTOR="http://jaeger-collector.$TS_NAMESPACE.svc:4318"

# ---- prerequisites ----------------------------------------------------------------------

if [[ $DRY_RUN == 1 ]]; then
  ok "dry run: commands are printed, the charts rendered with helm template"
else
  need_kind_and_docker
fi
ensure_helm >/dev/null 2>&1 || fail "helm could not be installed (scripts/lib/kubetools.sh: ensure_helm)"
ensure_kubectl >/dev/null 2>&1 || fail "kubectl could not be installed (scripts/lib/kubetools.sh: ensure_kubectl)"
ok "helm $KUBETOOLS_HELM_VERSION and kubectl $KUBETOOLS_KUBECTL_VERSION in $TS_TOOLS_BIN"

k() { x "$KUBECTL" --context "$KIND_CONTEXT" "$@"; }

# helm_install RELEASE CHART NAMESPACE ARGS...: upgrade --install, or helm template in a dry run.
helm_install() {
  local release=$1 chart=$2 namespace=$3
  shift 3
  if [[ $DRY_RUN == 1 ]]; then
    printf '   $ helm upgrade --install %s %s -n %s' "$release" "$chart" "$namespace"
    printf ' %q' "$@"
    printf '\n'
    "$HELM" template "$release" "$chart" --namespace "$namespace" "$@" >/dev/null
  else
    "$HELM" upgrade --install "$release" "$chart" --kube-context "$KIND_CONTEXT" \
      --namespace "$namespace" --create-namespace "$@"
  fi
}

# ---- 1. the cluster ---------------------------------------------------------------------

create_cluster() {
  local args=(create cluster --config kind-config.yaml --name "$KIND_CLUSTER" --wait 120s)
  if [[ -n ${KIND_NODE_IMAGE:-} ]]; then args+=(--image "$KIND_NODE_IMAGE"); fi
  x kind "${args[@]}"
}

if [[ $DRY_RUN != 1 ]] && cluster_exists; then
  ok "kind cluster $KIND_CLUSTER exists (context $KIND_CONTEXT)"
else
  step "create the kind cluster $KIND_CLUSTER (kind-config.yaml)" create_cluster
fi

# ---- 2. the image -----------------------------------------------------------------------

if [[ $build == 1 ]]; then
  step "docker build -t $IMAGE . (the four binaries; minutes the first time)" \
    x env DOCKER_BUILDKIT=1 docker build -t "$IMAGE" .
fi
step "kind load docker-image $IMAGE" x kind load docker-image "$IMAGE" --name "$KIND_CLUSTER"

# ---- 3. the operator --------------------------------------------------------------------

# Helm installs a chart's crds/ only once; applying it keeps the CRD current on reruns.
step "apply the TradingStack CRD" \
  k apply --server-side --force-conflicts -f charts/tradingstack-operator/crds/tradingstack.yaml
operator_rollout() {
  helm_install "$OPERATOR_RELEASE" charts/tradingstack-operator "$OPERATOR_NAMESPACE" \
    --set-string image.repository="$TS_IMAGE_REPOSITORY" --set-string image.tag="$TS_IMAGE_TAG" \
    --set-string otlpEndpoint="$JAEGER_COLLECTOR" \
    --wait --timeout 5m
  # The same tag is loaded again after a rebuild: restart to run the new image.
  if [[ $build == 1 ]]; then
    k -n "$OPERATOR_NAMESPACE" rollout restart "deployment/$OPERATOR_RELEASE"
    k -n "$OPERATOR_NAMESPACE" rollout status "deployment/$OPERATOR_RELEASE" --timeout 3m
  fi
}
step "helm upgrade --install $OPERATOR_RELEASE (namespace $OPERATOR_NAMESPACE)" operator_rollout

# ---- 4. the Secret ----------------------------------------------------------------------

# existing_key SECRET KEY: a key of a Secret in the cluster, or nothing.
existing_key() {
  [[ $DRY_RUN == 1 ]] && return 0
  "$KUBECTL" --context "$KIND_CONTEXT" -n "$TS_NAMESPACE" get secret "$1" \
    -o "go-template={{index .data \"$2\" | base64decode}}" 2>/dev/null || true
}
random_hex() { python3 -c "import secrets, sys; print(secrets.token_hex(int(sys.argv[1])))" "$1"; }

API_TOKEN="${API_TOKEN:-$(existing_key "$SECRET_NAME" API_TOKEN)}"
API_TOKEN="${API_TOKEN:-$(random_hex 24)}"
WEBHOOK_SECRET="${WEBHOOK_SECRET:-$(existing_key "$SECRET_NAME" WEBHOOK_SECRET)}"
WEBHOOK_SECRET="${WEBHOOK_SECRET:-$(random_hex 24)}"
# Changing it would make the wallets already stored unreadable: kept once generated.
ENCRYPTION_KEY="${ENCRYPTION_KEY:-$(existing_key "$SECRET_NAME" ENCRYPTION_KEY)}"
ENCRYPTION_KEY="${ENCRYPTION_KEY:-$(random_hex 16)}"
[[ ${#ENCRYPTION_KEY} == 32 ]] || fail "ENCRYPTION_KEY must be exactly 32 characters, it has ${#ENCRYPTION_KEY}"

postgres_args=()
if [[ -n ${DATABASE_URL:-} ]]; then
  postgres_args=(--set postgres.enabled=false)
else
  POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-$(existing_key "$TS_STACK-postgres" POSTGRES_PASSWORD)}"
  POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-$(random_hex 16)}"
  DATABASE_URL="postgres://tradingstack:$POSTGRES_PASSWORD@$TS_STACK-postgres:5432/tradingstack?sslmode=disable"
  # In a values file (mode 600), not on a command line.
  PG_VALUES=$(mktemp "${TMPDIR:-/tmp}/tradingstack-postgres.XXXXXX.yaml")
  trap 'rm -f "$PG_VALUES"' EXIT
  python3 -c 'import json, sys; print(json.dumps({"postgres": {"enabled": True, "password": sys.argv[1]}}))' \
    "$POSTGRES_PASSWORD" >"$PG_VALUES"
  postgres_args=(--values "$PG_VALUES")
fi

bot_replicas=1
if [[ -z ${TELEGRAM_BOT_TOKEN:-} ]]; then
  TELEGRAM_BOT_TOKEN="${BOT_TOKEN:-}"
fi
if [[ -z $TELEGRAM_BOT_TOKEN ]]; then
  bot_replicas=0
  # The operator requires the key; the bot, left out, never uses it.
  TELEGRAM_BOT_TOKEN="000000000:not-set-bot-left-out"
  echo "⚠️  TELEGRAM_BOT_TOKEN is not set: the stack runs without the bot (bot.replicas=0)."
  echo "   Rerun with TELEGRAM_BOT_TOKEN=<token from @BotFather> to add it."
fi

# The Secret as a manifest on stdin, so no value appears in a process list or in Helm's
# release record.
apply_secret() {
  local manifest
  manifest=$(python3 - "$SECRET_NAME" "$TS_NAMESPACE" <<'PY'
import json, os, sys
keys = ["API_TOKEN", "WEBHOOK_SECRET", "ENCRYPTION_KEY", "DATABASE_URL", "TELEGRAM_BOT_TOKEN",
        "CLOB_API_KEY", "CLOB_API_SECRET", "CLOB_API_PASSPHRASE"]
print(json.dumps({
    "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
    "metadata": {"name": sys.argv[1], "namespace": sys.argv[2],
                 "labels": {"app.kubernetes.io/part-of": "tradingstack"}},
    "stringData": {k: os.environ[k] for k in keys if os.environ.get(k)},
}))
PY
)
  if [[ $DRY_RUN == 1 ]]; then
    echo "   $ kubectl apply -f - <<< (Secret $SECRET_NAME with $(python3 -c 'import json,sys; print(", ".join(sorted(json.load(sys.stdin)["stringData"])))' <<<"$manifest"))"
  else
    "$KUBECTL" --context "$KIND_CONTEXT" create namespace "$TS_NAMESPACE" --dry-run=client -o yaml \
      | "$KUBECTL" --context "$KIND_CONTEXT" apply -f -
    "$KUBECTL" --context "$KIND_CONTEXT" apply -f - <<<"$manifest"
  fi
}
export API_TOKEN WEBHOOK_SECRET ENCRYPTION_KEY DATABASE_URL TELEGRAM_BOT_TOKEN
step "create the Secret $SECRET_NAME in $TS_NAMESPACE" apply_secret

# ---- 5. the stack -----------------------------------------------------------------------

stack_args=(
  --set-string stackName="$TS_STACK"
  --set-string image.repository="$TS_IMAGE_REPOSITORY" --set-string image.tag="$TS_IMAGE_TAG"
  --set secret.create=false --set-string secret.existingSecret="$SECRET_NAME"
  --set jaeger.enabled=true
  --set expose.nodePorts.api="$API_NODE_PORT" --set expose.nodePorts.jaeger="$JAEGER_NODE_PORT"
  --set bot.replicas="$bot_replicas"
  "${postgres_args[@]}"
)
if [[ -n ${TELEGRAM_API_URL:-} ]]; then stack_args+=(--set-string bot.telegramApiUrl="$TELEGRAM_API_URL"); fi

stack_rollout() {
  helm_install "$TS_STACK" charts/tradingstack "$TS_NAMESPACE" "${stack_args[@]}" --wait --timeout 5m
  # A rebuilt image under the same tag: restart what runs it (the operator re-applies nothing).
  if [[ $build == 1 && $DRY_RUN != 1 ]]; then
    local role
    for role in api bot workers; do
      if "$KUBECTL" --context "$KIND_CONTEXT" -n "$TS_NAMESPACE" get "deployment/$TS_STACK-$role" >/dev/null 2>&1; then
        k -n "$TS_NAMESPACE" rollout restart "deployment/$TS_STACK-$role"
      fi
    done
  fi
}
step "helm upgrade --install $TS_STACK (TradingStack, Jaeger, dev Postgres, node ports)" stack_rollout

# ---- 6. ready ---------------------------------------------------------------------------

wait_ready() {
  if ! k -n "$TS_NAMESPACE" wait --for=jsonpath='{.status.phase}'=Ready "tradingstack/$TS_STACK" \
      --timeout="$WAIT_TIMEOUT"; then
    k -n "$TS_NAMESPACE" get "tradingstack/$TS_STACK" \
      -o 'go-template={{range .status.conditions}}{{.type}}={{.status}} {{.reason}}: {{.message}}{{"\n"}}{{end}}' || true
    k -n "$TS_NAMESPACE" get deployments,pods -o wide || true
    return 1
  fi
  k -n "$TS_NAMESPACE" get "tradingstack/$TS_STACK"
  k -n "$TS_NAMESPACE" get deployments,services
}
step "wait for tradingstack/$TS_STACK to be Ready (up to $WAIT_TIMEOUT)" wait_ready

# ---- 7. how to reach it -----------------------------------------------------------------

N="-n $TS_NAMESPACE"
cat <<EOF

TradingStack $TS_STACK is up on kind cluster $KIND_CLUSTER (kubectl context $KIND_CONTEXT).

  API        http://localhost:$API_NODE_PORT          (docs: http://localhost:$API_NODE_PORT/docs)
             curl -s localhost:$API_NODE_PORT/health/ready
             export API_TOKEN=\$(kubectl $N get secret $SECRET_NAME -o jsonpath='{.data.API_TOKEN}' | base64 -d)
             curl -s -H "Authorization: Bearer \$API_TOKEN" 'localhost:$API_NODE_PORT/api/v1/markets?limit=5'
  Jaeger UI  http://localhost:$JAEGER_NODE_PORT         (services api, bot, workers and the operator)
  Stack      kubectl $N get ts $TS_STACK; kubectl $N describe ts $TS_STACK
  Logs       kubectl $N logs deploy/$TS_STACK-api -f
             kubectl $N logs deploy/$TS_STACK-workers -f
             kubectl $N logs deploy/$TS_STACK-bot -f
             kubectl -n $OPERATOR_NAMESPACE logs deploy/$OPERATOR_RELEASE -f
  kubectl    $TS_TOOLS_BIN/kubectl (or any kubectl: the context is $KIND_CONTEXT)
  Delete     scripts/kind/down.sh
EOF
