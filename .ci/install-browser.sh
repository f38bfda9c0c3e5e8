#!/bin/sh
# Installs Debian's Chromium, ChromeDriver and the Noto CJK fonts for the
# browser tests (crates/web/tests/browser.rs). Idempotent: exits at once when
# everything is already there. Run as root.
set -eu

have_fonts() {
    if command -v fc-list >/dev/null 2>&1; then
        fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' && return 0
    fi
    [ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto 2>/dev/null | grep -qi 'CJK'
}

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && have_fonts; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser.sh: Chromium, ChromeDriver or the Noto CJK fonts are missing; run this script as root to install them" >&2
    exit 1
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk

/usr/bin/chromium --version
/usr/bin/chromedriver --version
