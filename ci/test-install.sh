#!/usr/bin/env bash
# Tests install.sh against a fake release served on 127.0.0.1 (no network). Run by ci/check-ci-kit.sh.
#
#   ci/test-install.sh                          # binary: $PERFGATE_BIN, else .build/release/perfgate,
#                                               # else a stand-in script that prints the version
#
# The fake release mirrors GitHub's layout: $URL/download/vX.Y.Z/{perfgate-X.Y.Z-linux-ARCH.tar.gz,
# SHA256SUMS}, and $URL/latest redirects to $URL/tag/vX.Y.Z. Cases: an explicit version, "latest",
# a v-prefixed version, a corrupted tarball (refused, nothing installed), a SHA256SUMS without the
# file's line (refused), --from-source and a non-Linux OS (both build from source: `swift` and
# `uname` are stubs here, so no Swift build runs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/perfgate-test-install.XXXXXX")"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
failures=0
pass() { echo "  ok: $*"; }
fail() { echo "  FAIL: $*" >&2; failures=$((failures + 1)); }

VERSION="$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' "$ROOT/Sources/PerfgateCLI/PerfgateCommand.swift")"
[[ -n "$VERSION" ]] || { echo "cannot read the version from Sources/PerfgateCLI/PerfgateCommand.swift" >&2; exit 1; }
case "$(uname -m)" in x86_64 | amd64) ARCH=x86_64 ;; aarch64 | arm64) ARCH=arm64 ;; *) ARCH="$(uname -m)" ;; esac

BIN="${PERFGATE_BIN:-}"
[[ -z "$BIN" && -x "$ROOT/.build/release/perfgate" ]] && BIN="$ROOT/.build/release/perfgate"
if [[ -n "$BIN" ]]; then
  echo "test-install: release binary $BIN ($("$BIN" --version))"
  [[ "$("$BIN" --version)" == "$VERSION" ]] || VERSION="$("$BIN" --version)"
else
  echo "test-install: no perfgate binary (PERFGATE_BIN, .build/release/perfgate): a stand-in script plays it"
  BIN="$WORK/stand-in"
  printf '#!/bin/sh\necho %s\n' "$VERSION" >"$BIN"
  chmod +x "$BIN"
fi

# ---------------------------------------------------------------- the fake release
release() { # VERSION BINARY -> $WORK/releases/download/vVERSION/ (the layout of the release workflow)
  local d="$WORK/releases/download/v$1" name="perfgate-$1-linux-$ARCH"
  mkdir -p "$d" "$WORK/pack/$name"
  cp "$2" "$WORK/pack/$name/perfgate"
  cp "$ROOT/README.md" "$WORK/pack/$name/"
  tar -cf - -C "$WORK/pack" "$name" | gzip -1 >"$d/$name.tar.gz" # -1: a 100 MB binary packs in a second
  (cd "$d" && sha256sum "$name.tar.gz" >SHA256SUMS)
}
release "$VERSION" "$BIN"
# The refusals need no real binary.
printf '#!/bin/sh\necho 0.0.0\n' >"$WORK/tiny"
chmod +x "$WORK/tiny"
release 0.0.1 "$WORK/tiny" # corrupted after its checksum was written
printf 'x' >>"$WORK/releases/download/v0.0.1/perfgate-0.0.1-linux-$ARCH.tar.gz"
release 0.0.2 "$WORK/tiny" # SHA256SUMS without the tarball's line
echo "0000000000000000000000000000000000000000000000000000000000000000  other.tar.gz" >"$WORK/releases/download/v0.0.2/SHA256SUMS"

# python3 -m http.server's handler, plus GitHub's /latest -> /tag/vX redirect.
cat >"$WORK/server.py" <<'PY'
import functools, http.server, sys
root, latest, portfile = sys.argv[1:4]
class Handler(http.server.SimpleHTTPRequestHandler):
    def _latest(self):
        if self.path.rstrip("/") != "/releases/latest":
            return False
        self.send_response(302)
        self.send_header("Location", f"/releases/tag/v{latest}")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True
    def do_HEAD(self):
        if self.path.startswith("/releases/tag/"):  # GitHub's release page
            self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers(); return
        if not self._latest(): super().do_HEAD()
    def do_GET(self):
        if not self._latest(): super().do_GET()
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
open(portfile, "w").write(str(server.server_address[1]))
server.serve_forever()
PY
python3 "$WORK/server.py" "$WORK" "$VERSION" "$WORK/port" &
SERVER_PID=$!
for _ in $(seq 50); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
[[ -s "$WORK/port" ]] || { echo "test-install: the server did not start" >&2; exit 1; }
PERFGATE_DOWNLOAD_URL="http://127.0.0.1:$(cat "$WORK/port")/releases"
export PERFGATE_DOWNLOAD_URL
echo "test-install: fake release v$VERSION for linux-$ARCH at $PERFGATE_DOWNLOAD_URL"

run_install() { # DEST LOG [env...] -- runs install.sh with POSIX sh, returns its exit code
  local dest="$1" log="$2"
  shift 2
  env PERFGATE_INSTALL_DIR="$dest" "$@" sh "$ROOT/install.sh" >"$log" 2>&1
}

# ---------------------------------------------------------------- cases
if [[ "$ARCH" != x86_64 && "$ARCH" != arm64 ]]; then
  echo "test-install: $(uname -m) has no release binary; only the source fallback is tested" >&2
