"""The worker runner: ``python3 -m kraken_gateway.worker strategy.py`` (or ``kgw-worker
strategy.py`` from the build tree).

It loads the strategy file, calls its ``setup(ctx)`` once if it defines one, then ``tick(ctx)``
every ``--interval`` seconds (at a fixed rate: a slow tick delays the next one, never doubles
it) until ``--ticks`` ticks have run, or SIGINT/SIGTERM arrives. ``ctx`` carries:

* ``ctx.kraken``: a ``Kraken`` client of the gateway at ``--addr``;
* ``ctx.log``: ``info``/``warn``/``error`` (one line each on stderr, time-stamped);
* ``ctx.state``: ``get(key, default=None)`` and ``set(key, value)``, persisted to the JSON file
  ``--state`` (default ``<strategy>.state.json`` in the working directory) at every ``set``, so
  a restarted worker carries on where it stopped.

An exception escaping ``setup`` or ``tick`` is logged with its traceback and stops the runner
with exit status 1. Exit status 0 after the last tick or a signal; 2 for a usage problem (no
such file, no ``tick``, an unreadable state file).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from types import ModuleType
from typing import Any, Dict, List, Optional

from .client import Kraken


class State:
    """A strategy's persistent key/value state: a JSON object in one file, rewritten atomically
    (temporary file + rename) at every ``set``. Values must be JSON-serializable."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._data: Dict[str, Any] = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                try:
                    data = json.load(f)
                except json.JSONDecodeError as e:
                    raise ValueError(f"state file {path} is not JSON: {e}") from None
            if not isinstance(data, dict):
                raise ValueError(f"state file {path} holds a {type(data).__name__}, not a JSON object")
            self._data = data

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default``."""
        return self._data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Stores ``value`` under ``key`` and writes the file."""
        data = dict(self._data)
        data[key] = value
        text = json.dumps(data, indent=2, sort_keys=True)  # raises TypeError before anything changes
        directory = os.path.dirname(os.path.abspath(self.path))
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self._data = data

    def __contains__(self, key: str) -> bool:
        return key in self._data


class Log:
    """The strategy's log: one time-stamped line per call on stderr."""

    def __init__(self, name: str) -> None:
        self._logger = logging.getLogger(f"kgw-worker.{name}")
        if not self._logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            formatter = logging.Formatter("%(asctime)s.%(msecs)03dZ %(levelname)s %(strategy)s: %(message)s",
                                          "%Y-%m-%dT%H:%M:%S")
            formatter.converter = time.gmtime
            handler.setFormatter(formatter)
            self._logger.addHandler(handler)
            self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        self._extra = {"strategy": name}

    def info(self, message: str, *args: Any) -> None:
        self._logger.info(message, *args, extra=self._extra)

    def warn(self, message: str, *args: Any) -> None:
        self._logger.warning(message, *args, extra=self._extra)

    warning = warn

    def error(self, message: str, *args: Any) -> None:
        self._logger.error(message, *args, extra=self._extra)


class Context:
    """What ``setup`` and ``tick`` receive: ``kraken``, ``log``, ``state``, and ``ticks`` (the
    number of ticks run before this one)."""

    def __init__(self, kraken: Kraken, log: Log, state: State) -> None:
        self.kraken = kraken
        self.log = log
        self.state = state
        self.ticks = 0


def load_strategy(path: str) -> ModuleType:
    """Imports the strategy file as a module named after it, its directory first on sys.path
    (so it can import its neighbours)."""
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(module)
    return module


def _parse(argv: Optional[List[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="kgw-worker",
        description="Run a strategy against kraken-gatewayd: setup(ctx) once, then tick(ctx) every --interval.")
    p.add_argument("strategy", help="the strategy's Python file (defines tick(ctx), optionally setup(ctx))")
    p.add_argument("--addr", help="gateway address, unix:PATH or HOST:PORT (default: $KGW_ADDR, else the "
                                  "daemon's unix socket)")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between ticks (default 60)")
    p.add_argument("--ticks", type=int, help="stop after this many ticks (default: run until a signal)")
    p.add_argument("--state", help="state file (default: <strategy>.state.json in the working directory)")
    a = p.parse_args(argv)
    if a.interval < 0:
        p.error(f"--interval: must not be negative, not {a.interval:g}")
    if a.ticks is not None and a.ticks < 0:
        p.error(f"--ticks: must not be negative, not {a.ticks}")
    return a


def main(argv: Optional[List[str]] = None) -> int:
    args = _parse(argv)
    name = os.path.splitext(os.path.basename(args.strategy))[0]
    log = Log(name)
    if not os.path.isfile(args.strategy):
        log.error("no strategy file %s", args.strategy)
        return 2
    try:
        state = State(args.state or f"{name}.state.json")
    except (OSError, ValueError) as e:
        log.error("%s", e)
        return 2

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("%s: stopping after the current tick", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        module = load_strategy(args.strategy)
    except Exception:
        log.error("loading %s failed:\n%s", args.strategy, traceback.format_exc().rstrip())
        return 1
    tick = getattr(module, "tick", None)
    if not callable(tick):
        log.error("%s defines no tick(ctx)", args.strategy)
        return 2

    with Kraken(args.addr) as kraken:
        ctx = Context(kraken, log, state)
        log.info("gateway %s, every %gs%s, state %s", kraken.addr, args.interval,
                 f", {args.ticks} ticks" if args.ticks is not None else "", state.path)
        phase = "setup"
        try:
            setup = getattr(module, "setup", None)
            if callable(setup):
                setup(ctx)
            start = time.monotonic()
            while not stop.is_set() and (args.ticks is None or ctx.ticks < args.ticks):
                phase = f"tick {ctx.ticks + 1}"
                tick(ctx)
                ctx.ticks += 1
                if args.ticks is not None and ctx.ticks >= args.ticks:
                    break
                # Fixed rate: the next tick is due interval after the previous one was due.
                due = start + ctx.ticks * args.interval
                stop.wait(max(0.0, due - time.monotonic()))
        except Exception:
            log.error("%s failed in %s:\n%s", name, phase, traceback.format_exc().rstrip())
            return 1
    log.info("done after %d tick(s)", ctx.ticks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
