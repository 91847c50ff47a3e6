"""What the Python client's tests share: kraken-gatewayd (and kraken-sim) as processes on
ephemeral loopback ports, read off their interface lines and stopped when done (bounded waits
everywhere), the simulator's admin API, and the shape comparison with Kraken's documentation
examples (../shared/kraken/fixtures).

ctest passes the paths in the environment (clients/python/CMakeLists.txt): KGW_GATEWAYD, KGW_SIM,
KGW_WORKER, KGW_PYTHON, KGW_SOURCE_DIR, KGW_SHARED_DIR.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request
from typing import Any, Callable, Dict, List, Optional

SOURCE_DIR = os.environ.get("KGW_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
SHARED_DIR = os.environ.get("KGW_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
GATEWAYD = os.environ.get("KGW_GATEWAYD", os.path.join(SOURCE_DIR, "build/release/gateway/kraken-gatewayd"))
SIM = os.environ.get("KGW_SIM", os.path.join(SOURCE_DIR, "build/release/sim/kraken-sim"))
WORKER = os.environ.get("KGW_WORKER", os.path.join(SOURCE_DIR, "build/release/gateway/kgw-worker"))
PYTHON = os.environ.get("KGW_PYTHON", "/usr/bin/python3")
EXAMPLES = os.path.join(SOURCE_DIR, "clients", "python", "examples")


def wait_until(pred: Callable[[], Any], limit: float = 10.0, every: float = 0.1) -> Any:
    """Polls ``pred`` until it returns something true, for at most ``limit`` seconds."""
    end = time.monotonic() + limit
    while True:
        value = pred()
        if value or time.monotonic() >= end:
            return value
        time.sleep(every)


class Process:
    """A server process for a test class: started with stdout on a pipe, read until ``ready``
    (within ``ready_within`` seconds), its ``name value`` lines kept; stopped with SIGTERM, then
    SIGKILL after 6 s. stderr goes to a log file in ``workdir`` (shown when start fails)."""

    def __init__(self, argv: List[str], workdir: str, name: str, ready_within: float = 60.0,
                 env: Optional[Dict[str, str]] = None) -> None:
        self.argv = argv
        self.log_path = os.path.join(workdir, name + ".log")
        self.lines: Dict[str, List[str]] = {}
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, env=env)
        ready = False
        pending = b""
        end = time.monotonic() + ready_within
        while not ready and time.monotonic() < end:
            r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, end - time.monotonic()))
            if not r:
                break
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                text = line.decode()
                if text == "ready":
                    ready = True
                    break
                key, _, value = text.partition(" ")
                self.lines.setdefault(key, []).append(value)
        if not ready:
            self.stop()
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                raise RuntimeError(f"{argv[0]} did not print ready within {ready_within:g} s:\n{f.read()[-3000:]}")

    def line(self, key: str, index: int = 0) -> str:
        return self.lines[key][index]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=6)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stdout:
            self.proc.stdout.close()


def daemon_config(workdir: str, frozen_market: bool = False) -> str:
    """config/sim.toml for the tests: the Pro verification tier (Kraken's REST counter decays
    twice as fast as Intermediate's), so suites that read a lot through REST wait less for
    budget; with ``frozen_market`` no synthetic orders or trades (the book is the test's own);
    everything else as shipped."""
    with open(os.path.join(SOURCE_DIR, "config", "sim.toml"), encoding="utf-8") as f:
        text = f.read()
    text = text.replace('tier = "intermediate"', 'tier = "pro"') + '\n[kraken]\ntier = "pro"\n'
    if frozen_market:
        text = re.sub(r"(?m)^synthetic_flow = true", "synthetic_flow = false", text)
    path = os.path.join(workdir, "sim-test.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def sim_daemon(workdir: str, *extra: str, frozen_market: bool = False) -> Process:
    """``kraken-gatewayd --sim`` on ephemeral ports, its socket in ``workdir``."""
    argv = [GATEWAYD, "--config", daemon_config(workdir, frozen_market), "--sim",
            "--grpc-port", "0", "--metrics-port", "0", "--unix-socket", os.path.join(workdir, "gw.sock"),
            "--sim-rest-port", "0", "--sim-ws-port", "0", "--sim-ws-private-port", "0", "--sim-admin-port", "0",
            *extra]
    return Process(argv, workdir, "kraken-gatewayd")


def http(method: str, url: str) -> Any:
    """A loopback HTTP request; the JSON answer."""
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body.strip().startswith((b"{", b"[")) else body.decode()


class DaemonTestCase(unittest.TestCase):
    """A test class with one daemon (``kraken-gatewayd --sim``) for all its tests: ``cls.daemon``,
    ``cls.addr`` (the unix socket), ``cls.tcp`` (the TCP address), ``cls.admin`` (sim-admin URL)."""

    daemon_args: List[str] = []
    frozen_market = False
    daemon: Process
    workdir: str
    addr: str
    tcp: str
    admin: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.workdir = tempfile.mkdtemp(prefix=f"kgw-py-{cls.__name__}-")
        try:
            cls.daemon = sim_daemon(cls.workdir, *cls.daemon_args, frozen_market=cls.frozen_market)
        except Exception:
            shutil.rmtree(cls.workdir, ignore_errors=True)
            raise
        cls.addr = "unix:" + os.path.join(cls.workdir, "gw.sock")
        cls.tcp = cls.daemon.line("grpc", 0)
        cls.admin = cls.daemon.line("sim-admin")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.daemon.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def admin_post(cls, path: str) -> Any:
        return http("POST", cls.admin + path)

    @classmethod
    def metric(cls, name: str, **labels: str) -> float:
        """The value of one sample of the daemon's /metrics (0 when absent)."""
        text = http("GET", cls.daemon.line("metrics"))
        for line in text.splitlines():
            m = re.match(r"^(\w+)\{(.*)\} (\S+)$", line)
            if m and m.group(1) == name and dict(re.findall(r'(\w+)="([^"]*)"', m.group(2))) == labels:
                return float(m.group(3))
        return 0.0


# ---------------------------------------------------------------------------------------------
# Shapes: the same keys with the same JSON types as Kraken's documentation example. Objects keyed
# by ids (pairs, assets, txids) are compared entry by entry: a key present in every example entry
# must be in each of ours. null on either side is compatible (Kraken prints refid/reason as null
# or "None"). Our extra keys are allowed.

_ID = re.compile(r"^[A-Z0-9][A-Z0-9.]*(-[A-Z0-9]+)*$")


def fixture(name: str) -> Any:
    """A REST example's ``result`` (``rest/docs_<name>.json``) or a v2 message (``ws_v2/...``)."""
    path = os.path.join(SHARED_DIR, "kraken", "fixtures", name)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return doc["result"] if name.startswith("rest/") else doc


def _type(v: Any, decimal_strings: bool) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "number" if decimal_strings and re.match(r"^-?\d+(\.\d+)?$", v) else "string"
    if isinstance(v, list):
        return "array"
    return "object"


def shape_problems(docs: Any, ours: Any, path: str = "result", decimal_strings: bool = False) -> List[str]:
    """Where ``ours`` differs in shape from ``docs``; empty when they agree. ``decimal_strings``:
    a decimal string stands for a JSON number (our v2 stream messages keep decimals exact)."""
    if docs is None or ours is None:
        return []
    td, to = _type(docs, decimal_strings), _type(ours, decimal_strings)
    if td != to:
        return [f"{path}: docs {td}, ours {to} ({ours!r})"]
    problems: List[str] = []
    if isinstance(docs, dict):
        for k, v in docs.items():
            if _ID.match(k):
                continue
            if k not in ours:
                problems.append(f"{path}: missing key {k}")
            else:
                problems += shape_problems(v, ours[k], f"{path}.{k}", decimal_strings)
        id_docs = [v for k, v in docs.items() if _ID.match(k)]
        if not id_docs:
            return problems
        id_ours = {k: v for k, v in ours.items() if _ID.match(k)}
        if not id_ours:
            return problems + [f"{path}: no id-keyed entry in ours, the docs have {len(id_docs)}"]
        if all(isinstance(v, dict) for v in id_docs):
            # Keys present in every docs entry, compared against every entry of ours.
            common = set.intersection(*(set(v) for v in id_docs))
            for k, entry in id_ours.items():
                if not isinstance(entry, dict):
                    problems.append(f"{path}.{k}: not an object")
                    continue
                for key in sorted(common):
                    if key not in entry:
                        problems.append(f"{path}.{k}: missing key {key}")
                    else:
                        problems += shape_problems(id_docs[0][key], entry[key], f"{path}.{k}.{key}", decimal_strings)
        else:
            for k, v in id_ours.items():
                problems += shape_problems(id_docs[0], v, f"{path}.{k}", decimal_strings)
        return problems
    if isinstance(docs, list):
        if not docs:
            return []
        if not ours:
            return [f"{path}: ours is empty, the docs have elements"]
        if isinstance(docs[0], (list, dict)):
            for i, v in enumerate(ours):
                problems += shape_problems(docs[0], v, f"{path}[{i}]", decimal_strings)
            return problems
        if len({_type(d, decimal_strings) for d in docs}) == 1:  # a list of like values
            return [p for i, o in enumerate(ours) for p in shape_problems(docs[0], o, f"{path}[{i}]", decimal_strings)]
        # A record such as [price, volume, time]: the same length and types, position by position.
        if len(docs) != len(ours):
            return [f"{path}: {len(ours)} elements, the docs have {len(docs)}"]
        for i, (d, o) in enumerate(zip(docs, ours)):
            problems += shape_problems(d, o, f"{path}[{i}]", decimal_strings)
        return problems
    return []


class ShapeAssertions(unittest.TestCase):
    def assertShape(self, fixture_name: str, ours: Any, decimal_strings: bool = False) -> None:
        problems = shape_problems(fixture(fixture_name), ours, decimal_strings=decimal_strings)
        self.assertEqual(problems, [], f"{fixture_name}:\n" + "\n".join(problems) + f"\nours: {json.dumps(ours)[:1500]}")


def run_worker(args: List[str], launcher: bool = True, timeout: float = 60.0, cwd: Optional[str] = None,
               env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """The worker runner as a user starts it: the build's ``kgw-worker`` launcher (with a clean
    environment: no PYTHONPATH, nothing installed), or ``python3 -m kraken_gateway.worker``."""
    if launcher:
        argv = [WORKER, *args]
        base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KGW_ADDR")}
    else:
        argv = [PYTHON, "-m", "kraken_gateway.worker", *args]
        base = {k: v for k, v in os.environ.items() if k != "KGW_ADDR"}
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd, env={**base, **(env or {})})
