#!/usr/bin/env bash
# One command for everything a fresh Debian machine needs, then the job:
#   bash tools/setup.sh build   # install, then build content.yaml into out/
#   bash tools/setup.sh test    # install, then run the test suite
# Installs what is missing (Debian packages, a virtualenv in .venv with the
# Python packages), creates placeholder photos that are missing from images/
# (never over a real photo), then runs the job.  A content.yaml that cannot be
# read is reported (file:line:col) and stops the build; the tests run anyway.
set -euo pipefail
cd "$(dirname "$0")/.."

job="${1:-build}"
shift || true

debs=(fonts-noto-cjk fonts-droid-fallback fonts-dejavu-core fontconfig poppler-utils ghostscript libgs-common)
# brochure edit's tests drive the system's headless Chromium through its driver (Selenium downloads no browser)
debs+=(chromium chromium-driver)
missing=()
for p in "${debs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "正在安装系统软件包 installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ tools/setup.sh -nt "$stamp" ]; then
  echo "正在安装 Python 依赖 installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  # An editable install: new modules under brochure/ are found without reinstalling.  pyproject.toml's
  # package-dir makes it a plain path entry, not setuptools' import hook and its warning box.
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi

status=0
.venv/bin/python tools/make_placeholders.py || status=$?
if [ "$status" -ne 0 ] && [ "$job" != test ]; then
  exit "$status"          # the tool has said what is wrong in content.yaml, at its line
fi

case "$job" in
  build) exec .venv/bin/brochure build "$@" ;;
  test)  exec .venv/bin/python -m pytest -q "$@" ;;
  *) echo "usage: bash tools/setup.sh build|test" >&2; exit 64 ;;
esac
