# The two commands of the README. Each installs the Debian packages it needs
# (scripts/install-deps.sh, a no-op when all are present), configures,
# builds, then runs.
#
#   make demo    the main job: headless batch evaluation of every policy on
#                the built-in job-shop instances (30 seeds, three breakdown
#                levels) and the default UAM scenario (20 days, uncertainty
#                on) into the SQLite store, then the comparison tables, and a
#                paired comparison of the best rule, replan, gat and the ig
#                ceiling on la01-la20 at p=0.1 (5 seeds). Re-running
#                reuses what is stored. DB=path overrides the default store
#                ($$XDG_DATA_HOME/dispatchlab/dispatchlab.db).
#   make test    build everything and run the whole test suite
#   make bench   Google Benchmarks (bench/)
#   make fuzz    libFuzzer targets of every parser (clang, build-fuzz/),
#                FUZZ_SECONDS=N each (default 60); fails on crash/leak/timeout
#   make sanitize  the whole test suite under ASan+UBSan (GCC, build-asan/,
#                without LibTorch and Qt: see scripts/sanitize.sh)
#   make soak    kill -9 / resume soak tests of train and sharded eval, and
#                the big-input runs (scripts/soak.sh; SOAK_BUILD=build)
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps configure build demo test bench clean fuzz sanitize soak

deps:
	scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

DB ?=
DB_FLAG = $(if $(DB),--db $(DB),)

demo: build
	$(BUILD)/app/dispatchlab eval $(DB_FLAG) --domain jobshop \
	  --scenarios 'ft06,ft10,la*' --policies all --seeds 30 --shutdown-p 0,0.05,0.1
	$(BUILD)/app/dispatchlab eval $(DB_FLAG) --domain uam \
	  --scenarios default --policies all --seeds 20 --uncertainty on
	$(BUILD)/app/dispatchlab compare $(DB_FLAG) --domain jobshop --scenarios 'la*' \
	  --policies mwkr,replan,gat,ig --seeds 5 --shutdown-p 0.1 --no-per-scenario --quiet

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/jobshop_bench

FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) scripts/fuzz.sh

sanitize: deps
	scripts/sanitize.sh

soak: build
	SOAK_BUILD=$(BUILD) scripts/soak.sh
	BIG_BUILD=$(BUILD) scripts/big_inputs.sh

clean:
	rm -rf $(BUILD)
