#!/usr/bin/env bash
# Renders the report site from the demo history (real k6 and Locust results) plus a hand-written hostile
# fixture (endpoints named like XSS payloads), and from the replay history (ci/replay/history.json: real k6
# runs with a regression, an improvement, pure noise and a feature branch), opens every page in headless
# Chromium at desktop and phone width, saves screenshots, and fails on console errors, missing elements
# or an unescaped payload. On both sites the index states `perfgate check`'s verdict, headline and the
# words of every finding that did not pass, and the compare page marks as changed exactly the latency rows
# `perfgate compare` finds significant and at least 5%.
#
# At 1400 and 375 px wide it also measures, in the rendered page, that
#   * no element coloured red, amber or green (classes fail, warn, worse, better, pass) sits outside a row or
#     cell whose data-decision is a change of that colour (a row the gate or compare called "~" is never red);
#   * no load-tool internal metric (http_req_blocked, data_received, iterations, vus…) is in an endpoint list;
#   * the page does not overflow horizontally at 375 px (tables scroll inside their box);
#   * at 1400 px the findings, series and change-point tables (the index's, and a series page's change points)
#     fit their box: no column cut off behind a scrollbar;
#   * every chart label is drawn at 10 px or more, and no two labels of a chart overlap;
#   * every chart names commits under its x axis, draws other branches only on request, and a budget line
#     only on the chart of the budget's statistic;
#   * run pages with a timeline (k6 points, Locust stats_history) and the compare page of two such runs draw
#     them over time, with the steady state labelled and ramp-up shaded;
#   * on the replay's POST /api/orders page, the regression (c08, +25%) moves the p95 line by at least a
#     quarter of the chart's height: visible at a glance.
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

# The replay history (k6 summaries), checked at every commit by the replay harness in a throwaway git
# repository; its site goes to $SITE/replay.
python3 ci/replay.py replay --perfgate "$PERFGATE" --flavour k6-summary --keep "$WORK/replay" --no-fail >/dev/null 2>"$WORK/replay.log" \
    || { cat "$WORK/replay.log" >&2; exit 1; }
REPLAY=$WORK/replay/k6-summary/repo
REPLAY_FIRST=$(git -C "$REPLAY" rev-list --max-parents=0 HEAD | cut -c1-8)
(cd "$REPLAY" && "$PERFGATE" report --budget "$ROOT/ci/replay/budgets.json" --out "$SITE/replay" --branch main \
    --release "$REPLAY_FIRST..HEAD" --cost-model "$ROOT/ci/examples/cost-model.json" >/dev/null)

