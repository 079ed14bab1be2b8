#!/usr/bin/env bash
# Builds the Debian package from an existing build folder and checks it: file name, control
# fields (OpenBLAS dependency, maintainer), contents, stripped binaries, lintian (no errors),
# AppStream and desktop-entry validation, --version of the unpacked programs without a display,
# and that apt can resolve its dependencies. The full install into a clean Debian 12 root is
# described in docs/packaging.md (too slow for every CI run).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
fail() { echo "package-check: FAIL: $*" >&2; exit 1; }

version=$(sed -n 's/^project(PrecisionStudio VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
deb="$BUILD/precision-studio_${version}_${arch}.deb"
rm -f "$deb"
(cd "$BUILD" && cpack -G DEB >/dev/null)
[ -f "$deb" ] || fail "cpack did not write $deb ($(ls "$BUILD"/*.deb 2>/dev/null))"
echo "package-check: $deb ($(du -h "$deb" | cut -f1))"

control=$(dpkg-deb -f "$deb")
grep -q '^Depends:.*libopenblas0-openmp | libopenblas0' <<<"$control" || fail "Depends lacks OpenBLAS: $control"
grep -q '^Maintainer: .*<[^@]*@[a-z0-9.-]*\.[a-z]*>' <<<"$control" || fail "no real maintainer address"
grep -q 'localhost' <<<"$control" && fail "maintainer on localhost"
[ "$(dpkg-deb -f "$deb" Description | wc -l)" -gt 5 ] || fail "empty long description"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/precision-studio ./usr/bin/precision-cli ./usr/bin/precision-bench \
         ./usr/share/applications/org.precisionstudio.PrecisionStudio.desktop \
         ./usr/share/metainfo/org.precisionstudio.PrecisionStudio.metainfo.xml \
         ./usr/share/icons/hicolor/scalable/apps/precision-studio.svg \
         ./usr/share/icons/hicolor/48x48/apps/precision-studio.png \
         ./usr/share/icons/hicolor/256x256/apps/precision-studio.png \
         ./usr/share/man/man1/precision-studio.1.gz ./usr/share/man/man1/precision-cli.1.gz \
         ./usr/share/doc/precision-studio/copyright ./usr/share/doc/precision-studio/changelog.gz \
         ./usr/share/precision-studio/models/newbie-demo/model_index.json \
         ./usr/share/precision-studio/tags/danbooru_tags.csv; do
  grep -qxF "$f" <<<"$contents" || fail "the package lacks $f"
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
for exe in "$root"/usr/bin/*; do
  file "$exe" | grep -q ', stripped' || fail "$exe is not stripped"
done
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$root/usr/bin/precision-studio" --version | grep -q "Precision Studio $version" \
  || fail "precision-studio --version without a display"
"$root/usr/bin/precision-cli" --version | grep -q "Precision Studio $version" || fail "precision-cli --version"
appstreamcli validate --no-net "$root/usr/share/metainfo/org.precisionstudio.PrecisionStudio.metainfo.xml"
desktop-file-validate "$root/usr/share/applications/org.precisionstudio.PrecisionStudio.desktop"

# lintian: errors fail; warnings are listed. Running as root needs --allow-root.
lintian_args=(--fail-on error --tag-display-limit 0)
[ "$(id -u)" -eq 0 ] && lintian_args+=(--allow-root)
lintian "${lintian_args[@]}" "$deb" || fail "lintian reported errors"

# apt resolves the dependencies (without installing anything).
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get install --simulate -qq "./$deb" >/dev/null || fail "apt cannot resolve the package's dependencies"
echo "package-check: OK"
