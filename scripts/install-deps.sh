#!/usr/bin/env bash
# Installs the Debian 12 packages Precision Studio needs to build, test, run and package
# (file, help2man: cpack -G DEB; lintian, appstream, desktop-file-utils: the package checks).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build ccache lld pkg-config git \
  libtorch-dev libopenblas0-openmp \
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev libgl-dev libxkbcommon-dev \
  libopenimageio-dev openimageio-tools libopencv-core-dev \
  libtinyxml2-dev libspdlog-dev libfmt-dev libsentencepiece-dev nlohmann-json3-dev \
  libcli11-dev libgtest-dev libgmock-dev \
  fonts-dejavu-core xvfb xauth python3 \
  file help2man lintian appstream desktop-file-utils fakeroot