else
  rc=0; run_install "$WORK/i1" "$WORK/i1.log" PERFGATE_VERSION="$VERSION" || rc=$?
  if [[ $rc == 0 && "$("$WORK/i1/perfgate" --version 2>&1)" == "$VERSION" ]]; then pass "PERFGATE_VERSION=$VERSION installs, perfgate --version = $VERSION"
  else fail "PERFGATE_VERSION=$VERSION (exit $rc)"; cat "$WORK/i1.log" >&2; fi
  if grep -q "checksum ok" "$WORK/i1.log"; then pass "the checksum was verified"; else fail "no 'checksum ok' in the log"; fi

  rc=0; run_install "$WORK/i2" "$WORK/i2.log" || rc=$?
  if [[ $rc == 0 && -x "$WORK/i2/perfgate" ]] && grep -q "(v$VERSION)" "$WORK/i2.log"; then pass "latest resolves to v$VERSION through the redirect"
  else fail "latest (exit $rc)"; cat "$WORK/i2.log" >&2; fi

  rc=0; run_install "$WORK/i3" "$WORK/i3.log" PERFGATE_VERSION="v$VERSION" || rc=$?
  if [[ $rc == 0 && -x "$WORK/i3/perfgate" ]]; then pass "PERFGATE_VERSION=v$VERSION works"
  else fail "v-prefixed version (exit $rc)"; cat "$WORK/i3.log" >&2; fi

  rc=0; run_install "$WORK/i4" "$WORK/i4.log" PERFGATE_VERSION=0.0.1 || rc=$?
  if [[ $rc != 0 && ! -e "$WORK/i4/perfgate" ]] && grep -q "checksum mismatch for perfgate-0.0.1-linux-$ARCH.tar.gz" "$WORK/i4.log"; then
    pass "a corrupted tarball is refused (exit $rc): $(grep -o 'checksum mismatch[^:]*' "$WORK/i4.log")"
  else fail "corrupted tarball: exit $rc"; cat "$WORK/i4.log" >&2; fi

  rc=0; run_install "$WORK/i5" "$WORK/i5.log" PERFGATE_VERSION=0.0.2 || rc=$?
  if [[ $rc != 0 && ! -e "$WORK/i5/perfgate" ]] && grep -q "SHA256SUMS has no line" "$WORK/i5.log"; then pass "a tarball missing from SHA256SUMS is refused (exit $rc)"
  else fail "missing checksum line: exit $rc"; cat "$WORK/i5.log" >&2; fi

  rc=0; run_install "$WORK/i6" "$WORK/i6.log" PERFGATE_VERSION=9.9.9 || rc=$?
  if [[ $rc != 0 ]] && grep -q "cannot download" "$WORK/i6.log"; then pass "a release that does not exist fails (exit $rc)"
  else fail "unknown release: exit $rc"; cat "$WORK/i6.log" >&2; fi
fi

# Source builds, with stubs: `swift` records its arguments and leaves a binary at --show-bin-path,
# `uname -s` says Darwin for the non-Linux case.
mkdir -p "$WORK/stubs" "$WORK/swiftbin"
cat >"$WORK/stubs/swift" <<SH
#!/bin/sh
echo "swift \$*" >>"$WORK/swift.calls"
case " \$* " in *" --show-bin-path "*) echo "$WORK/swiftbin"; exit 0 ;; esac
cp "$BIN" "$WORK/swiftbin/perfgate"
SH
chmod +x "$WORK/stubs/swift"
rc=0; env PERFGATE_INSTALL_DIR="$WORK/i7" PATH="$WORK/stubs:$PATH" PERFGATE_SOURCE_DIR="$ROOT" sh "$ROOT/install.sh" --from-source >"$WORK/i7.log" 2>&1 || rc=$?
if [[ $rc == 0 && -x "$WORK/i7/perfgate" ]] && grep -q -- "build -c release --product perfgate --static-swift-stdlib --package-path $ROOT" "$WORK/swift.calls"; then
  pass "--from-source runs swift build -c release --static-swift-stdlib and installs the result"
else fail "--from-source: exit $rc"; cat "$WORK/i7.log" "$WORK/swift.calls" >&2; fi

# shellcheck disable=SC2016 # the stub's own $1 and $@
printf '#!/bin/sh\ncase "$1" in -s) echo Darwin ;; -m) echo arm64 ;; *) exec /bin/uname "$@" ;; esac\n' >"$WORK/stubs/uname"
chmod +x "$WORK/stubs/uname"
: >"$WORK/swift.calls"
rc=0; run_install "$WORK/i8" "$WORK/i8.log" PATH="$WORK/stubs:$PATH" PERFGATE_SOURCE_DIR="$ROOT" || rc=$?
if [[ $rc == 0 && -x "$WORK/i8/perfgate" ]] && grep -q "no release binary for Darwin arm64" "$WORK/i8.log" &&
  grep -q -- "build -c release --product perfgate --package-path" "$WORK/swift.calls" && ! grep -q static "$WORK/swift.calls"; then
  pass "macOS falls back to a source build (without --static-swift-stdlib)"
else fail "non-Linux fallback: exit $rc"; cat "$WORK/i8.log" "$WORK/swift.calls" >&2; fi

if [[ $failures -gt 0 ]]; then
  echo "test-install: $failures failure(s)" >&2
  exit 1
fi
echo "test-install: all cases passed"
