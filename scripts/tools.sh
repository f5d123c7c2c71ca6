#!/usr/bin/env bash
# Builds the third-party programs pinned in tools/ (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok, jaeger) from their published Go modules
# into a cache folder outside the clone, and prints each one's version and path.
#
#   scripts/tools.sh                 build what is missing or stale, print versions
#   scripts/tools.sh kwok jaeger     only these tools
#   scripts/tools.sh --env           also print `export TS_<TOOL>=path` lines (for eval)
#
#   TS_TOOLS_DIR          cache folder (default ~/.cache/tradingstack/tools); binaries in bin/
#   TS_GO_BUILD_JOBS      parallel compile jobs of `go build -p` (default 2)
#
# A tool is rebuilt only when its stamp differs: the stamp is the hash of the go.mod and
# go.sum that pin it, the Go version and this script's build flags, so bumping a version in
# tools/ rebuilds exactly the tools of that module. Helm and kubectl come from
# scripts/lib/kubetools.sh (ensure_helm, ensure_kubectl).
#
# On failure it exits non-zero with one line naming the tool and the reason, and the last
# lines of the build log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${TS_TOOLS_DIR:-$HOME/.cache/tradingstack/tools}"
BIN="$TOOLS_DIR/bin"
LOGS="$TOOLS_DIR/logs"
JOBS="${TS_GO_BUILD_JOBS:-2}"

# Every tool: name | module folder under tools/ | Go package | module whose version it reports
ALL_TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok jaeger)
declare -A DIR=(
  [etcd]=. [kube-apiserver]=. [kube-controller-manager]=. [kube-scheduler]=.
  [kwok]=kwok [jaeger]=jaeger
)
declare -A PKG=(
  [etcd]=go.etcd.io/etcd/server/v3
  [kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver
  [kube-controller-manager]=k8s.io/kubernetes/cmd/kube-controller-manager
  [kube-scheduler]=k8s.io/kubernetes/cmd/kube-scheduler
  [kwok]=sigs.k8s.io/kwok/cmd/kwok
  [jaeger]=github.com/jaegertracing/jaeger/cmd/jaeger
)
declare -A MOD=(
  [etcd]=go.etcd.io/etcd/server/v3
  [kube-apiserver]=k8s.io/kubernetes
  [kube-controller-manager]=k8s.io/kubernetes
  [kube-scheduler]=k8s.io/kubernetes
  [kwok]=sigs.k8s.io/kwok
  [jaeger]=github.com/jaegertracing/jaeger
)

fail() { echo "tools.sh: $*" >&2; exit 1; }

print_env=0
wanted=()
for arg in "$@"; do
  case $arg in
    --env) print_env=1 ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) [[ -n "${PKG[$arg]:-}" ]] || fail "unknown tool '$arg' (known: ${ALL_TOOLS[*]})"
       wanted+=("$arg") ;;
  esac
done
[[ ${#wanted[@]} -gt 0 ]] || wanted=("${ALL_TOOLS[@]}")
# With --env, stdout carries only the export lines; the version table goes to stderr.
if [[ $print_env == 1 ]]; then exec 3>&2; else exec 3>&1; fi

# The usual install folder of the Go distribution, when it is not on PATH.
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then export PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null || fail "go not found: Go 1.24 or later builds the tools (etcd, Kubernetes, kwok, Jaeger)"
mkdir -p "$BIN" "$LOGS"

# The version of a module pinned in one of the tools/ modules.
module_version() { (cd "$ROOT/tools/$1" && go list -m -f '{{.Version}}' "$2"); }

# Linker flags that stamp the version into the binaries that read it from the linker.
ldflags() {
  local tool=$1 version=$2 minor
  case $tool in
    kube-*)
      minor=${version#v1.}; minor=${minor%%.*}
      local v
      for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        printf -- '-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean ' \
          "$v" "$version" "$v" "$v" "$minor" "$v"
      done ;;
    kwok) printf -- '-X sigs.k8s.io/kwok/pkg/consts.Version=%s' "$version" ;;
    jaeger) printf -- '-X github.com/jaegertracing/jaeger/internal/version.latestVersion=%s' "$version" ;;
  esac
}

stamp_of() {
  local tool=$1 version=$2 dir="$ROOT/tools/${DIR[$1]}"
  {
    cat "$dir/go.mod" "$dir/go.sum"
    go env GOVERSION
    echo "$tool ${PKG[$tool]} $version $(ldflags "$tool" "$version") CGO_ENABLED=0 -trimpath"
  } | sha256sum | cut -c1-16
}

version_line() {
  case $1 in
    etcd) "$BIN/etcd" --version 2>&1 | head -1 ;;
    kube-*) "$BIN/$1" --version 2>&1 | head -1 ;;
    kwok) "$BIN/kwok" --version 2>&1 | head -1 ;;
    jaeger) "$BIN/jaeger" version 2>/dev/null | tr -d '\n' | cut -c1-120 ;;
  esac
}

build() {
  local tool=$1 version=$2 stamp=$3 log="$LOGS/$1.log" start
  start=$(date +%s)
  echo "tools.sh: building $tool $version (go build -p $JOBS, log $log)" >&2
  if ! (cd "$ROOT/tools/${DIR[$tool]}" &&
        CGO_ENABLED=0 nice -n 19 go build -p "$JOBS" -trimpath \
          -ldflags "$(ldflags "$tool" "$version")" \
          -o "$BIN/$tool.tmp" "${PKG[$tool]}") >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$BIN/$tool.tmp"
    fail "$tool: go build of ${PKG[$tool]}@$version failed (full log: $log)"
  fi
  mv -f "$BIN/$tool.tmp" "$BIN/$tool"
  echo "$stamp" >"$BIN/.$tool.stamp"
  echo "tools.sh: built $tool in $(($(date +%s) - start)) s" >&2
}

for tool in "${wanted[@]}"; do
  version=$(module_version "${DIR[$tool]}" "${MOD[$tool]}") ||
    fail "$tool: cannot read the version of ${MOD[$tool]} from tools/${DIR[$tool]}/go.mod"
  stamp=$(stamp_of "$tool" "$version")
  if [[ -x "$BIN/$tool" && "$(cat "$BIN/.$tool.stamp" 2>/dev/null)" == "$stamp" ]]; then
    :
  else
    build "$tool" "$version" "$stamp"
  fi
  line=$(version_line "$tool") || true
  [[ -n "$line" ]] || fail "$tool: $BIN/$tool does not run (no version output)"
  printf '%-24s %-10s %s  (%s)\n' "$tool" "$version" "$BIN/$tool" "$line" >&3
done

if [[ $print_env == 1 ]]; then
  echo "export TS_TOOLS_BIN=$BIN"
  for tool in "${wanted[@]}"; do
    var=${tool^^}; var=${var//-/_}
    echo "export TS_$var=$BIN/$tool"
  done
fi
