# Sourced by the scripts: create .venv and install a hashed lock file once (again when it changes).
ensure_venv() {
  local lock="$1" stamp
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || { echo "Could not create .venv: install python3-venv (Python 3.11)." >&2; exit 1; }
  fi
  stamp=".venv/.installed-$(basename "$lock")-$(sha256sum "$lock" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "Installing Python dependencies from $lock ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
    rm -f .venv/.installed-"$(basename "$lock")"-*
    touch "$stamp"
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
}
