#!/usr/bin/env bash
# Installs the Debian 12 packages kraken-gatewayd needs to build, test and run.
# Idempotent: when everything is present it prints one line and exits 0;
# `apt-get update` runs only when something must be installed.
set -euo pipefail

# libgrpc++-dev also carries grpc++_reflection (server reflection) and the health service;
# prometheus-cpp-dev the /metrics endpoint (civetweb); libsystemd-dev sd_notify;
# protobuf-compiler-grpc also grpc_python_plugin (the Python client's stubs); python3-venv,
# -pip, -setuptools and -wheel the test of `pip install --no-build-isolation ./clients/python`.
PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache openssl
  libboost1.81-dev libssl-dev zlib1g-dev
  libsimdjson-dev libspdlog-dev libfmt-dev
  libgrpc++-dev libgrpc-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libgtest-dev libgmock-dev libbenchmark-dev
  libsystemd-dev libtomlplusplus-dev libcli11-dev prometheus-cpp-dev
  python3 python3-grpcio python3-protobuf python3-venv python3-pip python3-setuptools python3-wheel
)

missing=()
for p in "${PACKAGES[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Never add libboost-all-dev / libboost-dev: they are the 1.74 metapackages and remove 1.81.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
