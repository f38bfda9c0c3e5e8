#!/bin/sh
# Fetches axe-core (the accessibility checker the browser tests run on every
# page type, crates/web/tests/browser.rs) into target/axe-core/axe.min.js,
# pinned by version and checksum. Test-only: nothing of it ships in the binary.
# Idempotent: exits at once when the file is there.
set -eu
cd "$(dirname "$0")/.."
VERSION=4.14.1
SHA256=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
dest=target/axe-core
[ -f "$dest/axe.min.js" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$VERSION" ] && exit 0
mkdir -p "$dest"
tmp=$(mktemp)
curl -fsSL -o "$tmp" "https://registry.npmjs.org/axe-core/-/axe-core-$VERSION.tgz"
echo "$SHA256  $tmp" | sha256sum -c - >/dev/null
tar -xzf "$tmp" -C "$dest" --strip-components=1 package/axe.min.js
rm -f "$tmp"
echo "$VERSION" > "$dest/VERSION"
echo "axe-core $VERSION in $dest"
