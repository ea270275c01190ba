#!/bin/sh
# Vendor Swagger UI (Apache-2.0), the viewer of the researcher API's OpenAPI schema at /docs,
# from the npm registry into api/static/swagger_ui/, so that /docs works offline.
#
#   tools/vendor_swagger_ui.sh [VERSION]   (default: the version in api/static/swagger_ui/VERSION)
#
# Takes the browser bundle and stylesheet of swagger-ui-dist with its LICENSE, its NOTICE and
# the licence notices of the libraries inside the bundle.  Needs npm, node and access to the
# npm registry.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
target="$here/api/static/swagger_ui"
version=${1:-$(cat "$target/VERSION")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "swagger-ui-dist@$version" >/dev/null
tar xzf swagger-ui-dist-"$version".tgz
license=$(node -p "require('./package/package.json').license")
[ "$license" = Apache-2.0 ] || { echo "swagger-ui-dist $version is not Apache-2.0 ($license)" >&2; exit 1; }
mkdir -p "$target"
cp package/swagger-ui-bundle.js package/swagger-ui.css package/LICENSE package/NOTICE \
   package/swagger-ui-bundle.js.LICENSE.txt package/favicon-32x32.png "$target/"
printf '%s\n' "$version" > "$target/VERSION"
echo "vendored swagger-ui-dist $version into $target"
