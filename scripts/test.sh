#!/bin/sh
# Installs whatever the test suite needs when it is missing, then runs the whole suite:
#   - a virtual environment in .venv with lmspack and its test extras (from PyPI)
#   - Debian's chromium, for the SCORM player's real-browser tests (needs root or sudo)
#   - Node.js and npm (Debian's, when missing), for the player's scoring tests and its LMS runtime
#   - the npm packages of tests/browser (scorm-again, the LMS runtime the player talks to, and
#     axe-core, the accessibility rules run on every screen of the player)
# Extra arguments go to pytest, e.g. scripts/test.sh -k moodle
set -eu
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
# Once more, with nothing from pip's cache, when the first try fails: a download that arrives
# damaged fails pip's hash check (seen once in CI, the registry's wheel was fine on the retry).
pip_install() { .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" -e '.[test]'; }
pip_install || { echo "pip install failed; trying once more without pip's cache" >&2; pip_install --no-cache-dir; }

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        echo "installing Debian's chromium for the browser tests" >&2
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o Acquire::Retries=3 --no-install-recommends chromium >/dev/null
    else
        echo "note: chromium is not installed and apt-get is not available; browser tests will skip" >&2
    fi
fi

if [ -f tests/browser/package-lock.json ] && ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's nodejs and npm for the player tests" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o Acquire::Retries=3 --no-install-recommends nodejs npm >/dev/null
fi
# Again when a package was added to the lock file since node_modules was made.
if [ -f tests/browser/package-lock.json ] && { [ ! -d tests/browser/node_modules/scorm-again ] ||
                                               [ ! -d tests/browser/node_modules/axe-core ]; }; then
    # Once more, fetching anew, when a download arrives damaged (as pip above).
    (cd tests/browser && { npm ci --no-audit --no-fund --loglevel=error ||
                           npm ci --no-audit --no-fund --loglevel=error --prefer-online; })
fi

exec .venv/bin/python -m pytest "$@"
