#!/usr/bin/env bash
# The package as its users get it: build the wheel, install it in a fresh venv outside
# the source tree (dependencies pinned by the lock), then run `consortium demo` and
# serve GET /login from it. An editable install reads templates, static files and
# translations straight from the tree, so only this shows package data left out of
# the wheel. CI runs it (.ci/run); by hand: `make check-wheel`.
#
# PYTHON: the interpreter of the fresh venv (python3). BUILD_PYTHON: the one that
# builds the wheel, with the locked setuptools installed (.venv/bin/python, made by
# `make install`), so the build needs no download and no unpinned backend.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${PYTHON:-python3}
build_python=${BUILD_PYTHON:-$root/.venv/bin/python}
constraints=$root/requirements/constraints.txt

fail() {
  echo "check_wheel: FAILED: $*" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/consortium-wheel.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A copy of the tree's files (tracked and new, not ignored): a stale build/ or
# *.egg-info left in the tree cannot slip files into the wheel.
mkdir "$work/src" "$work/dist" "$work/data"
git ls-files -z --cached --others --exclude-standard \
  | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null \
  | tar -xf - -C "$work/src"

echo "check_wheel: building the wheel"
"$build_python" -m pip wheel --quiet --no-deps --no-build-isolation --no-index \
  --wheel-dir "$work/dist" "$work/src" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "the wheel does not build"; }
wheel=$(ls "$work/dist"/*.whl)

echo "check_wheel: installing $(basename "$wheel") in a fresh venv"
"$python" -m venv "$work/venv"
bin=$work/venv/bin
"$bin/pip" install --quiet --disable-pip-version-check -c "$constraints" "$wheel" \
  >"$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; fail "the wheel does not install"; }

# Everything from here runs in the data directory, away from the source tree, with
# no PYTHONPATH: only the installed package can answer.
cd "$work/data"
unset PYTHONPATH
export CONSORTIUM_DATA_DIR="$work/data"

# The PostgreSQL store is eventsourcing's, which imports psycopg_pool: a missing
# dependency would only show on the first PostgreSQL start.
"$bin/python" - "$work/venv" <<'EOF' || fail "the installed package is incomplete"
import sys
from pathlib import Path

import eventsourcing.postgres  # noqa: F401
import notifications
import web

venv = Path(sys.argv[1]).resolve()
for package in (web, notifications):
    if venv not in Path(package.__file__).resolve().parents:
        sys.exit(f"{package.__name__} imported from {package.__file__}, not the venv")
EOF

echo "check_wheel: consortium demo"
"$bin/consortium" demo >"$work/demo.log" 2>&1 \
  || { cat "$work/demo.log" >&2; fail "consortium demo"; }

port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "check_wheel: consortium serve --port $port"
"$bin/consortium" serve --port "$port" >"$work/serve.log" 2>&1 &
server_pid=$!

# Wait for /login (30 s at most, or until the server exits), then read it in English
# and French and fetch a static file: templates, translations and static files all
# come from the wheel.
"$bin/python" - "$port" "$server_pid" <<'EOF' || { cat "$work/serve.log" >&2; fail "GET /login"; }
import os
import sys
import time
import urllib.error
import urllib.request

port, pid = sys.argv[1], int(sys.argv[2])
base = f"http://127.0.0.1:{port}"


def get(path: str, language: str = "en") -> tuple[int, str]:
    request = urllib.request.Request(base + path, headers={"Accept-Language": language})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read().decode()


deadline = time.monotonic() + 30
while True:
    try:
        status, page = get("/login")
        break
    except urllib.error.HTTPError as error:
        sys.exit(f"GET /login answered {error.code}")
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit("the server exited before answering")
        if time.monotonic() > deadline:
            sys.exit("no answer from the server within 30 s")
        time.sleep(0.2)
checks = {
    "GET /login answers 200": status == 200,
    "the login page has its form": 'name="password"' in page,
    "the French catalogue is there": "Se connecter" in get("/login", "fr")[1],
    "the static files are there": get("/static/app.css")[0] == 200,
}
for check, ok in checks.items():
    print(f"check_wheel: {'ok' if ok else 'NOT OK'}: {check}")
sys.exit(0 if all(checks.values()) else 1)
EOF

echo "check_wheel: passed"
