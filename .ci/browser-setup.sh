#!/usr/bin/env bash
# Installs Debian's Chromium for the browser suite (npm run test:browser, npm run screenshots) when
# it is missing. playwright-core drives this system browser; never `npx playwright install`.
set -euo pipefail

CHROMIUM="${TELAPI_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "== $("$CHROMIUM" --version 2>/dev/null | head -n 1) at $CHROMIUM"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-liberation
echo "== $("$CHROMIUM" --version 2>/dev/null | head -n 1) at $CHROMIUM"