# A history with timelines (k6 points of two replay commits, and a Locust --csv set with its
# stats_history at the second): run pages and the compare page draw the runs over time. Its site goes to
# $SITE/timeline.
TIMELINE_STORE=$WORK/timeline/history.sqlite
mkdir -p "$WORK/timeline"
timeline_ingest() { # SHA DAY SCENARIO FILE
    "$PERFGATE" ingest --store "$TIMELINE_STORE" --commit "$1" --branch main --commit-time "2026-12-0$2T00:00:00Z" \
        --scenario "$3" --environment ci "$4" >/dev/null
}
timeline_ingest 1111111111111111111111111111111111111111 1 shop Tests/PerfgateCLITests/Fixtures/replay/c01/k6.ndjson.gz
timeline_ingest 2222222222222222222222222222222222222222 2 shop Tests/PerfgateCLITests/Fixtures/replay/c08/k6.ndjson.gz
timeline_ingest 2222222222222222222222222222222222222222 2 btc Tests/PerfgateIngestTests/Fixtures/corpus/locust/bitcoin-api/results_stats.csv
"$PERFGATE" report --store "$TIMELINE_STORE" --out "$SITE/timeline" --branch main >/dev/null

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The pages agree with the commands: index ↔ `perfgate check` at the newest commit, compare.html ↔
# `perfgate compare` of the same two commits.
agree() { # SITE CHECK.json COMPARE.json
    python3 - "$@" <<'PY' || fail "$1: the pages disagree with perfgate check / compare"
import html, json, re, sys
site, check, compare = sys.argv[1:4]
index = open(site + "/index.html", encoding="utf-8").read()
text = html.unescape(re.sub(r"<[^>]+>", " ", index))
c = json.load(open(check, encoding="utf-8"))
bad = []
verdict = re.search(r'id="verdict">([^<]*)<', index)
if not verdict or verdict.group(1).strip() != c["verdict"].upper():
    bad.append(f"index verdict {verdict and verdict.group(1)!r}, perfgate check {c['verdict']!r}")
if c["headline"] not in text:
    bad.append(f"index lacks check's headline {c['headline']!r}")
for f in c["findings"]:
    if f["verdict"] != "pass" and f["description"]["label"] not in text:
        bad.append(f"index lacks the finding {f['endpoint'] or '(all)'} {f['statistic']}: {f['description']['label']!r}")
page = open(site + "/compare.html", encoding="utf-8").read()
shown = set()
for row in re.findall(r'<tr data-decision="(worse|better)"><td class="name">(.*?)</td><td>([a-z0-9_]+)</td>', page):
    shown.add((html.unescape(re.sub(r"<[^>]+>", "", row[1])), row[2]))
# COMPARE holds `perfgate compare --metric M --format json` for every metric, one JSON list per line:
# a row is a change when significant and at least 5% (latency statistics; rates use percentage points).
latency = {"p50", "p95", "p99", "mean", "value"}
expected = set()
for line in open(compare, encoding="utf-8"):
    metric, rows = json.loads(line)
    for r in rows:
        if r["stat"] in latency and r["significant"] and abs(r["change"]) >= 0.05:
            title = f"{r['scenario']} · {r['endpoint'] or '(all requests)'}" + ("" if metric == "http_req_duration" else f" · {metric}")
            expected.add((title, r["stat"]))
shown = {s for s in shown if s[1] in latency}
if shown != expected:
    bad.append(f"compare.html changed rows {sorted(shown)} but perfgate compare {sorted(expected)}")
for b in bad:
    print(f"{site}: {b}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
"$PERFGATE" check --store "$STORE" --budget "$WORK/demo/budgets.json" --commit "$NEWEST" --branch main --environment demo \
    --json "$WORK/demo-check.json" >/dev/null 2>&1 || true
compare_newest_two() { # STORE → for each metric, `[metric, perfgate compare's JSON]` of the two newest commits (compare.html's pair)
    local pair metric json
    pair=$("$PERFGATE" query --store "$1" --format csv \
        "SELECT commit_sha FROM runs GROUP BY commit_sha ORDER BY max(committed_at) DESC LIMIT 2" | tail -2 | tac | tr '\n' ' ')
    for metric in $("$PERFGATE" query --store "$1" --format csv "SELECT DISTINCT metric FROM series" | tail -n +2); do
        # A metric the two commits share no statistic of (exit 65) has no row on the page either.
        # shellcheck disable=SC2086
        json=$("$PERFGATE" compare $pair --store "$1" --metric "$metric" --format json 2>/dev/null) || continue
        printf '["%s", %s]\n' "$metric" "$(tr -d '\n' <<<"$json")"
    done
}
compare_newest_two "$STORE" >"$WORK/demo-compare.json"
agree "$SITE" "$WORK/demo-check.json" "$WORK/demo-compare.json"
(cd "$REPLAY" && "$PERFGATE" check --budget "$ROOT/ci/replay/budgets.json" --json "$WORK/replay-check.json" >/dev/null 2>&1 || true)
compare_newest_two "$REPLAY/.perfgate/history.sqlite" >"$WORK/replay-compare.json"
agree "$SITE/replay" "$WORK/replay-check.json" "$WORK/replay-compare.json"

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
  // On a desktop window these tables (the index's; a series page's change points) fit their box: no column is
  // cut off behind a scrollbar.
  if (vw >= 1200) ["#findings", "#series-table", "#change-points"].forEach(function (sel) {
    var t = document.querySelector(sel), box = t && t.parentElement;
    if (box && box.scrollWidth > box.clientWidth + 1)
      out.push(sel + " is cut off at " + vw + " px: " + box.scrollWidth + " px of table in a " + box.clientWidth + " px box");
  });
  var small = 0, smallest = 1e9, example = "";
  document.querySelectorAll("svg.chart text").forEach(function (t) {
    var m = t.getScreenCTM();
    if (!m) return;
    var px = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(m.a * m.a + m.b * m.b);
    if (px < smallest) { smallest = px; example = t.textContent; }
    if (px < 9.95) small++;
  });
  if (small > 0) out.push("chart text below 10 px: " + small + " labels, smallest " + smallest.toFixed(1) + " px (" + example + ")");
  document.querySelectorAll("svg.chart").forEach(function (svg, n) {
    var name = "chart " + (n + 1) + " (" + (svg.querySelector("title") || {}).textContent + ")";
    // No two drawn labels overlap (1 px of slack).
    var boxes = [];
    svg.querySelectorAll("text").forEach(function (t) {
      if (!t.getClientRects().length) return;
      var r = t.getBoundingClientRect();
      if (r.width > 0) boxes.push([r, t.textContent]);
    });
    for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
      var a = boxes[i][0], b = boxes[j][0];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
        out.push(name + ": labels overlap: '" + boxes[i][1] + "' and '" + boxes[j][1] + "'");
    }
    // Commits under the x axis; other branches hidden until asked for.
    if (svg.querySelectorAll(".pt").length > 1 && svg.querySelectorAll(".xlabel:not(.date)").length < 2) out.push(name + ": no commits named under the x axis");
    svg.querySelectorAll("[data-other]").forEach(function (el) {
      if (el.getClientRects().length) out.push(name + ": a line of branch " + el.getAttribute("data-branch") + " is drawn before the toggle asks for it");
    });
    // A budget only on the chart of its statistic: the label's statistic is one the chart draws.
    var drawn = ((svg.querySelector("title") || {}).textContent || "").replace(/^.*: /, "").replace(/ over .*$/, "").split(", ");
    svg.querySelectorAll(".budget text").forEach(function (t) {
      var stat = t.textContent.replace(/^[↑↓] /, "").split(" ")[1];
      if (drawn.indexOf(stat) < 0) out.push(name + ": budget on " + stat + " drawn on a chart of " + drawn.join(", "));
    });
  });
  if (EXPECT_STEP) {
    // The regression is visible at a glance: the base branch's p95 moves by >= 1/4 of the chart's height
    // from the median of its first five runs to the median of its last three.
    var line = document.querySelector("svg.chart polyline.s-p95:not([data-other])");
    var med = function (xs) { xs = xs.slice().sort(function (a, b) { return a - b; }); return xs[Math.floor(xs.length / 2)]; };
    if (!line) out.push("no p95 line"); else {
      var ys = line.getAttribute("points").trim().split(" ").map(function (p) { return parseFloat(p.split(",")[1]); });
      var h = line.ownerSVGElement.viewBox.baseVal.height;
      var moved = Math.abs(med(ys.slice(0, 5)) - med(ys.slice(-3))) / h;
      if (moved < 0.25) out.push("the regression moves the p95 line by only " + (100 * moved).toFixed(0) + "% of the chart's height");
    }
  }
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
    local page=$1 width=$2 copy="$WORK/measure/$1" step=false
    local wrapper="${copy%.html}-at-$width.wrapper.html"
    [[ "$page" == "$REGRESSED_PAGE" ]] && step=true
    mkdir -p "$(dirname "$copy")"
    MEASURE="${MEASURE//EXPECT_STEP/$step}" awk '/<\/body>/ { print ENVIRON["MEASURE"] } { print }' "$SITE/$page" >"$copy"
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
# The replay site: its index, compare and release pages, the endpoints' series pages and its first run.
REGRESSED_PAGE=replay/$(cd "$SITE/replay" && grep -l '<h1 id="title">k6 · POST /api/orders</h1>' series/*.html | head -1)
[[ "$REGRESSED_PAGE" != replay/ ]] || fail "replay: no series page for POST /api/orders"
replay_series=($(cd "$SITE" && grep -l '<dd id="role">endpoint</dd>' replay/series/*.html | grep -- '-http-req-duration-'))
NEED[replay/index.html]=${NEED[index.html]}
NEED[replay/compare.html]=${NEED[compare.html]}
NEED[replay/release.html]='id="endpoints"'
for p in "${replay_series[@]}"; do NEED[$p]='id="title" <svg class="chart" id="points" id="hover-info" class="xlabel'; done
NEED[replay/runs/1.html]='id="title" id="statistics"'
pages+=(replay/index.html replay/compare.html replay/release.html "${replay_series[@]}" replay/runs/1.html)
# The timeline site: a k6 run, a Locust run (ramp-up shaded) and the two k6 runs overlaid.
for p in timeline/runs/1.html timeline/runs/3.html timeline/compare.html; do NEED[$p]='id="over-time" class="timeline-panel" class="phase-label"'; done
NEED[timeline/runs/3.html]+=' class="phase ramp"'
pages+=(timeline/runs/1.html timeline/runs/3.html timeline/compare.html)

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
            # Every line the measuring script prints is a failure, at either width.
            fail "$page at $width px: $line"
        done <<<"$result"
        measured=$((measured + 1))
    done
done

# Screenshots: desktop and phone width.
for page in index.html compare.html release.html "${series_pages[0]}" "${xss_page#"$SITE"/}" "${run_pages[0]}" \
    replay/index.html replay/compare.html replay/release.html "$REGRESSED_PAGE" "${replay_series[@]}" replay/runs/1.html \
    timeline/runs/1.html timeline/runs/3.html timeline/compare.html; do
    name=$(echo "$page" | tr '/' '_' | sed 's/\.html$//')
    chrome --screenshot="$SHOTS/$name-1400.png" --window-size=1400,1800 "file://$SITE/$page" 2>/dev/null
    chrome --screenshot="$SHOTS/$name-375.png" --window-size=375,1800 "file://$SITE/$page" 2>/dev/null
    [[ -s "$SHOTS/$name-1400.png" && -s "$SHOTS/$name-375.png" ]] || fail "$page: no screenshot"
done

if (( failures > 0 )); then
    echo "check-report-browser: $failures failure(s) over $checked pages" >&2
    exit 1
fi
echo "check-report-browser: $checked pages of the demo and the replay history rendered in $(chromium --version) without console errors; payload escaped; index and compare agree with perfgate check and compare; $measured page widths measured (colours follow decisions, internals folded, no overflow at 375 px, tables whole at 1400 px, chart text >= 10 px without overlaps, commits on the x axis, base branch first, budgets on their statistic's chart, the replay regression visible)"
echo "screenshots (1400 and 375 px): $SHOTS"
