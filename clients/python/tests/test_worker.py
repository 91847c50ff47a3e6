"""The worker runner as users start it (the build's kgw-worker, python3 -m kraken_gateway.worker):
setup once, tick on an interval, --ticks, state that survives a restart, the log, an exception
logged with its traceback and a non-zero exit, usage problems, SIGTERM."""

import json
import os
import signal
import subprocess
import tempfile
import textwrap
import time
import unittest

from kgw_testing import PYTHON, WORKER, DaemonTestCase, run_worker, wait_until

COUNTER = """
calls = []

def setup(ctx):
    ctx.state.set("setups", ctx.state.get("setups", 0) + 1)
    ctx.log.info("setup: %s", ctx.kraken.get_system_status()["status"])

def tick(ctx):
    ctx.state.set("ticks", ctx.state.get("ticks", 0) + 1)
    px = ctx.kraken.get_ticker("XBTUSD")["XXBTZUSD"]["c"][0]
    ctx.log.warn(f"tick {ctx.ticks + 1} at {px}")
"""

FAILING = """
def tick(ctx):
    if ctx.ticks == 1:
        raise ValueError("the strategy broke")
"""


class Worker(DaemonTestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(dir=self.workdir)

    def strategy(self, name: str, text: str) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
        return path

    def state(self, path: str) -> dict:
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def test_kgw_worker_runs_setup_once_then_ticks_and_keeps_state_across_runs(self) -> None:
        path = self.strategy("counter.py", COUNTER)
        state = os.path.join(self.dir, "counter.json")
        t0 = time.monotonic()
        run = run_worker([path, "--addr", self.addr, "--ticks", "3", "--interval", "0.2", "--state", state])
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertGreaterEqual(time.monotonic() - t0, 0.4)  # three ticks 0.2 s apart
        self.assertEqual(self.state(state), {"setups": 1, "ticks": 3})
        self.assertRegex(run.stderr, r"\dZ INFO counter: setup: online\n")
        self.assertEqual(run.stderr.count(" WARNING counter: tick "), 3, run.stderr)
        again = run_worker([path, "--addr", self.addr, "--ticks", "2", "--interval", "0", "--state", state],
                           launcher=False)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(self.state(state), {"setups": 2, "ticks": 5})

    def test_the_state_file_defaults_to_the_working_directory_and_the_address_to_kgw_addr(self) -> None:
        path = self.strategy("counter.py", COUNTER)
        run = run_worker([path, "--ticks", "1", "--interval", "0"], cwd=self.dir, env={"KGW_ADDR": self.tcp})
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn(f"gateway {self.tcp}", run.stderr)
        self.assertEqual(self.state(os.path.join(self.dir, "counter.state.json")), {"setups": 1, "ticks": 1})

    def test_an_exception_in_the_strategy_is_logged_with_its_traceback_and_exits_non_zero(self) -> None:
        path = self.strategy("failing.py", FAILING)
        run = run_worker([path, "--addr", self.addr, "--ticks", "5", "--interval", "0", "--state",
                          os.path.join(self.dir, "s.json")])
        self.assertEqual(run.returncode, 1, run.stderr)
        self.assertIn("ERROR failing: failing failed in tick 2:\nTraceback (most recent call last):", run.stderr)
        self.assertIn('raise ValueError("the strategy broke")', run.stderr)
        self.assertIn("ValueError: the strategy broke", run.stderr)

    def test_a_gateway_that_is_not_there_fails_the_tick_with_a_clear_message(self) -> None:
        path = self.strategy("counter.py", COUNTER)
        run = run_worker([path, "--addr", "unix:" + os.path.join(self.dir, "nobody.sock"), "--ticks", "1",
                          "--state", os.path.join(self.dir, "s.json")])
        self.assertEqual(run.returncode, 1)
        self.assertIn("GatewayUnavailableError: kraken-gatewayd at unix:", run.stderr)

    def test_usage_problems_exit_2(self) -> None:
        no_tick = self.strategy("no_tick.py", "def setup(ctx):\n    pass\n")
        bad_state = os.path.join(self.dir, "bad.json")
        with open(bad_state, "w", encoding="utf-8") as f:
            f.write("[1, 2")
        counter = self.strategy("counter.py", COUNTER)
        for args, says in [
            ([no_tick, "--addr", self.addr], "defines no tick(ctx)"),
            ([os.path.join(self.dir, "missing.py")], "no strategy file"),
            ([counter, "--state", bad_state], "is not JSON"),
            ([counter, "--interval", "-1"], "--interval"),
            ([], "strategy"),
        ]:
            with self.subTest(args=args):
                run = run_worker(args, cwd=self.dir)
                self.assertEqual(run.returncode, 2, run.stderr)
                self.assertIn(says, run.stderr)

    def test_sigterm_stops_it_after_the_current_tick_with_status_0(self) -> None:
        path = self.strategy("counter.py", COUNTER)
        state = os.path.join(self.dir, "s.json")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        p = subprocess.Popen([WORKER, path, "--addr", self.addr, "--interval", "30", "--state", state],
                             stderr=subprocess.PIPE, text=True, env=env)
        try:
            self.assertTrue(wait_until(lambda: os.path.exists(state) and self.state(state).get("ticks") == 1, 20))
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=10), 0)
            self.assertIn("SIGTERM: stopping after the current tick", p.stderr.read())
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            p.stderr.close()

    def test_help_names_the_flags(self) -> None:
        run = subprocess.run([PYTHON, "-m", "kraken_gateway.worker", "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 0)
        for flag in ("--addr", "--interval", "--ticks", "--state"):
            self.assertIn(flag, run.stdout)
        self.assertTrue(os.access(WORKER, os.X_OK), WORKER)


if __name__ == "__main__":
    unittest.main()
