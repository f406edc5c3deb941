# cloudapi: build the C core for Lua 5.4 and LuaJIT from the same sources,
# test, demo, install. `make help` lists the targets.

SHELL   := /bin/bash
.SHELLFLAGS := -eo pipefail -c
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror
LIBS     = $(shell pkg-config --libs libcrypto libcurl 2>/dev/null || echo -lcrypto -lcurl) -lm -lpthread
# The C sources are listed once, in the rockspec (luarocks builds from it);
# CORE_SRCS is the plain C core without the Lua bindings (core.c, l_*.c).
SRCS      := $(shell scripts/c-sources)
CORE_SRCS := $(shell scripts/c-sources --no-lua)
ifeq ($(strip $(SRCS)),)
$(error scripts/c-sources found no C sources in cloudapi-scm-1.rockspec)
endif
HDRS     = $(wildcard csrc/*.h)
LUA54_INC  ?= /usr/include/lua5.4
LUAJIT_INC ?= /usr/include/luajit-2.1
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LUA_PATH_DEV = $(CURDIR)/lua/?.lua;$(CURDIR)/lua/?/init.lua;;
export LUA_PATH := $(LUA_PATH_DEV)

# libFuzzer targets (spec/fuzz/fuzz_*.c, one file each) against the plain
# C core, and core.so for Lua 5.4 under ASan/UBSan for the Lua-level ones.
CLANG   ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 3
FUZZ_SAN = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst spec/fuzz/%.c,build/fuzz/%,$(wildcard spec/fuzz/fuzz_*.c))
FUZZ_OBJS := $(patsubst csrc/%.c,build/fuzz/obj/%.o,$(CORE_SRCS))
.SECONDARY: $(FUZZ_OBJS)

.PHONY: all build deps lint test test-bench-build test-c test-lua54 test-luajit test-valgrind test-rock test-emulator test-fuzz fuzz demo bench install clean help

all: build

help:
	@echo "make demo     run the examples and a few cloudapi commands against the local emulator"
	@echo "make test     build, C tests under ASan/UBSan, busted on Lua 5.4 and LuaJIT, valgrind"
	@echo "make lint     luacheck every Lua file (.luacheckrc)"
	@echo "make build    build/5.4/cloudapi/core.so and build/jit/cloudapi/core.so"
	@echo "make bench    signing, calls, concurrency and memory against C/libcurl floors"
	@echo "make fuzz     every fuzzer for FUZZ_SECONDS (default 60) each"
	@echo "make install  luarocks make (installs for the default Lua)"

deps:
	@scripts/install-deps

build: build/5.4/cloudapi/core.so build/jit/cloudapi/core.so

build/5.4/cloudapi/core.so: $(SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -fPIC -shared -I$(LUA54_INC) -o $@ $(SRCS) $(LIBS)

build/jit/cloudapi/core.so: $(SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -fPIC -shared -I$(LUAJIT_INC) -o $@ $(SRCS) $(LIBS)

# The C core's own tests, without Lua, under AddressSanitizer + UBSan.
build/test_core: spec/c/test_core.c $(CORE_SRCS) $(HDRS)
	@mkdir -p build
	$(CC) $(WARN) -O1 -g $(SAN) -Icsrc -o $@ spec/c/test_core.c $(CORE_SRCS) $(LIBS)

test-c: build/test_core
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/test_core | tee build/test_core.out
	@awk '/ passed, [0-9]+ failed/ {print $$1, $$3}' build/test_core.out >> build/test-counts

build/fuzz/obj/%.o: csrc/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(WARN) -g -O1 $(FUZZ_SAN) -c -o $@ $<

build/fuzz/%: spec/fuzz/%.c spec/fuzz/fuzz.h $(FUZZ_OBJS)
	$(CLANG) $(WARN) -g -O1 $(FUZZ_SAN) -Icsrc -o $@ $< $(FUZZ_OBJS) $(LIBS)

build/asan/cloudapi/core.so: $(SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 -g $(SAN) -fPIC -shared -I$(LUA54_INC) -o $@ $(SRCS) $(LIBS)

# Replays the seed corpora and fuzzes each target briefly (spec/fuzz/run).
test-fuzz: $(FUZZ_TARGETS) build/asan/cloudapi/core.so
	spec/fuzz/run $(FUZZ_TEST_SECONDS) --count

fuzz: deps $(FUZZ_TARGETS) build/asan/cloudapi/core.so
	spec/fuzz/run $(FUZZ_SECONDS)

test-lua54: build/5.4/cloudapi/core.so
	spec/run lua5.4

test-luajit: build/jit/cloudapi/core.so
	spec/run luajit

test-valgrind: build/5.4/cloudapi/core.so
	spec/run lua5.4 --valgrind

test-rock:
	spec/rock-install

# The bench's C floors still build from the one source list (make bench
# itself is not part of the test: speed is no test's business).
test-bench-build: build
	@if BENCH_BUILD_ONLY=1 bench/run; then echo "1 0" >> build/test-counts; \
	  else echo "0 1" >> build/test-counts; exit 1; fi

# The emulator's own verifiers against the published vectors and curl.
test-emulator:
	@for t in emulator/tests/selftest.lua emulator/tests/selftest_huawei.lua emulator/tests/selftest_faults.lua \
	          emulator/tests/selftest_paging.lua emulator/tests/selftest_credentials.lua emulator/tests/selftest_roa.lua; do \
	  lua5.4 $$t | tee build/selftest.out; \
	  awk '/ checks, [0-9]+ failed/ {print $$1 - $$3, $$3}' build/selftest.out >> build/test-counts; \
	done

# luacheck over every Lua file, settings per directory in .luacheckrc. Counts
# as a runner: files without a warning passed, files with one failed.
lint:
	@mkdir -p build
	@rc=0; luacheck --no-color --codes . bin/cloudapi > build/lint.out 2>&1 || rc=$$?; \
	  grep -v ' OK$$' build/lint.out | cat -s; \
	  if grep -q '^Total: ' build/lint.out; then \
	    awk '/^Checking / {if ($$NF == "OK") p++; else f++} END {print p+0, f+0}' build/lint.out >> build/test-counts; \
	  else echo "0 1" >> build/test-counts; fi; \
	  exit $$rc

# Every runner appends "passed failed" to build/test-counts; the last line
# of `make test` is the total ("N passed, N failed").
test: deps build
	@rm -f build/test-counts
	@rc=0; $(MAKE) --no-print-directory -k lint test-c test-fuzz test-emulator test-lua54 test-luajit test-valgrind test-rock test-bench-build || rc=$$?; \
	  scripts/test-summary || rc=1; exit $$rc

demo: deps build
	@examples/run-demo

# Against a static nginx on 127.0.0.1; table on stdout, bench/results/latest.json.
bench: deps build
	@bench/run

# LUAROCKS_FLAGS=--deps-mode=none when lua-cjson comes from apt.
install:
	luarocks make $(LUAROCKS_FLAGS) cloudapi-scm-1.rockspec

clean:
	rm -rf build
