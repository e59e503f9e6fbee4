#!/usr/bin/env bash
# Opens a report folder's index.html in headless Chromium, saves a PNG
# screenshot of it, and fails if any image of the page is missing or broken.
#
#   scripts/screenshot-report.sh REPORT_DIR_OR_INDEX_HTML [OUT.png]
#
# OUT.png defaults to <folder>/screenshot.png. Two checks, both must pass:
#   1. every file the page's <img src> and <a href> name exists in the folder;
#   2. Chromium loads the page (--dump-dom after --virtual-time-budget) and
#      every <img> has marked itself data-loaded (index.html's onload), none
#      data-broken (onerror: missing file, not a decodable image).
# Exit codes: 0 all images shown; 1 an image or link target is missing or
# broken; 2 usage error or Chromium missing / failing.
# CHROMIUM overrides the browser binary (default: chromium on PATH).
set -euo pipefail

usage() { echo "usage: $0 REPORT_DIR|index.html [OUT.png]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
target=$1
if [ -d "$target" ]; then target="$target/index.html"; fi
[ -f "$target" ] || { echo "error: $target: no such file" >&2; exit 2; }
dir=$(cd "$(dirname "$target")" && pwd)
page="$dir/$(basename "$target")"
out=${2:-$dir/screenshot.png}
browser=${CHROMIUM:-chromium}
command -v "$browser" >/dev/null || { echo "error: $browser not found (Debian: apt-get install chromium)" >&2; exit 2; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile"
       --virtual-time-budget=10000)

# 1. Every local file the page refers to exists (percent-decoded).
missing=0
while IFS= read -r ref; do
    name=$(printf '%b' "${ref//%/\\x}")
    if [ ! -e "$dir/$name" ]; then
        echo "missing: $name (referenced by $page)" >&2
        missing=$((missing + 1))
    fi
done < <({ grep -oE '(src|href)="[^"#?:]*"' "$page" || true; } | sed -E 's/^(src|href)="(.*)"$/\2/' | sort -u)

# 2. What the browser actually displayed.
dom=$("$browser" "${flags[@]}" --dump-dom "file://$page" 2>/dev/null) || {
    echo "error: $browser --dump-dom failed" >&2; exit 2; }
count() { { grep -oE "$1" <<<"$dom" || true; } | wc -l; }
images=$(count '<img ')
loaded=$(count '<img [^>]* data-loaded=""')
broken=$(count '<img [^>]* data-broken=""')
grep -oE '<img [^>]* data-broken=""[^>]*>' <<<"$dom" | sed -E 's/.*src="([^"]*)".*/broken image: \1/' >&2 || true

"$browser" "${flags[@]}" --window-size=1400,2400 --screenshot="$out" "file://$page" >/dev/null 2>&1 || {
    echo "error: $browser --screenshot failed" >&2; exit 2; }
[ -s "$out" ] || { echo "error: no screenshot written to $out" >&2; exit 2; }

echo "$page: $images images, $loaded loaded, $broken broken, $missing missing files; screenshot $out"
if [ "$missing" -gt 0 ] || [ "$broken" -gt 0 ] || [ "$loaded" -ne "$images" ]; then
    exit 1
fi
