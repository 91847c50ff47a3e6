# Front door. `make run` and `make test` work on a fresh Debian 12 machine: they install the
# missing Debian packages (deploy/install-deps.sh), configure, build and run.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=

.PHONY: all deps configure build run test bench asan tsan clean help

all: build

help:
	@echo "make run    - install deps, build, start the most useful runnable thing (see README)"
	@echo "make test   - install deps, build, run every test (ctest)"
	@echo "make bench  - build and run the micro benchmarks (release)"
	@echo "make asan | make tsan - build and test under AddressSanitizer+UBSan / ThreadSanitizer"

deps:
	@deploy/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then cmake --preset $(PRESET); fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

run: build
	$(BUILD_DIR)/gateway/kgw-selfcheck --shared-dir $(CURDIR)/../shared

bench: build
	$(BUILD_DIR)/bench/kgw_core_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

asan:
	$(MAKE) test PRESET=asan

tsan:
	$(MAKE) test PRESET=tsan

clean:
	rm -rf build
