# Front door. `make run` and `make test` work on a fresh Debian 12 machine as root.
BUILD_DIR ?= build
JOBS ?= 2
CTEST_ARGS ?=
FUZZ_SECONDS ?= 600
PREFIX ?= /usr/local

.PHONY: setup configure build run run-cluster install uninstall test bench fuzz format clean

setup:
	./scripts/setup.sh

configure: setup
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	./scripts/run.sh $(BUILD_DIR)

# PostgreSQL, two API nodes and two render workers on loopback (Ctrl-C stops them all).
run-cluster: build
	./scripts/cluster.sh run $(BUILD_DIR)

# Copies the `dh` program to $(PREFIX)/bin (on PATH by default); DESTDIR is honoured for packaging.
install: build
	install -D -m 755 $(BUILD_DIR)/src/cli/dh $(DESTDIR)$(PREFIX)/bin/dh
	@echo "installed $(DESTDIR)$(PREFIX)/bin/dh"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/dh

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

bench: build
	./bench/render_bench.sh $(BUILD_DIR)

fuzz: setup
	./scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	find src tests bench fuzz -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
