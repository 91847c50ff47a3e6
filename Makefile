# Front door. `make run` and `make test` work on a fresh Debian 12 machine: they install the
# missing Debian packages (deploy/install-deps.sh), configure, build and run.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=

.PHONY: all deps configure build run sim selfcheck test bench bench-e2e asan tsan clean help

all: build

help:
	@echo "make run    - install deps, build, start kraken-gatewayd with its embedded simulator on loopback"
	@echo "make sim    - the same, but kraken-sim (the Kraken simulator) alone"
	@echo "make selfcheck - core library checks on Kraken's reference data"
	@echo "make test   - install deps, build, run every test (ctest)"
	@echo "make bench  - build and run the micro benchmarks and the end-to-end bench (release)"
	@echo "make bench-e2e - the end-to-end latency bench alone (BENCH_E2E_ARGS='--quick' for a smoke run)"
	@echo "make asan | make tsan - build and test under AddressSanitizer+UBSan / ThreadSanitizer"

deps:
	@deploy/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then cmake --preset $(PRESET); fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# `make run` starts the daemon with kraken-sim in process (config/sim.toml) on fixed loopback
# ports; override them, e.g. make run GATEWAY_ARGS='--grpc-port 0 --metrics-port 0'
# SIM_PORTS='--sim-rest-port 0 ...' (0: ephemeral; the daemon prints what it took).
GATEWAY_ARGS ?= --grpc-port 50051 --metrics-port 9464
SIM_PORTS ?= --sim-rest-port 8081 --sim-ws-port 8082 --sim-ws-private-port 8083 --sim-admin-port 8084
run: build
	$(BUILD_DIR)/gateway/kraken-gatewayd --config config/sim.toml --sim $(GATEWAY_ARGS) $(SIM_PORTS)

# The simulator alone (override with SIM_ARGS, e.g. make sim SIM_ARGS='--rest-port 0 --ws-port 0').
SIM_ARGS ?= --rest-port 8081 --ws-port 8082 --ws-private-port 8083 --admin-port 8084
sim: build
	$(BUILD_DIR)/sim/kraken-sim $(SIM_ARGS)

selfcheck: build
	$(BUILD_DIR)/gateway/kgw-selfcheck --shared-dir $(CURDIR)/../shared

# Every bench executable bench/CMakeLists.txt builds (one per module: core, feed, sim, ...),
# then the end-to-end bench.
bench: build
	@set -e; for b in $(BUILD_DIR)/bench/kgw_*_bench; do \
	  echo "== $$b"; $$b --benchmark_repetitions=3 --benchmark_report_aggregates_only=true; \
	done
	$(BUILD_DIR)/bench/e2e/kgw-bench-e2e $(BENCH_E2E_ARGS)

# The end-to-end latency bench (bench/README.md): the daemon against the gRPC floor and ccxt,
# in one run of about 3 minutes; writes $(BUILD_DIR)/bench/e2e.json and prints a table.
BENCH_E2E_ARGS ?=
bench-e2e: build
	$(BUILD_DIR)/bench/e2e/kgw-bench-e2e $(BENCH_E2E_ARGS)

asan:
	$(MAKE) test PRESET=asan

tsan:
	$(MAKE) test PRESET=tsan

clean:
	rm -rf build
