#!/bin/sh
# Vendor the YASGUI SPARQL editor (MIT) from the npm registry into api/static/yasgui/.
#
#   tools/vendor_yasgui.sh [VERSION]      (default: the version in api/static/yasgui/VERSION)
#
# @zazuko/yasgui ships only its build; its package carries no licence file, so the MIT
# licence text is taken from @triply/yasgui, the package it continues (same licence, named
# in @zazuko/yasgui's package.json).  Needs npm and network access to the npm registry.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
target="$here/api/static/yasgui"
version=${1:-$(cat "$target/VERSION")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@zazuko/yasgui@$version" >/dev/null
npm pack --silent "@triply/yasgui@4.2.28" >/dev/null
mkdir zazuko triply
tar xzf zazuko-yasgui-"$version".tgz -C zazuko
tar xzf triply-yasgui-4.2.28.tgz -C triply
license=$(node -p "require('./zazuko/package/package.json').license")
[ "$license" = MIT ] || { echo "@zazuko/yasgui $version is not MIT ($license)" >&2; exit 1; }
mkdir -p "$target"
cp zazuko/package/build/yasgui.min.js zazuko/package/build/yasgui.min.css "$target/"
cp triply/package/LICENSE.txt "$target/LICENSE"
printf '%s\n' "$version" > "$target/VERSION"
echo "vendored @zazuko/yasgui $version into $target"
