#!/usr/bin/env bash
# Renders the report site from the demo history (real k6 and Locust results) plus a hand-written hostile
# fixture (endpoints named like XSS payloads), opens every page in headless Chromium at desktop and phone
# width, saves screenshots, and fails on console errors, missing elements or an unescaped payload.
#
# At 1400 and 375 px wide it also measures, in the rendered page, that
#   * no element coloured red, amber or green (classes fail, warn, worse, better, pass) sits outside a row or
#     cell whose data-decision is a change of that colour (a row the gate or compare called "~" is never red);
#   * no load-tool internal metric (http_req_blocked, data_received, iterations, vus…) is in an endpoint list;
#   * the page does not overflow horizontally at 375 px (tables scroll inside their box);
#   * every chart label is drawn at 10 px or more.
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

# Measures a page in the browser: a copy of the page with this inline script appended (the pages' policy
# allows inline scripts) reports its findings to a wrapper page that holds it in an iframe of exactly the
# width under test (headless Chromium's window is never narrower than 500 px; an iframe is), read back
# with --dump-dom.
INTERNALS='http_req_blocked http_req_connecting http_req_tls_handshaking http_req_sending http_req_waiting http_req_receiving data_sent data_received iterations iteration_duration vus vus_max group_duration checks'
MEASURE=$(cat <<JS
<script>
(function () {
  var out = [];
  var red = ["fail", "warn", "worse"], green = ["better", "pass"];
  document.querySelectorAll(".fail,.warn,.worse,.better,.pass").forEach(function (el) {
    if (el.classList.contains("badge")) return; // the overall verdict badge
    var colour = red.some(function (c) { return el.classList.contains(c); }) ? "red" : "green";
    var box = el.closest("[data-decision]");
    var d = box ? box.getAttribute("data-decision") : "none";
    var ok = colour === "red" ? red.indexOf(d) >= 0 : green.indexOf(d) >= 0;
    if (!ok) out.push("colour: " + colour + " " + el.tagName.toLowerCase() + " under decision " + d + ": " + (el.closest("tr") || el).textContent.trim().slice(0, 120));
  });
  var internals = "$INTERNALS".split(" ");
  ["#series-table", "#endpoints", "#compare", "#statistics"].forEach(function (sel) {
    var t = document.querySelector(sel);
    if (!t) return;
    internals.forEach(function (m) {
      if (new RegExp("(^|[^a-z_])" + m + "([^a-z_]|$)").test(t.textContent)) out.push("internal metric " + m + " in " + sel);
    });
  });
  var w = document.documentElement.scrollWidth, vw = window.innerWidth;
  if (w > vw + 1) out.push("page overflows horizontally: " + w + " px wide in a " + vw + " px window");
  var small = 0, smallest = 1e9, example = "";
  document.querySelectorAll("svg.chart text").forEach(function (t) {
    var m = t.getScreenCTM();
    if (!m) return;
    var px = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(m.a * m.a + m.b * m.b);
    if (px < smallest) { smallest = px; example = t.textContent; }
    if (px < 9.95) small++;
  });
  if (small > 0) out.push("chart text below 10 px: " + small + " labels, smallest " + smallest.toFixed(1) + " px (" + example + ")");
  var pre = document.createElement("pre");
  pre.id = "perfgate-check";
  var text = "CHECKED " + vw + "\\n" + out.join("\\n");
  pre.textContent = text;
  document.body.appendChild(pre);
  if (window.parent !== window) window.parent.postMessage(text, "*");
})();
</script>
JS
)
measure() { # page width → prints problems, one a line
    local page=$1 width=$2 copy="$WORK/measure/$1"
    local wrapper="${copy%.html}-at-$width.wrapper.html"
    mkdir -p "$(dirname "$copy")"
    MEASURE="$MEASURE" awk '/<\/body>/ { print ENVIRON["MEASURE"] } { print }' "$SITE/$page" >"$copy"
    cat >"$wrapper" <<HTML
<!doctype html><html><body style="margin:0"><pre id="perfgate-check"></pre>
<iframe src="$(basename "$copy")" style="border:0;width:${width}px;height:2000px"></iframe>
<script>window.addEventListener("message", function (e) { document.getElementById("perfgate-check").textContent = e.data; });</script>
</body></html>
HTML
    chrome --dump-dom --virtual-time-budget=5000 --window-size="$((width + 40)),2100" "file://$wrapper" 2>/dev/null \
        | sed -n '/<pre id="perfgate-check">/,/<\/pre>/p' | sed -e 's/<[^>]*>//g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
}

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

# Measured in the browser at desktop and phone width: colours follow decisions, internals are folded,
# no horizontal overflow on a phone, chart text readable.
measured=0
for page in "${pages[@]}"; do
    for width in 1400 375; do
        result=$(measure "$page" "$width")
        if ! grep -q "^CHECKED $width\$" <<<"$result"; then fail "$page at $width px: the measuring script did not run"; continue; fi
        while IFS= read -r line; do
            [[ -z "$line" || "$line" == CHECKED* ]] && continue
            # A page wider than the window is a failure on the phone; on the desktop only colours and text count.
            fail "$page at $width px: $line"
        done <<<"$result"
        measured=$((measured + 1))
    done
done

# Screenshots: desktop and phone width.
for page in index.html compare.html release.html "${series_pages[0]}" "${xss_page#"$SITE"/}" "${run_pages[0]}"; do
    name=$(echo "$page" | tr '/' '_' | sed 's/\.html$//')
    chrome --screenshot="$SHOTS/$name-1400.png" --window-size=1400,1800 "file://$SITE/$page" 2>/dev/null
    chrome --screenshot="$SHOTS/$name-375.png" --window-size=375,1800 "file://$SITE/$page" 2>/dev/null
    [[ -s "$SHOTS/$name-1400.png" && -s "$SHOTS/$name-375.png" ]] || fail "$page: no screenshot"
done

if (( failures > 0 )); then
    echo "check-report-browser: $failures failure(s) over $checked pages" >&2
    exit 1
fi
echo "check-report-browser: $checked pages rendered in $(chromium --version) without console errors; payload escaped; $measured page widths measured (colours follow decisions, internals folded, no overflow at 375 px, chart text >= 10 px)"
echo "screenshots (1400 and 375 px): $SHOTS"
