# The two commands of the README. Each installs the Debian packages it needs
# (scripts/install-deps.sh, a no-op when all are present), configures,
# builds, then runs.
#
#   make demo    the main job: headless evaluation of the dispatching rules
#                on built-in instances, printed as a table
#   make test    build everything and run the whole test suite
#   make bench   Google Benchmarks (bench/)
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps configure build demo test bench clean

deps:
	scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/app/dispatchlab jobshop rules --instances 'ft06,la0[1-5],la1[6-9]' \
	  --shutdown-p 0,0.1 --seeds 10

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/jobshop_bench

clean:
	rm -rf $(BUILD)
