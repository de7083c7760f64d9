#!/usr/bin/env bash
# fetch-vendor.sh — fetch the pinned third-party browser libraries from the
# npm registry and lay them out where the server (and the browser tests)
# load them, or check that the committed copies are exactly what the
# registry serves.
#
#   scripts/fetch-vendor.sh           fetch and (re)write the vendored files
#   scripts/fetch-vendor.sh --verify  fetch into a temporary folder and fail
#                                     if any committed file differs, is
#                                     missing or is extra (CI runs this)
#
# Each package is downloaded with `npm pack NAME@VERSION` (the ordinary npm
# client, with its configured registry), its tarball is checked against the
# sha512 integrity pinned below, and only the listed files are copied out.
# The one transformation is documented in the generated README: Preact's
# hooks module imports the bare specifier "preact", which a browser cannot
# resolve without an import map (and an inline import map is blocked by
# the Content-Security-Policy), so it is rewritten to "./preact.mjs".
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

# Vendor roots: the served one (embedded in the binary, under /assets/vendor/)
# and the test-only one (axe-core, loaded by the browser tests only).
SERVED=assets/static/vendor
TESTONLY=e2e/testdata/vendor

# name version licence integrity root: one package per line.
PACKAGES=$(cat <<'EOF'
preact 11.2.0 MIT sha512-/HfHI/7N84e6GrWBJ3J280z3mLaRJiDcSvj/A+y/4AbLnND/1UlGHe1sR6oYuTGwId0nP7dqDU9OnLxMPZ7xBg== served
htm 3.1.1 Apache-2.0 sha512-983Vyg8NwUE7JkZ6NmOqpCZ+sh1bKv2iYTlUkzlWmA5JD2acKoxd4KVxbMmxX/85mtfdnDmTFoNKcg5DGAvxNQ== served
uplot 1.6.32 MIT sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw== served
axe-core 4.14.1 MPL-2.0 sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ== testonly
EOF
)

# files NAME: "source-in-tarball destination-name" pairs.
files() {
	case "$1" in
	preact) echo "package/dist/preact.mjs preact.mjs
package/hooks/dist/hooks.mjs hooks.mjs
package/LICENSE LICENSE" ;;
	htm) echo "package/dist/htm.mjs htm.mjs
package/LICENSE LICENSE" ;;
	uplot) echo "package/dist/uPlot.esm.js uPlot.esm.js
package/dist/uPlot.min.css uPlot.min.css
package/LICENSE LICENSE" ;;
	axe-core) echo "package/axe.min.js axe.min.js
package/LICENSE LICENSE
package/LICENSE-3RD-PARTY.txt LICENSE-3RD-PARTY.txt" ;;
	*) echo "unknown package $1" >&2; exit 1 ;;
	esac
}

# transform NAME FILE: the documented rewrites, applied in place.
transform() {
	case "$1/$(basename "$2")" in
	preact/hooks.mjs)
		grep -q 'from"preact"' "$2" || { echo "preact hooks: expected import of \"preact\" not found" >&2; exit 1; }
		sed -i 's|from"preact"|from"./preact.mjs"|g' "$2" ;;
	esac
	# Source maps are not vendored: drop the comment that points to them.
	sed -i '/^\/\/# sourceMappingURL=/d' "$2"
}

readme() { # readme ROOT-KIND
	cat <<'EOF'
# Vendored third-party files

Written by `scripts/fetch-vendor.sh`; do not edit by hand. Check them with
`scripts/fetch-vendor.sh --verify`, which downloads the same packages from
the npm registry, checks each tarball's sha512 integrity and fails if any
file here differs.

| package | version | licence | files | integrity of the npm tarball |
| --- | --- | --- | --- | --- |
EOF
	while read -r name version licence integrity kind; do
		[ "$kind" = "$1" ] || continue
		local list
		list=$(files "$name" | awk '{printf "%s`%s`", (NR>1?", ":""), $2}')
		echo "| $name | $version | $licence | $list | \`$integrity\` |"
	done <<<"$PACKAGES"
	if [ "$1" = served ]; then
		cat <<'EOF'

Each package sits in `NAME@VERSION/` with its licence file. Sources: the npm
packages named above (Preact: github.com/preactjs/preact; htm:
github.com/developit/htm; uPlot: github.com/leeoniya/uPlot).

Changes from the published files: `preact@…/hooks.mjs` imports
`"./preact.mjs"` instead of the bare specifier `"preact"` (browsers cannot
resolve bare specifiers without an import map, and the server's
Content-Security-Policy forbids inline scripts, import maps included); the
trailing `//# sourceMappingURL=` comments are removed since the maps are not
vendored. Nothing else is changed.
EOF
	else
		cat <<'EOF'

Used only by the browser tests (`e2e/`) to run accessibility checks; never
served by the game server. Source: github.com/dequelabs/axe-core. The
trailing `//# sourceMappingURL=` comment, if any, is removed.
EOF
	fi
}

# build OUT: fetch every package and write both vendor roots under OUT.
build() {
	local out=$1 tmp
	tmp=$(mktemp -d)
	mkdir -p "$out/$SERVED" "$out/$TESTONLY"
	while read -r name version licence integrity kind; do
		local root=$SERVED
		[ "$kind" = testonly ] && root=$TESTONLY
		local tgz
		tgz=$(cd "$tmp" && npm pack --silent "$name@$version" 2>/dev/null | tail -n1)
		[ -f "$tmp/$tgz" ] || { echo "npm pack $name@$version failed" >&2; exit 1; }
		local got
		got="sha512-$(openssl dgst -sha512 -binary "$tmp/$tgz" | base64 -w0)"
		if [ "$got" != "$integrity" ]; then
			echo "$name@$version: integrity mismatch: got $got, pinned $integrity" >&2
			exit 1
		fi
		mkdir -p "$tmp/x-$name"
		tar -xzf "$tmp/$tgz" -C "$tmp/x-$name"
		local dest="$out/$root/$name@$version"
		mkdir -p "$dest"
		while read -r src dst; do
			cp "$tmp/x-$name/$src" "$dest/$dst"
			transform "$name" "$dest/$dst"
			chmod 644 "$dest/$dst"
		done < <(files "$name")
	done <<<"$PACKAGES"
	readme served >"$out/$SERVED/README.md"
	readme testonly >"$out/$TESTONLY/README.md"
	rm -rf "$tmp"
}

case "${1:-}" in
--verify)
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
	build "$out"
	status=0
	for root in $SERVED $TESTONLY; do
		if ! diff -r "$out/$root" "$ROOT/$root"; then
			status=1
		fi
	done
	if [ $status -ne 0 ]; then
		echo "vendor: committed files differ from the npm packages; run scripts/fetch-vendor.sh" >&2
		exit 1
	fi
	echo "vendor: every vendored file matches its pinned npm package"
	;;
"")
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
	build "$out"
	for root in $SERVED $TESTONLY; do
		rm -rf "${ROOT:?}/$root"
		mkdir -p "$(dirname "$ROOT/$root")"
		cp -r "$out/$root" "$ROOT/$root"
	done
	echo "vendor: files written to $SERVED and $TESTONLY"
	;;
*)
	echo "usage: $0 [--verify]" >&2
	exit 2
	;;
esac
