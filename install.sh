#!/bin/sh
# perfgate installer: downloads a release binary, verifies its SHA-256 against the release's
# SHA256SUMS, and installs it; builds from source where no binary exists.
#
#   curl -fsSL https://raw.githubusercontent.com/perfgate/perfgate/main/install.sh | sh
#   curl -fsSL https://raw.githubusercontent.com/perfgate/perfgate/main/install.sh | PERFGATE_VERSION=0.1.0 sh
#   sh install.sh --from-source            # build with the Swift toolchain instead
#
# Options:     --from-source   build with `swift build -c release --static-swift-stdlib`
#              --help
# Environment: PERFGATE_VERSION       release to install: 0.1.0, v0.1.0 or latest (default latest)
#              PERFGATE_INSTALL_DIR   where to put `perfgate` (default /usr/local/bin if writable,
#                                     else ~/.local/bin)
#              PERFGATE_REPO          GitHub repository (default perfgate/perfgate)
#              PERFGATE_DOWNLOAD_URL  releases base URL (default https://github.com/$PERFGATE_REPO/releases):
#                                     files are read from $URL/download/v$VERSION/, "latest" is the
#                                     tag that $URL/latest redirects to. Point it at a mirror or a
#                                     local server (ci/test-install.sh does).
#              PERFGATE_SOURCE_DIR    with --from-source: build this checkout instead of cloning
#
# Release binaries exist for Linux x86_64 and arm64 (glibc; they link libsqlite3, zlib and
# libstdc++ dynamically, the Swift runtime statically). Elsewhere (macOS, other architectures)
# the script builds from source and needs Swift 6.2+ and git.
# Exit codes: 0 installed; 1 failed (the message says why); 64 bad option.
set -eu

REPO="${PERFGATE_REPO:-perfgate/perfgate}"
BASE_URL="${PERFGATE_DOWNLOAD_URL:-https://github.com/$REPO/releases}"
BASE_URL="${BASE_URL%/}"
VERSION="${PERFGATE_VERSION:-latest}"
FROM_SOURCE=0

say() { printf 'perfgate install: %s\n' "$*" >&2; }
die() { printf 'perfgate install: error: %s\n' "$*" >&2; exit 1; }

for arg in "$@"; do
  case "$arg" in
    --from-source) FROM_SOURCE=1 ;;
    -h | --help)
      if [ -f "$0" ]; then sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; else echo "usage: install.sh [--from-source]  (see the comment at the top of install.sh)"; fi
      exit 0 ;;
    *) printf 'perfgate install: error: unknown option %s (try --help)\n' "$arg" >&2; exit 64 ;;
  esac
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/perfgate-install.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- HTTP
have() { command -v "$1" >/dev/null 2>&1; }
fetch() { # URL FILE
  if have curl; then
    curl --proto '=https,http' --fail --silent --show-error --location --retry 3 --output "$2" "$1"
  elif have wget; then
    wget --quiet --tries=3 --output-document="$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}
# The URL a redirect chain ends at (GitHub's /releases/latest redirects to /releases/tag/vX.Y.Z).
final_url() {
  if have curl; then
    curl --proto '=https,http' --fail --silent --show-error --location --head --output /dev/null \
      --write-out '%{url_effective}' "$1"
  elif have wget; then
    wget --spider --server-response --max-redirect=5 "$1" 2>&1 | sed -n 's/^ *[Ll]ocation: *//p' | tail -n 1 | tr -d '\r'
  else
    die "neither curl nor wget is installed"
  fi
}

# ---------------------------------------------------------------- where to install
if [ -n "${PERFGATE_INSTALL_DIR:-}" ]; then
  DEST="$PERFGATE_INSTALL_DIR"
elif [ -d /usr/local/bin ] && [ -w /usr/local/bin ]; then
  DEST=/usr/local/bin
else
  [ -n "${HOME:-}" ] || die "HOME is not set: choose a directory with PERFGATE_INSTALL_DIR"
  DEST="$HOME/.local/bin"
fi

install_binary() { # BINARY
  "$1" --version >/dev/null 2>"$TMP/version.err" || {
    cat "$TMP/version.err" >&2
    if have ldd && ldd "$1" 2>/dev/null | grep -q 'not found'; then
      ldd "$1" 2>/dev/null | grep 'not found' >&2
      say "hint: the binary needs libsqlite3, zlib and libstdc++ (Debian/Ubuntu: apt-get install libsqlite3-0 zlib1g libstdc++6;"
      say "      Fedora/RHEL: dnf install sqlite-libs zlib libstdc++)"
    fi
    die "the perfgate binary does not run on this machine (see above; glibc 2.35 or newer is needed); try --from-source"
  }
  mkdir -p "$DEST" || die "cannot create $DEST (set PERFGATE_INSTALL_DIR)"
  # Copy next to the target, then rename: a running perfgate is never overwritten in place.
  if ! { cp "$1" "$DEST/.perfgate.tmp.$$" && chmod 0755 "$DEST/.perfgate.tmp.$$" && mv -f "$DEST/.perfgate.tmp.$$" "$DEST/perfgate"; }; then
    rm -f "$DEST/.perfgate.tmp.$$"
    die "cannot write $DEST/perfgate (set PERFGATE_INSTALL_DIR)"
  fi
  say "installed $("$DEST/perfgate" --version 2>/dev/null | head -n 1) to $DEST/perfgate"
  case ":${PATH:-}:" in
    *":$DEST:"*) ;;
    *) say "note: $DEST is not on PATH; add it: export PATH=\"$DEST:\$PATH\"" ;;
  esac
}

