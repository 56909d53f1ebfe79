# shellcheck shell=bash
# Shared set-up for tools/demo, tools/test and tools/bench. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${WOLKVOX_VENV:-$ROOT/.venv}"
PYTHON="${WOLKVOX_PYTHON:-python3}"

log() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

# venv_dir REQS NAME PYTHON: where a venv of pinned REQS lives when it is not .venv: in the user's
# cache (kept across clones of the repository on this machine), named by NAME and a hash of the
# pins (requirements/*.txt) and the Python, so a change of pins makes a new one.
venv_dir() {
  local key
  key="$( (cat "$ROOT"/requirements/*.txt; "$3" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-12)"
  echo "${WOLKVOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wolkvox-contact-center}/venvs/$2-$key"
}

# Create the virtualenv and install the pinned requirements (again only when they change).
ensure_venv() {
  local reqs="${1:-$ROOT/requirements/test.txt}"
  local stamp want
  stamp="$VENV/.installed-$(basename "$reqs").sha256"
  want="$(cat "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtualenv $VENV with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    log "installing pinned requirements ($(basename "$reqs"))"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs"
    echo "$want" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
  export VIRTUAL_ENV="$VENV"
}

# Put the real python3.X interpreters first on PATH, through a directory of symlinks (DIR).
# pyenv's shims of versions that are not selected exit 127, and ansible-test filters the
# environment (PYENV_VERSION does not help), so it needs plain interpreters. Found at run time:
# the pyenv versions folder (PYENV_ROOT, `pyenv root`, else ~/.pyenv), then any python3.X on
# PATH that actually runs. Versions that are not installed are skipped. Prints the versions found.
link_pythons() {
  local dir="$1" root="${PYENV_ROOT:-}" minor cand best found=""
  rm -rf "$dir" && mkdir -p "$dir"
  if [ -z "$root" ] && command -v pyenv >/dev/null 2>&1; then root="$(pyenv root 2>/dev/null || true)"; fi
  root="${root:-$HOME/.pyenv}"
  for minor in 8 9 10 11 12 13 14; do
    best=""
    # the newest patch release in the pyenv versions folder (plain x.y.z names only)
    for cand in $(printf '%s\n' "$root"/versions/3."$minor".* | grep -E "/3\.$minor\.[0-9]+$" | sort -V); do
      if [ -x "$cand/bin/python3.$minor" ]; then best="$cand/bin/python3.$minor"; fi
    done
    if [ -z "$best" ]; then
      for cand in $(type -ap "python3.$minor" 2>/dev/null || true); do
        case "$cand" in "$dir"/*) continue ;; esac
        if "$cand" -c '' >/dev/null 2>&1; then best="$cand"; break; fi
      done
    fi
    if [ -n "$best" ] && "$best" -c 'import sys' >/dev/null 2>&1; then
      ln -s "$best" "$dir/python3.$minor"
      found="$found 3.$minor"
    fi
  done
  export PATH="$dir:$PATH"
  echo "${found# }"
}

# The Python versions (3.8 and later, as tests/config.yml declares) that the ansible-test of
# the active venv supports and that are linked in DIR: what sanity and units must cover.
expected_pythons() {
  local dir="$1"
  python - "$dir" <<'PY'
import os, sys
import ansible_test
path = os.path.join(os.path.dirname(ansible_test.__file__), "_util", "target", "common", "constants.py")
scope = {}
exec(compile(open(path).read(), path, "exec"), scope)
versions = scope["REMOTE_ONLY_PYTHON_VERSIONS"] + scope["CONTROLLER_PYTHON_VERSIONS"]
found = [v for v in versions if tuple(map(int, v.split("."))) >= (3, 8) and os.path.exists(os.path.join(sys.argv[1], "python" + v))]
print(" ".join(found))
PY
}

# Build the collection tarball and install it into a fresh collections dir; prints the dir.
install_built_collection() {
  local dest="$1"
  rm -rf "$dest" && mkdir -p "$dest/dist"
  ansible-galaxy collection build --force --output-path "$dest/dist" "$ROOT" >&2
  ansible-galaxy collection install --offline --force -p "$dest" "$dest"/dist/wolkvox-contact_center-*.tar.gz >&2
}

# Copy the tracked and new (not ignored) files to DIR/ansible_collections/wolkvox/contact_center,
# outside the repository, where ansible-test expects a collection to live.
stage_collection() {
  local dest="$1/ansible_collections/wolkvox/contact_center"
  rm -rf "$1" && mkdir -p "$dest"
  (cd "$ROOT" && git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$dest")
  echo "$dest"
}

# ansible-test bootstraps pip in its venvs with a get-pip.py it downloads from a host that
# package-registry-only networks cannot reach. Put an offline stand-in where it looks first:
# it uses the interpreter's own ensurepip, then pip installs what it was asked for from PyPI.
offline_get_pip() {
  local cache="$HOME/.ansible/test/cache" version
  mkdir -p "$cache"
  # shellcheck disable=SC2013 # one version number per word
  for version in $(grep -rhoE "pip='[0-9.]+'" "$VENV"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | grep -oE "[0-9.]+[0-9]" | sort -u); do
    cat > "$cache/get_pip_${version//./_}.py" <<'PY'
"""Offline stand-in for get-pip.py: ensurepip, then pip install the given packages."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], stdout=subprocess.DEVNULL)
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
PY
  done
}
