#!/bin/sh
# SPDX-License-Identifier: MIT
# test_spdx.sh SRC: every tracked source, script and build file carries an SPDX-License-Identifier in its first
# lines (MIT; GPL-3.0-only under host/juce/, see host/juce/LICENSE). Names each file that lacks one.
# Skips (77) outside a git checkout.
set -u
SRC=$1
cd "$SRC" || exit 1
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "SKIP: $SRC is not a git checkout"; exit 77; }
missing=0
checked=0
for f in $(git ls-files | grep -E '(\.(c|h|cpp|hpp|py|sh|cmake|rs|gp|toml)|CMakeLists\.txt|\.cmake\.in|\.pc\.in|^\.ci/run)$' |
    grep -vE '^docs/report/|fuzz/corpus|^docs/data/'); do
    [ -L "$f" ] && continue
    checked=$((checked + 1))
    case $f in host/juce/*) want=GPL-3.0-only ;; *) want=MIT ;; esac
    if ! head -n 3 "$f" | grep -q "SPDX-License-Identifier: $want"; then
        echo "FAIL - $f: no 'SPDX-License-Identifier: $want' in its first 3 lines"
        missing=$((missing + 1))
    fi
done
echo "$((checked - missing)) passed, $missing failed"
[ $missing -eq 0 ]
