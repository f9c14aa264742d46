#!/usr/bin/env bash
# Runs tornado's own test suite (python3 -m tornado.test.runtests) on a copy of the
# corpus checkout before and after `tasklens check --fix`, and again after
# `--fix --unsafe-fixes`. It fails unless the run after `--fix` (safe fixes only) reports
# the same result as before; the unsafe run is reported, not judged: unsafe fixes are
# the ones whose running loop cannot be proven, and one of tornado's tests shows why
# (`WebSocketClientConnection.write_message` called from synchronous test code).
# Usage: benches/tornado_tests.sh [tornado-dir] (default: target/corpora/tornado, from
# ../shared/corpora/fetch.sh). Not part of the test suite: it takes a few minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source=${1:-$root/target/corpora/tornado}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
tasklens=$root/target/release/tasklens
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The summary lines of a run: "Ran N tests" and "OK (skipped=K)" or "FAILED (...)".
run_tests() {
    (cd "$1" && python3 -m tornado.test.runtests 2>&1 || true) | grep -E '^(Ran [0-9]+ tests|OK|FAILED)' | sed -E 's/ in [0-9.]+s$//'
}

cp -r "$source" "$work/tornado"
before=$(run_tests "$work/tornado")
echo "before:            $(tr '\n' ' ' <<<"$before")"
status=0
for flags in "--fix" "--fix --unsafe-fixes"; do
    # shellcheck disable=SC2086
    (cd "$work/tornado" && "$tasklens" check . $flags --exit-zero --output-format concise | tail -1)
    changed=$(diff -rq --no-dereference "$source" "$work/tornado" | grep -c '^Files' || true)
    after=$(run_tests "$work/tornado")
    echo "after $flags: $(tr '\n' ' ' <<<"$after") ($changed files changed)"
    if [ "$flags" = "--fix" ] && [ "$after" != "$before" ]; then
        echo "tornado's test results changed after tasklens check $flags" >&2
        status=1
    fi
done
diff -ru --no-dereference "$source" "$work/tornado" | grep -E '^[-+][^-+]' || true
exit $status
