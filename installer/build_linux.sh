#!/usr/bin/env bash
# Build the one-folder program with installer/doudi_desk.spec on Linux and prove the spec complete:
# the bundle is copied to a folder with no source tree (and a Chinese name with a space), then its
# `doudi-desk --self-test` runs there in a clean environment (it migrates a new database, walks a
# case one step, prints the case file and previews it) and `doudi-admin init` creates a database.
# Prints the bundle's size, build time and start times. Used by .ci/run; Windows uses build.ps1.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DIST=build/dist
"$PY" -m pip install --quiet -e '.[build]'

started=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath build/pyinstaller \
    installer/doudi_desk.spec
built=$(( $(date +%s) - started ))

# Every program-data folder of the source tree is in the bundle.
for name in $("$PY" -c 'from doudi_desk.paths import present_program_folders; print(*present_program_folders())'); do
    test -d "$DIST/doudi-desk/_internal/$name" || { echo "bundle lacks $name/"; exit 1; }
done
test -f "$DIST/doudi-desk/_internal/doudi_desk/storage/alembic.ini"
ls "$DIST"/doudi-desk/_internal/doudi_desk/storage/migrations/versions/*.py >/dev/null
ls "$DIST"/doudi-desk/_internal/PySide6/Qt/translations/qtbase_zh_CN.qm >/dev/null

away=$(mktemp -d)
trap 'rm -rf "$away"' EXIT
mkdir -p "$away/兜底 测试" "$away/home"
cp -a "$DIST/doudi-desk" "$away/兜底 测试/"
bundle="$away/兜底 测试/doudi-desk"
clean_env=(env -i HOME="$away/home" PATH=/usr/bin:/bin LANG=C.UTF-8)

cd "$away"
t0=$(date +%s.%N)
"${clean_env[@]}" "$bundle/doudi-admin" --help >/dev/null
t1=$(date +%s.%N)
out=$("${clean_env[@]}" "$bundle/doudi-desk" --self-test 2>"$away/self-test.err") || {
    echo "$out"; cat "$away/self-test.err"; echo "bundle self-test FAILED"; exit 1; }
t2=$(date +%s.%N)
echo "$out"
case "$out" in *自检通过*打印案件档案*并预览*) ;; *) echo "self-test did not print and preview"; exit 1 ;; esac
"${clean_env[@]}" "$bundle/doudi-admin" init >/dev/null
test -f "$away/home/.local/share/doudi_desk/doudi_desk.sqlite3"

size=$(du -sm "$bundle" | cut -f1)
awk -v size="$size" -v built="$built" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v where="$bundle" 'BEGIN {
    printf "Linux bundle: %s MB, built in %s s; doudi-admin --help %.1f s; doudi-desk --self-test %.1f s (from %s)\n",
        size, built, t1 - t0, t2 - t1, where }'
