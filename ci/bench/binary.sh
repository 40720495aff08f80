# shellcheck shell=bash
# The release binaries a ci/bench-*.sh script measures, and the one line that says which they are.
# Sourced (not run) from the repository root, with the products the script needs, the measured one first:
#
#   . ci/bench/binary.sh perfgate perfgate-bench     # then $BIN (directory), $PERFGATE, $BENCH
#
# - Builds them `swift build -c release --static-swift-stdlib` into the scratch path
#   ${PERFGATE_BUILD_DIR:-.build} (30 min at most each); the build's output is shown only when it fails.
# - PERFGATE_BIN_DIR=DIR: no build, DIR holds the products already built.
#   PERFGATE_BIN=FILE: no build, FILE is perfgate (only for scripts that need nothing else).
# - Prints `binary: PATH — perfgate VERSION — built from commit C | prebuilt — Swift stdlib: static — sha256 …`
#   for the measured product (redirect the `.` command to send it to stderr).
# - Refuses a binary that links libswiftCore.so (a dynamic Swift stdlib; the release binary CI
#   pipelines use is the static one) unless ALLOW_DYNAMIC=1; the line then says `dynamic`.
# bench_describe FILE prints the same description of any perfgate binary (e.g. BEFORE_BIN's).

bench_stdlib() {  # static | dynamic (ldd lists libswiftCore.so)
  if ldd "$1" 2>/dev/null | grep -q 'libswiftCore\.so'; then echo dynamic; else echo static; fi
}

bench_describe() {  # FILE [ORIGIN]: path — version — origin — Swift stdlib — sha256 (first 12 hex digits)
  local file="$1" origin="${2:-}" version pg="$1"
  [[ "$(basename "$file")" == perfgate-bench* ]] && pg="$(dirname "$file")/perfgate"  # it has no --version
  if [[ -x "$pg" ]]; then version="perfgate $("$pg" --version 2>/dev/null || echo '(no --version)')"; else version="no perfgate beside it"; fi
  [[ "$pg" == "$file" ]] || version="same build as $version"
  echo "$file — $version${origin:+ — $origin} — Swift stdlib: $(bench_stdlib "$file") — sha256 $(sha256sum "$file" | cut -c1-12)"
}

_bench_products=("${@:-perfgate}")
_bench_origin=""
if [[ -n "${PERFGATE_BIN_DIR:-}" ]]; then
  BIN="$PERFGATE_BIN_DIR"
  PERFGATE="$BIN/perfgate"
  _bench_origin="prebuilt (PERFGATE_BIN_DIR)"
elif [[ -n "${PERFGATE_BIN:-}" ]]; then
  if [[ "${_bench_products[*]}" != perfgate ]]; then
    echo "error: PERFGATE_BIN names perfgate alone; this script needs ${_bench_products[*]}: use PERFGATE_BIN_DIR=DIR" >&2
    exit 64
  fi
  BIN="$(dirname "$PERFGATE_BIN")"
  PERFGATE="$PERFGATE_BIN"
  _bench_origin="prebuilt (PERFGATE_BIN)"
else
  _bench_scratch="${PERFGATE_BUILD_DIR:-.build}"
  _bench_log="$(mktemp)"
  for _bench_p in "${_bench_products[@]}"; do
    timeout 1800 swift build -c release --static-swift-stdlib --scratch-path "$_bench_scratch" --product "$_bench_p" >"$_bench_log" 2>&1 \
      || { tail -n 40 "$_bench_log" >&2; rm -f "$_bench_log"; echo "error: the release build of $_bench_p failed" >&2; exit 1; }
  done
  rm -f "$_bench_log"
  BIN="$(swift build -c release --static-swift-stdlib --scratch-path "$_bench_scratch" --show-bin-path)"
  PERFGATE="$BIN/perfgate"
  _bench_origin="built from commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  [[ -z "$(git status --porcelain -- Package.swift Sources templates 2>/dev/null)" ]] || _bench_origin+=" with uncommitted changes"
fi
# shellcheck disable=SC2034 # BIN, PERFGATE and BENCH are for the script that sources this file
BENCH="$BIN/perfgate-bench"
for _bench_p in "${_bench_products[@]}"; do
  _bench_file="$BIN/$_bench_p"
  [[ "$_bench_p" == perfgate ]] && _bench_file="$PERFGATE"
  [[ -x "$_bench_file" ]] || { echo "error: no executable $_bench_file" >&2; exit 66; }
  if [[ "$(bench_stdlib "$_bench_file")" == dynamic && "${ALLOW_DYNAMIC:-}" != 1 ]]; then
    echo "error: $_bench_file links the Swift stdlib dynamically (libswiftCore.so); the benchmarks measure the" \
      "static release binary (swift build -c release --static-swift-stdlib). ALLOW_DYNAMIC=1 measures it anyway." >&2
    exit 1
  fi
done
_bench_measured="$BIN/${_bench_products[0]}"
[[ "${_bench_products[0]}" == perfgate ]] && _bench_measured="$PERFGATE"
echo "binary: $(bench_describe "$_bench_measured" "$_bench_origin")"
unset _bench_products _bench_origin _bench_scratch _bench_log _bench_p _bench_file _bench_measured
