# Sourced by scripts/run and scripts/test: make sure uv exists and the locked environment is
# installed.  Works on a fresh machine with only Python 3.11+ and the package index reachable.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "installing uv (the project's package manager)…" >&2
    python3 -m pip install --quiet --disable-pip-version-check "uv==0.13.9" >&2
  fi
  UV=(python3 -m uv)
fi
"${UV[@]}" sync --locked --quiet
