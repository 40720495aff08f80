#!/usr/bin/env bash
# Renders the report site from the demo history (real k6 and Locust results) plus a hand-written hostile
# fixture (endpoints named like XSS payloads), opens every page in headless Chromium at desktop and phone
# width, saves screenshots, and fails on console errors, missing elements or an unescaped payload.
#
#   ci/check-report-browser.sh [SCREENSHOT_DIR]      (default: .perfgate/report-screenshots, not committed)
#   PERFGATE=/path/to/perfgate ci/check-report-browser.sh   to use an existing binary
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHOTS=${1:-$ROOT/.perfgate/report-screenshots}
mkdir -p "$SHOTS"
SHOTS=$(cd "$SHOTS" && pwd)

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (Debian package)…" >&2
    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
fi
if [[ -z "${PERFGATE:-}" ]]; then
    swift build --scratch-path "${SCRATCH:-.build}" --product perfgate >&2
    PERFGATE=$(swift build --scratch-path "${SCRATCH:-.build}" --show-bin-path)/perfgate
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STORE=$WORK/demo/history.sqlite
"$PERFGATE" demo --store "$STORE" >/dev/null
# The hostile fixture, as a second scenario at the demo's newest commit.
NEWEST=$("$PERFGATE" query --store "$STORE" --format csv \
    "SELECT commit_sha FROM runs ORDER BY committed_at DESC, run_id DESC LIMIT 1" | tail -1)
FIRST=$("$PERFGATE" query --store "$STORE" --format csv \
    "SELECT commit_sha FROM runs ORDER BY committed_at, run_id LIMIT 1" | tail -1)
"$PERFGATE" ingest --store "$STORE" --commit "$NEWEST" --branch main --commit-time 2026-11-08T00:00:00Z \
    --scenario hostile --environment demo ci/fixtures/xss-endpoint.json >/dev/null
SITE=$WORK/site
"$PERFGATE" report --store "$STORE" --out "$SITE" --budget "$WORK/demo/budgets.json" --branch main \
    --commit-url 'https://github.com/example/shop/commit/{sha}' \
    --release "${FIRST:0:8}..${NEWEST:0:8}" --cost-model ci/examples/cost-model.json >/dev/null

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

chrome() {
    chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
        --no-first-run --disable-extensions --enable-logging=stderr --v=0 "$@"
}

# page → elements that must be in its DOM
declare -A NEED=(
    [index.html]='id="verdict" id="score" id="series-table" <svg class="spark id="change-points\|No change points id="runs-table"'
    [compare.html]='id="compare"'
    [release.html]='id="endpoints" Monthly infrastructure cost value = −(ΔL ÷ 100 ms) × V'
)
pages=(index.html compare.html release.html)
series_pages=($(cd "$SITE" && ls series/*.html))
run_pages=($(cd "$SITE" && ls runs/*.html | sort -t/ -k2 -n | head -3))
for p in "${series_pages[@]}"; do NEED[$p]='id="title" <svg class="chart" id="points" id="hover-info"'; done
for p in "${run_pages[@]}"; do NEED[$p]='id="title" id="statistics"'; done
pages+=("${series_pages[@]}" "${run_pages[@]}")

checked=0
for page in "${pages[@]}"; do
    url="file://$SITE/$page"
    dom=$WORK/dom.html
    log=$WORK/console.log
    if ! chrome --dump-dom "$url" >"$dom" 2>"$log"; then fail "$page: chromium failed"; continue; fi
    if grep -E 'CONSOLE|Uncaught|Content Security Policy|Refused to' "$log" >/dev/null; then
        fail "$page: console output:"; grep -E 'CONSOLE|Uncaught|Content Security Policy|Refused to' "$log" | head -5 >&2
    fi
    # Any real <img> or <script> other than our one inline script, or an event handler, is an injection.
    if grep -Eo '<img[ >]|onerror="|onload="' "$dom" >/dev/null; then fail "$page: unescaped payload in the DOM"; fi
    scripts=$(grep -o '<script' "$dom" | wc -l)
    if (( scripts != 1 )); then fail "$page: expected exactly one (inline) script, found $scripts"; fi
    if grep -Eo '(src|href)="(https?:)?//[^"]*"' "$dom" | grep -v 'github.com/example/shop/commit/' >/dev/null; then
        fail "$page: external resource: $(grep -Eo '(src|href)="(https?:)?//[^"]*"' "$dom" | grep -v github.com/example | head -1)"
    fi
    read -r -a needs <<<"${NEED[$page]:-}"
    for n in "${needs[@]}"; do
        if [[ "$n" == *'\|'* ]]; then
            grep -q -e "${n%%\\|*}" -e "${n##*\\|}" "$dom" || fail "$page: missing ${n}"
        else
            grep -qF -- "$n" "$dom" || fail "$page: missing $n"
        fi
    done
    checked=$((checked + 1))
done
# The payload must be visible as text on the index, its series page and the run page.
grep -qF '&lt;img src=x onerror=alert(1)&gt;' <(chrome --dump-dom "file://$SITE/index.html" 2>/dev/null) \
    || fail "index.html: payload not shown as text"
xss_page=$(grep -lF 'onerror=alert(1)&gt;</h1>' "$SITE"/series/*.html | head -1)
[[ -n "$xss_page" ]] || fail "no series page for the payload endpoint"
grep -qF 'HTTP 500 &lt;b&gt;boom&lt;/b&gt;' "$SITE"/runs/*.html || fail "run page: error message not escaped"
grep -q '<img' "$SITE/summary.md" "$SITE/release.md" && fail "Markdown: raw <img>"

# Screenshots: desktop and phone width.
for page in index.html compare.html release.html "${series_pages[0]}" "${xss_page#"$SITE"/}" "${run_pages[0]}"; do
    name=$(echo "$page" | tr '/' '_' | sed 's/\.html$//')
    chrome --screenshot="$SHOTS/$name-desktop.png" --window-size=1280,1800 "file://$SITE/$page" 2>/dev/null
    chrome --screenshot="$SHOTS/$name-375.png" --window-size=375,1800 "file://$SITE/$page" 2>/dev/null
    [[ -s "$SHOTS/$name-desktop.png" && -s "$SHOTS/$name-375.png" ]] || fail "$page: no screenshot"
done

if (( failures > 0 )); then
    echo "check-report-browser: $failures failure(s) over $checked pages" >&2
    exit 1
fi
echo "check-report-browser: $checked pages rendered in $(chromium --version) without console errors; payload escaped; screenshots in $SHOTS"
