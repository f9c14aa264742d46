#!/usr/bin/env bash
# Runs `tasklens check --fix` (then `--fix --unsafe-fixes`) on a copy of every corpus
# project, and checks that each changed file still compiles (`python3 -m py_compile`)
# and that a second run has nothing left to change. Prints one line per project:
#   project  fixed-by-first-run  files-changed  not-compiling  changed-by-second-run
# Usage: benches/fix_corpus.sh [corpora-dir] (default: target/corpora, filled by
# ../shared/corpora/fetch.sh). Not part of the test suite: it takes minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpora=${1:-$root/target/corpora}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
tasklens=$root/target/release/tasklens
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sweep() {
    local mode=$1; shift
    local total_fixed=0 total_files=0 total_bad=0 total_second=0
    echo "== tasklens check --fix $*"
    printf '%-24s %6s %6s %6s %6s\n' project fixed files broken again
    for project in "$corpora"/*/; do
        local name
        name=$(basename "$project")
        case $name in _*) continue ;; esac
        rm -rf "$work/before" "$work/after"
        cp -r "$project" "$work/before"
        cp -r "$project" "$work/after"
        local out fixed files bad=0 again
        out=$(cd "$work/after" && "$tasklens" check . --fix --exit-zero --output-format concise "$@" 2>/dev/null || true)
        fixed=$(grep -oE '^Fixed [0-9]+' <<<"$out" | grep -oE '[0-9]+' || echo 0)
        mapfile -t changed < <(diff -rq --no-dereference "$work/before" "$work/after" | sed -nE "s|^Files .* and $work/after/(.*) differ$|\\1|p")
        files=${#changed[@]}
        for file in "${changed[@]}"; do
            if ! python3 -m py_compile "$work/after/$file" 2>/dev/null; then
                # A file the original Python could not compile either is not a regression.
                if python3 -m py_compile "$work/before/$file" 2>/dev/null; then
                    echo "   does not compile after fixing: $name/$file"
                    bad=$((bad + 1))
                fi
            fi
        done
        find "$work/after" -name __pycache__ -prune -exec rm -rf {} +
        again=$(cd "$work/after" && "$tasklens" check . --diff "$@" 2>/dev/null | grep -c '^+++ ' || true)
        printf '%-24s %6s %6s %6s %6s\n' "$name" "$fixed" "$files" "$bad" "$again"
        total_fixed=$((total_fixed + fixed)); total_files=$((total_files + files))
        total_bad=$((total_bad + bad)); total_second=$((total_second + again))
    done
    printf '%-24s %6s %6s %6s %6s\n' TOTAL "$total_fixed" "$total_files" "$total_bad" "$total_second"
}

sweep safe
sweep unsafe --unsafe-fixes
