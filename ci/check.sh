#!/usr/bin/env bash
# The whole CI: lint (ci/lint.sh, also with --extras), system packages, build with warnings as errors,
# the test suite (the README's `swift test`), schema checks, and the end-to-end proofs that exist. `.ci/run` runs the first three
# itself and calls this with --extras for the rest (ci/fuzz.sh: a bounded fuzzing run, about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}"

echo "== lint (swift format, ci/lint.sh) =="
bash ci/lint.sh

if [ "${1:-}" != "--extras" ]; then
  bash ci/setup.sh

  echo "== build (warnings are errors) =="
  swift build --build-tests

  echo "== tests =="
  if [ -z "${PERFGATE_TEST_POSTGRES:-}" ]; then
    # The PostgreSQL store's tests need a server: start a throwaway one for this run.
    eval "$(bash ci/postgres.sh start)"
    trap 'bash ci/postgres.sh stop' EXIT
  fi
  swift test
fi

if [ -f ci/check-schemas.py ]; then
  echo "== JSON schemas =="
  python3 -c "import jsonschema" 2>/dev/null || pip install --quiet jsonschema
  python3 ci/check-schemas.py
fi

for extra in ci/e2e.sh ci/hardening.sh ci/fuzz.sh ci/check-ci-kit.sh ci/check-report-browser.sh ci/dogfood.sh; do
  if [ -x "$extra" ]; then
    echo "== $extra =="
    bash "$extra"
  fi
done
echo "ci/check.sh: all green"
