#!/usr/bin/env bash
# Installs the pinned `helm` CLI from its Go module into a project-local directory, for the chart
# checks (test/helm-chart.e2e.ts). Nothing here needs root or a Kubernetes cluster.
#
#   scripts/install-helm.sh            build helm unless the pinned version is already there
#
# Environment:
#   HELM_BIN_DIR    where the binary goes (default <repo>/.tmp/bin; the tests look there)
#
# Only Go is needed (helm v3.22 wants Go >= 1.26, or a Go that can fetch that toolchain).
# The first build compiles a few hundred packages: several minutes on two cores; later runs are instant.
set -euo pipefail

# The one place the helm version is pinned (a module version of helm.sh/helm/v3).
HELM_VERSION="v3.22.0"

HELM_MODULE="helm.sh/helm/v3"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM_BIN_DIR="${HELM_BIN_DIR:-$ROOT/.tmp/bin}"
case $HELM_BIN_DIR in /*) ;; *) HELM_BIN_DIR="$PWD/$HELM_BIN_DIR" ;; esac
BIN="$HELM_BIN_DIR/helm"

log() { printf '[install-helm] %s\n' "$*" >&2; }
die() { printf '[install-helm] error: %s\n' "$*" >&2; exit 1; }

# `helm version --template` prints the version the binary was built with (set through ldflags below).
if [[ -x "$BIN" ]] && [[ "$("$BIN" version --template '{{.Version}}' 2>/dev/null || true)" == "$HELM_VERSION" ]]; then
  log "helm $HELM_VERSION already installed: $BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "Go is not installed (needed to build helm $HELM_VERSION from $HELM_MODULE)"
mkdir -p "$HELM_BIN_DIR"
stage="$(mktemp -d "$HELM_BIN_DIR/.build.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

# Same ldflags as helm's own Makefile: the version `helm version` reports, and the Kubernetes version
# that `helm template` / `helm lint` assume (its client-go minor + 1.x), which otherwise stays at 1.20.
# `go mod download` fetches exactly this version and needs no version list from the module proxy.
gomod="$(cd "$stage" && GOWORK=off GOFLAGS='' go mod download -json "$HELM_MODULE@$HELM_VERSION" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
[[ -n "$gomod" && -f "$gomod" ]] || die "could not download $HELM_MODULE@$HELM_VERSION"
k8s_minor="$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod" | head -n1)"
[[ -n "$k8s_minor" ]] || die "no k8s.io/client-go requirement in $gomod"
ldflags="-s -w -X $HELM_MODULE/internal/version.version=$HELM_VERSION"
ldflags+=" -X $HELM_MODULE/internal/version.gitTreeState=clean"
for pkg in pkg/chartutil pkg/lint/rules; do
  ldflags+=" -X $HELM_MODULE/$pkg.k8sVersionMajor=1 -X $HELM_MODULE/$pkg.k8sVersionMinor=$k8s_minor"
done

started=$(date +%s)
log "building helm $HELM_VERSION (Kubernetes 1.$k8s_minor schemas by default; first build takes several minutes) ..."
# 1) the canonical way. It asks the proxy for the module's version list (a deprecation check), which
#    some mirrors refuse; 2) then build the same package from a throw-away module that requires exactly
#    $HELM_VERSION (`-mod=mod` resolves helm's own go.mod requirements, so the dependency set is the same).
if ! (cd "$stage" && GOWORK=off GOFLAGS='' CGO_ENABLED=0 GOBIN="$stage" \
      go install -trimpath -ldflags="$ldflags" "$HELM_MODULE/cmd/helm@$HELM_VERSION"); then
  log "'go install ...@$HELM_VERSION' failed; retrying through a temporary module that requires $HELM_MODULE $HELM_VERSION"
  mkdir -p "$stage/mod"
  printf 'module helm.build.local\n\ngo 1.26\n\nrequire %s %s\n' "$HELM_MODULE" "$HELM_VERSION" >"$stage/mod/go.mod"
  (cd "$stage/mod" && GOWORK=off GOFLAGS='-mod=mod -buildvcs=false' CGO_ENABLED=0 \
    go build -trimpath -ldflags="$ldflags" -o "$stage/helm" "$HELM_MODULE/cmd/helm") ||
    die "building helm $HELM_VERSION failed (see the Go output above)"
fi
mv -f "$stage/helm" "$BIN"
log "installed $BIN ($("$BIN" version --short)) in $(($(date +%s) - started))s"