# ---------------------------------------------------------------- version
resolve_version() {
  case "$VERSION" in
    latest)
      url="$(final_url "$BASE_URL/latest")" || die "cannot reach $BASE_URL/latest to find the latest release (set PERFGATE_VERSION)"
      tag="${url##*/}"
      case "$tag" in
        v[0-9]*) VERSION="${tag#v}" ;;
        *) die "cannot tell the latest release from $BASE_URL/latest (it led to '$url'); set PERFGATE_VERSION" ;;
      esac
      ;;
    v[0-9]*) VERSION="${VERSION#v}" ;;
    [0-9]*) ;;
    *) die "PERFGATE_VERSION must be a release like 0.1.0 or v0.1.0, or latest (got '$VERSION')" ;;
  esac
}

# ---------------------------------------------------------------- from source
build_from_source() {
  have swift || die "building from source needs a Swift 6.2+ toolchain (https://www.swift.org/install) and git"
  if [ -n "${PERFGATE_SOURCE_DIR:-}" ]; then
    src="$PERFGATE_SOURCE_DIR"
    [ -f "$src/Package.swift" ] || die "PERFGATE_SOURCE_DIR=$src holds no Package.swift"
  else
    have git || die "building from source needs git"
    resolve_version
    src="$TMP/src"
    say "cloning https://github.com/$REPO.git at v$VERSION"
    git clone --quiet --depth 1 --branch "v$VERSION" "https://github.com/$REPO.git" "$src" ||
      die "cannot clone https://github.com/$REPO.git at tag v$VERSION"
  fi
  flags="-c release --product perfgate"
  # The Swift runtime is part of macOS; on Linux it is linked in so the binary needs no toolchain.
  [ "$(uname -s)" = Linux ] && flags="$flags --static-swift-stdlib"
  say "building perfgate from $src (swift build $flags; a few minutes)"
  # shellcheck disable=SC2086 # $flags is a list of words
  swift build $flags --package-path "$src" >&2 || {
    [ "$(uname -s)" = Linux ] && say "hint: the build needs libsqlite3-dev and zlib1g-dev (Debian/Ubuntu; bash ci/setup.sh installs them)"
    die "swift build failed"
  }
  # shellcheck disable=SC2086
  bin="$(swift build $flags --package-path "$src" --show-bin-path)/perfgate"
  [ -x "$bin" ] || die "the build left no binary at $bin"
  install_binary "$bin"
}

# ---------------------------------------------------------------- release binary
os="$(uname -s)"
case "$(uname -m)" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
if [ "$FROM_SOURCE" = 1 ]; then
  build_from_source
  exit 0
fi
if [ "$os" != Linux ] || { [ "$arch" != x86_64 ] && [ "$arch" != arm64 ]; }; then
  say "no release binary for $os $arch (there are Linux x86_64 and arm64): building from source"
  build_from_source
  exit 0
fi

resolve_version
asset="perfgate-$VERSION-linux-$arch.tar.gz"
url="$BASE_URL/download/v$VERSION"
say "downloading $asset (v$VERSION) from $url"
fetch "$url/$asset" "$TMP/$asset" || die "cannot download $url/$asset"
fetch "$url/SHA256SUMS" "$TMP/SHA256SUMS" || die "cannot download $url/SHA256SUMS: refusing to install an unverified binary"

expected="$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1; exit }' "$TMP/SHA256SUMS")"
[ -n "$expected" ] || die "SHA256SUMS has no line for $asset: refusing to install an unverified binary"
if have sha256sum; then
  actual="$(sha256sum "$TMP/$asset" | awk '{ print $1 }')"
elif have shasum; then
  actual="$(shasum -a 256 "$TMP/$asset" | awk '{ print $1 }')"
else
  die "neither sha256sum nor shasum is installed: cannot verify the download"
fi
if [ "$actual" != "$expected" ]; then
  die "checksum mismatch for $asset: expected $expected, got $actual. The download is corrupt or was tampered with; nothing was installed"
fi
say "checksum ok (sha256 $actual)"

mkdir "$TMP/x"
tar -xzf "$TMP/$asset" -C "$TMP/x" || die "cannot unpack $asset"
bin="$TMP/x/perfgate-$VERSION-linux-$arch/perfgate"
[ -f "$bin" ] || bin="$TMP/x/perfgate"
[ -f "$bin" ] || die "$asset holds no perfgate binary"
install_binary "$bin"
