"""`pip install --no-build-isolation ./clients/python` where Debian's python3-grpcio and
python3-protobuf are installed: into a throwaway venv that sees the system's packages, from a copy
of the package (an in-tree build would leave build/ and *.egg-info in the checkout), without the
network (--no-index). The installed package finds its stubs as kgw.v1 and installs kgw-worker."""

import os
import shutil
import subprocess
import tempfile
import unittest

from kgw_testing import PYTHON, SOURCE_DIR


class PipInstall(unittest.TestCase):
    def test_pip_install_no_build_isolation_gives_the_package_its_stubs_and_kgw_worker(self) -> None:
        work = tempfile.mkdtemp(prefix="kgw-py-pip-")
        try:
            venv = os.path.join(work, "venv")
            made = subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", venv], capture_output=True, text=True,
                                  timeout=120)
            if made.returncode != 0:
                self.skipTest(f"no venv (python3-venv missing?): {made.stderr.strip()[-300:]}")
            src = os.path.join(work, "python")
            shutil.copytree(os.path.join(SOURCE_DIR, "clients", "python"), src,
                            ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
            env = {**os.environ, "KGW_PROTO_DIR": os.path.join(SOURCE_DIR, "proto"), "PIP_NO_INPUT": "1"}
            env.pop("PYTHONPATH", None)
            pip = subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--no-index",
                                  "--no-build-isolation", src], capture_output=True, text=True, timeout=300, env=env)
            self.assertEqual(pip.returncode, 0, pip.stdout[-2000:] + pip.stderr[-2000:])
            check = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                                    "import kraken_gateway, kgw.v1.trading_pb2 as t; from kraken_gateway import Kraken; "
                                    "print(kraken_gateway.__file__); print(t.__file__); print(Kraken('127.0.0.1:1'))"],
                                   capture_output=True, text=True, timeout=60, cwd=work, env=env)
            self.assertEqual(check.returncode, 0, check.stderr)
            paths = check.stdout.splitlines()
            self.assertTrue(all(p.startswith(venv) for p in paths[:2]), paths)
            worker = subprocess.run([os.path.join(venv, "bin", "kgw-worker"), "--help"], capture_output=True, text=True,
                                    timeout=60, env=env)
            self.assertEqual(worker.returncode, 0, worker.stderr)
            self.assertIn("--ticks", worker.stdout)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
