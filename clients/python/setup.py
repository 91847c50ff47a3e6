"""Builds the kgw.v1 gRPC stubs from the repository's proto/ into the package being built, so
an installed kraken_gateway finds them as `kgw.v1` (the package protoc names them in). Metadata
is in pyproject.toml. KGW_PROTO_DIR overrides where the .proto files are read from."""

import glob
import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def _protoc_command(proto_dir, out):
    """protoc with the Python gRPC plugin: grpcio-tools when installed, else protoc and
    grpc_python_plugin from PATH (Debian's protobuf-compiler and protobuf-compiler-grpc)."""
    try:
        import grpc_tools  # noqa: F401
        return [sys.executable, "-m", "grpc_tools.protoc", f"--proto_path={proto_dir}", f"--python_out={out}",
                f"--grpc_python_out={out}"]
    except ImportError:
        protoc, plugin = shutil.which("protoc"), shutil.which("grpc_python_plugin")
        if not protoc or not plugin:
            sys.exit("kraken_gateway: building needs protoc and grpc_python_plugin (Debian: protobuf-compiler, "
                     "protobuf-compiler-grpc) or grpcio-tools")
        return [protoc, f"--proto_path={proto_dir}", f"--python_out={out}", f"--grpc_python_out={out}",
                f"--plugin=protoc-gen-grpc_python={plugin}"]


class BuildWithStubs(build_py):
    def run(self):
        super().run()
        proto_dir = os.environ.get("KGW_PROTO_DIR", os.path.join(HERE, "..", "..", "proto"))
        protos = sorted(os.path.relpath(p, proto_dir) for p in glob.glob(os.path.join(proto_dir, "kgw", "v1", "*.proto")))
        if not protos:
            sys.exit(f"kraken_gateway: no kgw/v1/*.proto under {proto_dir} (set KGW_PROTO_DIR)")
        out = os.path.abspath(self.build_lib)
        subprocess.check_call(_protoc_command(proto_dir, out) + protos, cwd=proto_dir)
        for package in ("kgw", os.path.join("kgw", "v1")):
            open(os.path.join(out, package, "__init__.py"), "a").close()


setup(cmdclass={"build_py": BuildWithStubs})
