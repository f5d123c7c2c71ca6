#!/usr/bin/env bash
# Checks of everything that is deployed, all offline: the Helm charts, deploy/, the CRD, the
# Dockerfile and kind-config.yaml against the code, and every shell script.
#
#   scripts/check-manifests.sh          every check, one ✅/❌ line each; exit 1 if one failed
#   scripts/check-manifests.sh --keep   keep the rendered manifests and print their folder
#
# 1. helm lint --strict of both charts, with their default values and each ci/*.yaml.
# 2. helm template of both charts (Kubernetes 1.31) with the default values and each
#    ci/*.yaml (Jaeger, dev Postgres, the chart's Secret, an existing Secret, one watched
#    namespace, no RBAC, ...); and values that must fail, failing with a clear message.
# 3. The rendered manifests and every YAML file under deploy/ pass kubernetes-validate
#    --strict for Kubernetes 1.31.0 (unknown fields rejected). Its built-in schemas do not
#    know custom resources and only warn about them, so here a kind without a schema fails,
#    except TradingStack objects, which are validated against the openAPIV3Schema of the
#    CRD itself (strict as well; the CEL rules are left to the API server and the operator's
#    tests).
# 4. charts/tradingstack-operator/crds/tradingstack.yaml and deploy/crds/tradingstack.yaml
#    are byte for byte what `crdgen` prints; the chart's RBAC rules are those of
#    deploy/rbac/clusterrole.yaml.
# 5. The Dockerfile parses with BuildKit's parser (PyPI dockerfile, its Go parser) and builds
#    every binary that the operator's pods and the operator chart run, from packages that
#    exist, as the uid the operator runs them with; kind-config.yaml maps the node ports that
#    scripts/kind/up.sh gives the stack.
# 6. shellcheck -x of every *.sh under scripts/ and .ci/run.
#
# Installs what it needs once: helm (scripts/lib/kubetools.sh), kubernetes-validate and
# dockerfile in a venv ($TS_CACHE_DIR/venv, default ~/.cache/tradingstack/venv), shellcheck
# with apt-get. Warm, it takes seconds.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

K8S_VERSION=1.31.0
KUBERNETES_VALIDATE_VERSION=1.37.0
# kubernetes-validate, and BuildKit's Dockerfile parser (the Go one, as a Python package).
PY_REQUIREMENTS=("kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "dockerfile==3.4.0")
CACHE_DIR="${TS_CACHE_DIR:-$HOME/.cache/tradingstack}"
VENV="$CACHE_DIR/venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradingstack/target}"
# The node ports of scripts/kind/up.sh, mapped to the host by kind-config.yaml.
KIND_NODE_PORTS=(30080 30686)

keep=0
case ${1:-} in
  --keep) keep=1 ;;
  -h | --help) sed -n '2,30p' "${BASH_SOURCE[0]}"; exit 0 ;;
  "") ;;
  *) echo "check-manifests.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

# shellcheck source=scripts/lib/kubetools.sh
source scripts/lib/kubetools.sh

OUT=$(mktemp -d /tmp/tradingstack-manifests.XXXXXX)
LOG="$OUT/log"
failed=0
finish() {
  if [[ $keep == 1 || $failed != 0 ]]; then
    echo "rendered manifests and logs: $OUT"
  else
    rm -rf "$OUT"
  fi
}
trap finish EXIT

# check NAME COMMAND...: one ✅/❌ line with the time taken; the command's output only on
# failure. The command runs in a background subshell so that `set -e` holds inside it.
check() {
  local name=$1 start status=0 ms
  shift
  start=${EPOCHREALTIME/./}
  ( set -euo pipefail; "$@" ) >"$LOG" 2>&1 &
  wait $! || status=$?
  ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
  if [[ $status == 0 ]]; then
    printf '✅ %s (%d.%01ds)\n' "$name" $((ms / 1000)) $((ms % 1000 / 100))
  else
    printf '❌ %s (%d.%01ds)\n' "$name" $((ms / 1000)) $((ms % 1000 / 100))
    sed 's/^/   /' "$LOG" | tail -n 60
    failed=$((failed + 1))
  fi
}

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_get_install() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# ---- tools ----------------------------------------------------------------------------

