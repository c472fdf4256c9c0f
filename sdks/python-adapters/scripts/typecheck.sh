#!/bin/sh
# Strict mypy over the adapters ([tool.mypy] in ../pyproject.toml): one run per adapter folder (one with a
# pyproject.toml) over its src/ and tests/ and the shared adapter_testing.py, with its tests/ on MYPYPATH
# (the tests import conftest and their scripted apps from there); then the shared conftest.py. One run per
# adapter because every tests/ folder has a conftest.py of its own. Fails if any run fails.
# Usage (from anywhere): sh sdks/python-adapters/scripts/typecheck.sh
set -u
cd "$(dirname "$0")/.." || exit 1
failed=""
for dir in */; do
  a=${dir%/}
  [ -f "$a/pyproject.toml" ] || continue
  echo "mypy: $a"
  MYPYPATH="$a/tests" python3 -m mypy --cache-dir ".mypy_cache/$a" "$a/src" "$a"/tests/*.py adapter_testing.py ||
    failed="$failed $a"
done
echo "mypy: shared test helpers"
python3 -m mypy --cache-dir .mypy_cache/shared conftest.py adapter_testing.py || failed="$failed shared"
if [ -n "$failed" ]; then
  echo "mypy failed for:$failed" >&2
  exit 1
fi
