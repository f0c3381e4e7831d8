#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download its
# own browser here). Installs it when missing and we may; otherwise says how.
set -euo pipefail
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing chromium (browser tests) …"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  exit 0
fi
echo "Chromium is needed for the browser tests: sudo apt-get install chromium fonts-noto-cjk (or set CHROMIUM_PATH)" >&2
exit 1