tool_helm() { ensure_helm; }

# The Python tools, in a venv outside the clone; a stamp file names what it holds.
tool_validator() {
  local stamp="$VENV/.tradingstack-requirements"
  if [[ -x $VENV/bin/python && -f $stamp && $(cat "$stamp") == "${PY_REQUIREMENTS[*]}" ]]; then
    echo "${PY_REQUIREMENTS[*]} in $VENV"
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  # Debian's python3 makes a venv only with python3-venv installed.
  if ! python3 -m venv --clear "$VENV"; then
    apt_get_install python3-venv
    python3 -m venv --clear "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_REQUIREMENTS[@]}"
  echo "${PY_REQUIREMENTS[*]}" >"$stamp"
  echo "installed ${PY_REQUIREMENTS[*]} in $VENV"
}

tool_shellcheck() {
  command -v shellcheck >/dev/null || apt_get_install shellcheck
  shellcheck --version | sed -n 's/^version: /shellcheck /p'
}

# ---- helm -----------------------------------------------------------------------------

OPERATOR_CHART=charts/tradingstack-operator
STACK_CHART=charts/tradingstack

# values_variants CHART: "default" and each ci/*.yaml.
values_variants() {
  echo default
  local f
  for f in "$1"/ci/*.yaml; do [[ -e $f ]] && echo "$f"; done
}

values_args() { [[ $1 == default ]] || printf '%s\n' --values "$1"; }

variant_name() { if [[ $1 == default ]]; then echo default; else basename "$1" .yaml; fi; }

lint_chart() {
  local chart=$1 variant args
  for variant in $(values_variants "$chart"); do
    mapfile -t args < <(values_args "$variant")
    echo "== helm lint --strict $chart ($(variant_name "$variant"))"
    "$HELM" lint --strict --kube-version "$K8S_VERSION" "$chart" "${args[@]}"
  done
}

# notes_copy CHART: a copy of the chart whose NOTES.txt renders as templates/zz-notes.yaml
# (helm template leaves NOTES.txt out, and helm install --dry-run needs a cluster).
notes_copy() {
  local copy
  copy="$OUT/notes/$(basename "$1")"
  mkdir -p "$OUT/notes"
  rm -rf "$copy"
  cp -r "$1" "$copy"
  mv "$copy/templates/NOTES.txt" "$copy/notes.tpl"
  echo 'notes: {{ tpl (.Files.Get "notes.tpl") . | toJson }}' >"$copy/templates/zz-notes.yaml"
  echo "$copy"
}

# template_chart CHART RELEASE NAMESPACE: one file per values variant under $OUT/rendered,
# and its NOTES.txt under $OUT/notes.
template_chart() {
  local chart=$1 release=$2 namespace=$3 variant args out copy
  mkdir -p "$OUT/rendered"
  copy=$(notes_copy "$chart")
  for variant in $(values_variants "$chart"); do
    mapfile -t args < <(values_args "$variant")
    out="$OUT/rendered/$(basename "$chart")-$(variant_name "$variant").yaml"
    echo "== helm template $chart ($(variant_name "$variant")) > $out"
    "$HELM" template "$release" "$chart" --namespace "$namespace" \
      --kube-version "$K8S_VERSION" "${args[@]}" >"$out"
    [[ -s $out ]] || { echo "$out is empty"; return 1; }
    "$HELM" template "$release" "$copy" --namespace "$namespace" --kube-version "$K8S_VERSION" \
      "${args[@]}" --show-only templates/zz-notes.yaml >"$OUT/notes/$(basename "$out")"
    grep -q 'kubectl' "$OUT/notes/$(basename "$out")" || { echo "NOTES.txt of $chart rendered nothing useful"; return 1; }
  done
}

# must_fail MESSAGE_PART HELM_TEMPLATE_ARGS...: rendering fails, naming what is wrong.
must_fail() {
  local want=$1 out
  shift
  if out=$("$HELM" template demo "$STACK_CHART" --kube-version "$K8S_VERSION" "$@" 2>&1); then
    echo "expected a failure naming '$want' for: $*"
    return 1
  fi
  if [[ $out != *"$want"* ]]; then
    echo "the failure for '$*' does not name '$want':"
    echo "$out"
    return 1
  fi
  echo "ok: $* -> $(grep -m1 -E 'Error|- ' <<<"$out")"
}

stack_chart_refuses_bad_values() {
  local key=0123456789abcdef0123456789abcdef
  must_fail "secret.encryptionKey is required" --set secret.create=true
  must_fail "secret.telegramBotToken is required" --set secret.create=true \
    --set secret.apiToken=a,secret.webhookSecret=b,secret.encryptionKey=$key,secret.databaseUrl=postgres://x/y
  must_fail "secret.databaseUrl is required" --set secret.create=true \
    --set secret.apiToken=a,secret.webhookSecret=b,secret.encryptionKey=$key,secret.telegramBotToken=t
  must_fail "secret.encryptionKey" --set secret.create=true --set secret.encryptionKey=short
  must_fail "not both" --set secret.create=true,secret.existingSecret=mine
  must_fail "postgres.password is required" --set postgres.enabled=true
  must_fail "redis needs exactly one mode" --set redis.url=redis://elsewhere:6379
  must_fail "bot.replicas" --set bot.replicas=2
  must_fail "expose.nodePorts.jaeger needs jaeger.enabled" --set expose.nodePorts.jaeger=30686
  must_fail "stackName" --set stackName=Not_A_Name
}

# ---- validation -----------------------------------------------------------------------

validate_manifests() {
  local files=()
  mapfile -t files < <(find "$OUT/rendered" deploy -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
  cat >"$OUT/validate.py" <<'PY'
import re
import sys
import yaml
from kubernetes_validate import utils as kv

version, crd_file, files = sys.argv[1], sys.argv[2], sys.argv[3:]

with open(crd_file) as f:
    crd = yaml.safe_load(f)
group, crd_kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
crd_schemas = {
    group + "/" + v["name"]: v["schema"]["openAPIV3Schema"] for v in crd["spec"]["versions"]
}


def strict(schema):
    """A CRD structural schema as a JSON schema that rejects unknown fields, as the API
    server prunes them (nullable becomes a null type)."""
    if not isinstance(schema, dict):
        return schema
    s = {k: v for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if schema.get("nullable") and "type" in s:
        s["type"] = [s["type"], "null"]
    if "properties" in s:
        s["properties"] = {k: strict(v) for k, v in s["properties"].items()}
        if (s.get("type") == "object" or s.get("type") == ["object", "null"]) \
                and "additionalProperties" not in s \
                and not schema.get("x-kubernetes-preserve-unknown-fields"):
            s["additionalProperties"] = False
    if isinstance(s.get("additionalProperties"), dict):
        s["additionalProperties"] = strict(s["additionalProperties"])
    if "items" in s:
        s["items"] = strict(s["items"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in s:
            s[key] = [strict(x) for x in s[key]]
    return s


def validate_custom(doc):
    import jsonschema
    schema = strict(crd_schemas[doc["apiVersion"]])
    # The API server adds these three to every custom resource schema.
    schema["properties"] = dict(schema.get("properties", {}),
                                apiVersion={"type": "string"}, kind={"type": "string"},
                                metadata={"type": "object"})
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        raise ValueError("; ".join(
            "%s: %s" % (".".join(str(p) for p in e.path) or "<root>", e.message) for e in errors))


SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")


def names_and_labels(doc):
    """What the API server checks beyond the schemas: object names, label keys and values."""
    meta = doc.get("metadata") or {}
    name, kind = meta.get("name") or "", doc.get("kind")
    if kind == "Service":
        if len(name) > 63 or not DNS1035.fullmatch(name):
            raise ValueError("Service name %r is not a DNS-1035 label" % name)
    elif doc.get("apiVersion", "").startswith("rbac.authorization.k8s.io/"):
        if not name or "/" in name or "%" in name or name in (".", ".."):
            raise ValueError("%s name %r is not a valid path segment" % (kind, name))
    elif len(name) > 253 or not SUBDOMAIN.fullmatch(name):
        raise ValueError("metadata.name %r is not a DNS subdomain" % name)
    maps = [meta.get("labels")]
    spec = doc.get("spec") or {}
    if isinstance(spec, dict):
        selector = spec.get("selector")
        if kind == "Service":
            maps.append(selector)
        elif isinstance(selector, dict):
            maps.append(selector.get("matchLabels"))
        template = spec.get("template")
        if isinstance(template, dict):
            maps.append((template.get("metadata") or {}).get("labels"))
    for labels in maps:
        for key, value in (labels or {}).items():
            prefix, _, label = key.rpartition("/")
            if (prefix and (len(prefix) > 253 or not SUBDOMAIN.fullmatch(prefix))) \
                    or len(label) > 63 or not LABEL_NAME.fullmatch(label):
                raise ValueError("label key %r is not valid" % key)
            if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.fullmatch(value):
                raise ValueError("label %s=%r: the value is not a valid label value" % (key, value))


failures = 0
for path in files:
    with open(path) as f:
        try:
            docs = [d for d in yaml.safe_load_all(f) if d]
        except yaml.YAMLError as e:
            print("ERROR %s: not YAML: %s" % (path, e))
            failures += 1
            continue
    seen = set()
    for doc in docs:
        what = "%s/%s" % (doc.get("kind"), (doc.get("metadata") or {}).get("name"))
        ident = (doc.get("apiVersion"), doc.get("kind"),
                 (doc.get("metadata") or {}).get("namespace"), (doc.get("metadata") or {}).get("name"))
        if ident in seen:
            print("ERROR %s: %s appears twice" % (path, what))
            failures += 1
        seen.add(ident)
        try:
            names_and_labels(doc)
            if doc.get("kind") == crd_kind and doc.get("apiVersion") in crd_schemas:
                validate_custom(doc)
                how = "the CRD schema"
            else:
                kv.validate(doc, version, strict=True)
                how = "Kubernetes %s (strict)" % version
            print("ok    %s: %s against %s" % (path, what, how))
        except kv.SchemaNotFoundError as e:
            print("ERROR %s: %s: %s" % (path, what, e.message))
            failures += 1
        except kv.ValidationError as e:
            print("ERROR %s: %s: %s: %s" % (path, what, ".".join(str(p) for p in e.path), e.message))
            failures += 1
        except Exception as e:
            print("ERROR %s: %s: %s" % (path, what, e))
            failures += 1
print("%d file(s), %d failure(s)" % (len(files), failures))
sys.exit(1 if failures else 0)
PY
  "$VENV/bin/python" "$OUT/validate.py" "$K8S_VERSION" "$OPERATOR_CHART/crds/tradingstack.yaml" "${files[@]}"
}

# ---- drift ----------------------------------------------------------------------------

crd_matches_crdgen() {
  local generated="$OUT/crdgen.yaml" f
  cargo run -q -p tradingstack-operator --bin crdgen >"$generated"
  for f in "$OPERATOR_CHART/crds/tradingstack.yaml" deploy/crds/tradingstack.yaml; do
    if ! cmp -s "$generated" "$f"; then
      echo "$f differs from crdgen's output; regenerate it with:"
      echo "  cargo run -q -p tradingstack-operator --bin crdgen > $f"
      diff -u "$f" "$generated" | head -n 40
      return 1
    fi
    echo "$f = crdgen"
  done
}

rbac_matches_deploy() {
  "$VENV/bin/python" - "$OUT/rendered" deploy/rbac/clusterrole.yaml <<'PY'
import glob, sys, yaml
rendered, reference = sys.argv[1], sys.argv[2]
with open(reference) as f:
    want = yaml.safe_load(f)["rules"]
found = 0
for path in sorted(glob.glob(rendered + "/tradingstack-operator-*.yaml")):
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc and doc.get("kind") in ("ClusterRole", "Role"):
                found += 1
                if doc["rules"] != want:
                    print("%s: the rules of %s/%s differ from %s" % (path, doc["kind"], doc["metadata"]["name"], reference))
                    print(yaml.safe_dump({"chart": doc["rules"], "deploy": want}))
                    sys.exit(1)
                print("%s: %s rules = %s" % (path, doc["kind"], reference))
if not found:
    sys.exit("no ClusterRole or Role rendered by the operator chart")
PY
}

dockerfile_matches_code() {
  "$VENV/bin/python" - <<'PY'
import json, re, subprocess, sys
meta = json.loads(subprocess.run(
    ["cargo", "metadata", "--no-deps", "--format-version", "1"],
    check=True, capture_output=True, text=True).stdout)
bins = {p["name"]: {t["name"] for t in p["targets"] if "bin" in t["kind"]} for p in meta["packages"]}
import dockerfile
# BuildKit's own parser: a syntax error fails here.
instructions = dockerfile.parse_file("Dockerfile")
stages, errors = [], []
for ins in instructions:
    if ins.cmd == "FROM":
        stages.append(ins.value[2].lower() if len(ins.value) == 3 and ins.value[1].upper() == "AS" else None)
    for flag in ins.flags:
        if flag.startswith("--from=") and flag[len("--from="):] not in stages:
            errors.append("line %d: COPY %s names no earlier stage" % (ins.start_line, flag))
    if ins.cmd == "RUN":
        # The shell of the builder is /bin/sh: the command must parse.
        check = subprocess.run(["sh", "-n", "-c", ins.value[0]], capture_output=True, text=True)
        if check.returncode:
            errors.append("line %d: RUN does not parse: %s" % (ins.start_line, check.stderr.strip()))
if len(stages) < 2:
    errors.append("want a multi-stage build, found %d stage(s)" % len(stages))
users = [ins.value[0] for ins in instructions if ins.cmd == "USER"]
text = open("Dockerfile").read()
packages = re.findall(r"-p ([A-Za-z0-9_-]+)", text)
copied = re.search(r"for bin in ([a-z ]+); do", text).group(1).split()
for p in packages:
    if p not in bins:
        errors.append("Dockerfile builds package %s, which the workspace does not have" % p)
built = set().union(*(bins.get(p, set()) for p in packages))
for b in copied:
    if b not in built:
        errors.append("Dockerfile copies %s, which packages %s do not build" % (b, packages))
# What runs the image: the operator's builders (/usr/local/bin/{role}) and the operator chart.
needed = {"api", "bot", "workers", "operator", "crdgen"}
builders = open("operator/src/builders.rs").read()
if '"/usr/local/bin/{}"' not in builders:
    errors.append("operator/src/builders.rs no longer runs /usr/local/bin/{role}: check the Dockerfile")
chart = open("charts/tradingstack-operator/templates/deployment.yaml").read()
for b in re.findall(r"/usr/local/bin/([a-z]+)", chart):
    needed.add(b)
for b in sorted(needed - set(copied)):
    errors.append("the image lacks /usr/local/bin/%s" % b)
uid = re.search(r"pub const SERVICE_UID: i64 = (\d+);", builders).group(1)
if not users or not re.fullmatch(r"%s(:%s)?" % (uid, uid), users[-1]):
    errors.append("the image USER %s is not the uid %s the operator runs the services as" % (users, uid))
ignore = open(".dockerignore").read().split("\n")
for needed_path in ("Cargo.toml", "Cargo.lock", "crates", "operator", "deploy"):
    if needed_path in ignore:
        errors.append(".dockerignore leaves out %s, which the build needs" % needed_path)
print("\n".join(errors) or "%d instructions in %d stages; packages %s build %s; USER %s" % (len(instructions), len(stages), packages, sorted(copied), users[-1]))
sys.exit(1 if errors else 0)
PY
}

kind_config_maps_node_ports() {
  "$VENV/bin/python" - "${KIND_NODE_PORTS[@]}" <<'PY'
import sys, yaml
want = {int(p) for p in sys.argv[1:]}
cfg = yaml.safe_load(open("kind-config.yaml"))
assert cfg.get("apiVersion") == "kind.x-k8s.io/v1alpha4", "apiVersion must be kind.x-k8s.io/v1alpha4"
assert cfg.get("kind") == "Cluster", "kind must be Cluster"
roles = [n.get("role") for n in cfg.get("nodes", [])]
assert roles.count("control-plane") == 1 and roles.count("worker") == 1, "want one control plane and one worker, got %s" % roles
mapped = {m["containerPort"]: m["hostPort"]
          for n in cfg["nodes"] for m in n.get("extraPortMappings", [])}
missing = sorted(want - set(mapped))
assert not missing, "node ports %s are not mapped to the host" % missing
print("nodes %s; host ports %s" % (roles, {p: mapped[p] for p in sorted(want)}))
PY
  # up.sh must use the same node ports.
  local port
  for port in "${KIND_NODE_PORTS[@]}"; do
    grep -qE "^[A-Z_]+_NODE_PORT=$port\$" scripts/kind/lib.sh \
      || { echo "scripts/kind/lib.sh does not define node port $port for up.sh"; return 1; }
  done
}

run_shellcheck() {
  local files=()
  mapfile -t files < <(find scripts -type f -name '*.sh' | sort)
  files+=(.ci/run)
  echo "${#files[@]} scripts: ${files[*]}"
  # -x follows `source` (paths relative to the repository root).
  printf '%s\0' "${files[@]}" | xargs -0 -n 6 -P 2 shellcheck -x
}

# ---- run ------------------------------------------------------------------------------

check "helm $KUBETOOLS_HELM_VERSION ($TS_TOOLS_BIN)" tool_helm
# The checks run in subshells: $HELM for them.
ensure_helm 2>/dev/null || true
check "kubernetes-validate $KUBERNETES_VALIDATE_VERSION and the Dockerfile parser (venv $VENV)" tool_validator
check "shellcheck" tool_shellcheck
check "helm lint --strict $OPERATOR_CHART (default values, ci/*.yaml)" lint_chart "$OPERATOR_CHART"
check "helm lint --strict $STACK_CHART (default values, ci/*.yaml)" lint_chart "$STACK_CHART"
check "helm template $OPERATOR_CHART and its NOTES.txt (default values, ci/*.yaml)" \
  template_chart "$OPERATOR_CHART" tradingstack-operator tradingstack-system
check "helm template $STACK_CHART and its NOTES.txt (default values; ci/: Jaeger, dev Postgres, Secret, existing Secret)" \
  template_chart "$STACK_CHART" demo default
check "$STACK_CHART refuses missing or bad values, naming them" stack_chart_refuses_bad_values
if [[ -d $OUT/rendered ]]; then
  check "kubernetes-validate --strict -k $K8S_VERSION: rendered charts and deploy/ (TradingStack: CRD schema)" \
    validate_manifests
  check "operator chart RBAC rules = deploy/rbac/clusterrole.yaml" rbac_matches_deploy
fi
check "chart and deploy/ CRD = crdgen output" crd_matches_crdgen
check "Dockerfile parses (BuildKit parser) and builds the binaries the operator and chart run" dockerfile_matches_code
check "kind-config.yaml maps node ports ${KIND_NODE_PORTS[*]}" kind_config_maps_node_ports
check "shellcheck -x scripts/**/*.sh .ci/run" run_shellcheck

if [[ $failed != 0 ]]; then
  echo "check-manifests: $failed check(s) failed"
  exit 1
fi
echo "check-manifests: every check passed"
