#!/bin/sh
# Installs whatever the test suite needs when it is missing, then runs the whole suite:
#   - a virtual environment in .venv with lmspack and its test extras (from PyPI)
#   - Debian's chromium, for the SCORM player's real-browser tests (needs root or sudo)
#   - the npm packages of tests/browser (scorm-again, the LMS runtime the player talks to)
# Extra arguments go to pytest, e.g. scripts/test.sh -k moodle
set -eu
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        echo "installing Debian's chromium for the browser tests" >&2
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
    else
        echo "note: chromium is not installed and apt-get is not available; browser tests will skip" >&2
    fi
fi

if [ -f tests/browser/package-lock.json ] && [ ! -d tests/browser/node_modules ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

exec .venv/bin/python -m pytest "$@"
