# The two commands: `make run` opens the app, `make test` runs every test.
# Both install whatever is missing first (scripts/setup.sh).

SHELL := /bin/bash
.DEFAULT_GOAL := run
export CARGO_TERM_COLOR ?= never
# A CI run builds a fresh clone once: the incremental cache (1.2 GB of target/) would never be
# read again.
ifeq ($(CI),true)
export CARGO_INCREMENTAL ?= 0
endif

# The end-to-end build uses the test identifier, so tests never touch a real vault.
TEST_CONFIG := $(shell tr -d '\n' < src-tauri/tauri.conf.test.json)

.PHONY: run test bench fuzz setup ui build lint e2e clean

run:
	@if [ -z "$${DISPLAY}$${WAYLAND_DISPLAY}" ]; then \
	  echo "make run：没有图形显示（DISPLAY/WAYLAND_DISPLAY 未设置），请在桌面会话中运行；命令行可用 target/debug/baomi --help"; exit 1; fi
	@scripts/setup.sh run
	@$(MAKE) --no-print-directory ui
	cargo build --workspace --bins
	target/debug/baomi-desktop

ui:
	cd ui && npm run build --silent

build: ui
	cargo build --workspace --bins

# `make test` lints inside its one build: clippy's driver compiles the workspace's own crates
# (what `cargo clippy` runs, with its arguments passed the way `cargo clippy -- -D warnings`
# passes them), while the dependencies are compiled once by rustc. A separate `cargo clippy`
# compiled every dependency a second time, check-only: 7 of the 33 minutes of a fresh clone.
CLIPPY_DENY := -D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
LINTED := TAURI_CONFIG='$(TEST_CONFIG)' RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS='$(CLIPPY_DENY)'

test:
	@scripts/setup.sh test
	@$(MAKE) --no-print-directory ui
	cargo fmt --all -- --check
	@# The driver with these arguments must refuse a known lint, or the build below would pass
	@# because the lints did not run.
	@mkdir -p target && printf 'pub fn f(x: i64) -> i64 {\n    return x;\n}\n' > target/lint-probe.rs
	@if CLIPPY_ARGS='$(CLIPPY_DENY)' clippy-driver rustc --crate-type lib --edition 2021 \
	  --emit metadata -o target/lint-probe.rmeta target/lint-probe.rs 2>/dev/null; then \
	  echo "clippy-driver 未按 -D warnings 拒绝已知的 lint：make test 的 lint 检查不会生效" >&2; exit 1; fi
	@# Every target (binaries, tests, examples, benches) in one build: dev-dependencies add
	@# features to shared crates (bitflags "std" through tempfile), so building the binaries
	@# alone and then the tests would compile the typst and webkit stacks twice.
	$(LINTED) cargo build --workspace --all-targets
	$(LINTED) cargo test --workspace
	@scripts/check-bindings.sh
	@$(MAKE) --no-print-directory e2e

# End-to-end tests of the real window, traced so that any network socket of the app fails.
e2e:
	rm -rf target/e2e-screenshots target/e2e-trace && mkdir -p target/e2e-trace
	strace -f -qq -v -s 256 -e trace=network,process -o target/e2e-trace/trace \
	  xvfb-run -a -s '-screen 0 1366x768x24' node --test --test-concurrency=1 tests/e2e/app.test.mjs tests/e2e/documents.test.mjs tests/e2e/print.test.mjs tests/e2e/devices.test.mjs tests/e2e/keys.test.mjs tests/e2e/personnel.test.mjs tests/e2e/exchange.test.mjs tests/e2e/sheets.test.mjs
	node --test tests/e2e/network.test.mjs

# Mutation fuzzers over the key file and over bundles: 1,000,000 executions each, fail on any
# panic.
fuzz:
	@scripts/setup.sh test
	cargo run --example fuzz_keyfile -- 1000000
	cargo run --example fuzz_bundle -- 1000000

bench:
	@scripts/setup.sh bench
	cargo bench --bench vault --bench documents --bench print --bench bundles --bench sheets
	@$(MAKE) --no-print-directory ui
	cargo build --workspace --bins
	BAOMI_CRASH_TRIALS=300 cargo test --test integration crash -- --nocapture
	xvfb-run -a -s '-screen 0 1366x768x24' node tests/e2e/startup-bench.mjs

lint:
	cargo fmt --all -- --check
	TAURI_CONFIG='$(TEST_CONFIG)' cargo clippy --workspace --all-targets -- -D warnings

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules
