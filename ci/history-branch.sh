#!/usr/bin/env bash
# Keeps a perfgate store on a git branch (default `perfgate-history`), so the history survives
# CI cache eviction. Used by the GitHub action (`history: branch`) and the GitLab template
# (`PERFGATE_HISTORY: branch`); works in any git checkout whose remote accepts pushes.
#
#   ci/history-branch.sh fetch    # before perfgate check: the branch's store -> $PERFGATE_STORE
#   ci/history-branch.sh push     # after it: $PERFGATE_STORE -> the branch (retried on a race)
#
# Environment: PERFGATE_STORE (default .perfgate/history.sqlite), PERFGATE_HISTORY_BRANCH
# (default perfgate-history), PERFGATE_HISTORY_REMOTE (default origin), PERFGATE (the binary,
# default perfgate), PERFGATE_HISTORY_RETRIES (default 5).
#
# The branch holds one commit: `history.sqlite` and a README. Every push replaces that commit
# (the branch never grows, a clone fetches one store, not every version of it) and is a
# compare-and-swap: `git push --force-with-lease=BRANCH:<the commit fetched>`. When another job
# pushed in between, the push is rejected; the script fetches the new store, merges its runs into
# ours with `perfgate export` + `perfgate import` (idempotent: runs already present are skipped),
# and pushes again. So concurrent writers lose no runs; derived data (change points) is
# recomputed by `perfgate detect` / `perfgate report`.
set -euo pipefail
STORE="${PERFGATE_STORE:-.perfgate/history.sqlite}"
BRANCH="${PERFGATE_HISTORY_BRANCH:-perfgate-history}"
REMOTE="${PERFGATE_HISTORY_REMOTE:-origin}"
PERFGATE="${PERFGATE:-perfgate}"
RETRIES="${PERFGATE_HISTORY_RETRIES:-5}"
REF="refs/perfgate/history"
STATE="$STORE.branch-commit" # the commit the store came from: the lease of the next push

say() { printf 'perfgate history-branch: %s\n' "$*" >&2; }

# Fetch the branch into $REF; prints its commit, or nothing when the branch does not exist yet.
fetch_branch() {
  if git fetch --quiet --no-tags "$REMOTE" "+refs/heads/$BRANCH:$REF" 2>/dev/null; then
    git rev-parse "$REF"
  elif git ls-remote --exit-code --heads "$REMOTE" "$BRANCH" >/dev/null 2>&1; then
    say "error: cannot fetch $BRANCH from $REMOTE"
    return 1
  fi
}

# Merge the runs of the branch's store (commit $1) into $STORE.
merge_from() {
  local tmp
  tmp="$(mktemp -d)"
  git show "$1:history.sqlite" >"$tmp/remote.sqlite"
  "$PERFGATE" export --store "$tmp/remote.sqlite" --out "$tmp/remote.json"
  "$PERFGATE" import --store "$STORE" "$tmp/remote.json" >&2
  rm -rf "$tmp"
}

case "${1:-}" in
  fetch)
    commit="$(fetch_branch)"
    mkdir -p "$(dirname "$STORE")"
    if [[ -z "$commit" ]]; then
      say "no $BRANCH branch on $REMOTE yet: starting without history (the first push creates it)"
      : >"$STATE"
    elif [[ -s "$STORE" ]]; then
      say "merging the history of $BRANCH (${commit:0:8}) into the existing $STORE"
      merge_from "$commit"
      echo "$commit" >"$STATE"
    else
      git show "$commit:history.sqlite" >"$STORE"
      echo "$commit" >"$STATE"
      say "restored $STORE from $BRANCH (${commit:0:8})"
    fi
    ;;
  push)
    [[ -s "$STORE" ]] || { say "error: no store at $STORE"; exit 1; }
    [[ -e "$STORE-wal" && -s "$STORE-wal" ]] && { say "error: $STORE-wal exists: a perfgate process still has the store open"; exit 1; }
    lease="$(cat "$STATE" 2>/dev/null || true)"
    if [[ ! -f "$STATE" ]]; then
      # The store did not come from `fetch` (e.g. a local store): merge the branch first.
      lease="$(fetch_branch)"
      [[ -n "$lease" ]] && merge_from "$lease"
    fi
    source_sha="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    # shellcheck disable=SC2016 # the backquotes are Markdown
    readme="$(printf '# perfgate history\n\nThe perfgate store (`history.sqlite`) of this repository, written by CI (ci/history-branch.sh).\nEvery update replaces this single commit. Read it with `git show %s:history.sqlite > history.sqlite`.\n' "$BRANCH" | git hash-object -w --stdin)"
    for attempt in $(seq 1 "$RETRIES"); do
      blob="$(git hash-object -w "$STORE")"
      tree="$(printf '100644 blob %s\tREADME.md\n100644 blob %s\thistory.sqlite\n' "$readme" "$blob" | git mktree)"
      commit="$(GIT_AUTHOR_NAME="${PERFGATE_GIT_NAME:-perfgate}" GIT_AUTHOR_EMAIL="${PERFGATE_GIT_EMAIL:-perfgate@localhost}" \
        GIT_COMMITTER_NAME="${PERFGATE_GIT_NAME:-perfgate}" GIT_COMMITTER_EMAIL="${PERFGATE_GIT_EMAIL:-perfgate@localhost}" \
        git commit-tree "$tree" -m "perfgate history after $source_sha")"
      if git push --quiet --force-with-lease="refs/heads/$BRANCH:$lease" "$REMOTE" "$commit:refs/heads/$BRANCH" 2>"$STORE.push.err"; then
        echo "$commit" >"$STATE"
        say "pushed $STORE to $BRANCH (${commit:0:8}, attempt $attempt)"
        rm -f "$STORE.push.err"
        exit 0
      fi
      sed 's/^/    /' "$STORE.push.err" >&2
      [[ $attempt -lt $RETRIES ]] || break
      say "push rejected (another job updated $BRANCH?): fetching it, merging its runs, retrying"
      lease="$(fetch_branch)"
      [[ -n "$lease" ]] && merge_from "$lease"
      sleep "$((attempt * 2))"
    done
    rm -f "$STORE.push.err"
    say "error: could not push $BRANCH after $RETRIES attempts (does the token have contents: write?)"
    exit 1
    ;;
  *)
    echo "usage: ci/history-branch.sh fetch|push" >&2
    exit 64
    ;;
esac
