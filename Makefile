# nvmf-tgt - one GNU Makefile for the whole tree.
#
#   make            build everything into build/ (bin, lib, obj, test)
#   make SAN=1      the same with ASan + UBSan, into build-san/
#   make test       deps, unit tests under SAN=1, integration, interop (lab),
#                   fresh-check
#   make run        deps, build, serve conf/examples/ram.conf on 127.0.0.1:4420
#   make deps       install the Debian packages the build, tests and lab need
#   make fresh-check  make run and make test on a fresh Debian 12 root (root)
#   make clean

CC       ?= gcc
SAN      ?= 0
V        ?= 0

# 'make' alone builds everything (the first rule below would be a library).
.DEFAULT_GOAL := all

ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD    ?= build
SANFLAGS :=
endif

Q := $(if $(filter 1,$(V)),,@)

CFLAGS   := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fno-strict-aliasing \
            -D_GNU_SOURCE -Iinclude -I. -MMD -MP $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS  := $(SANFLAGS) $(EXTRA_LDFLAGS)

# ------------------------------------------------------------ dependencies
# Each entry: pkg-config name = Debian package that provides it.
PKGS := libdpdk=libdpdk-dev libibverbs=libibverbs-dev librdmacm=librdmacm-dev \
        libssl=libssl-dev libcrypto=libssl-dev cmocka=libcmocka-dev liburing=liburing-dev

# Goals that install what they need themselves: their recipes run deps
# first, then build in a sub-make, which reads this file again once the
# packages are there. They, and the goals that need no library, skip the
# check below; any other goal on the command line (or none: all) keeps it.
SETUP_GOALS := run test bench unit integration interop install uninstall fresh-check
NOCHECK_GOALS := deps clean format format-check help $(SETUP_GOALS)

ifneq ($(filter-out $(NOCHECK_GOALS),$(or $(MAKECMDGOALS),all)),)
$(if $(shell command -v pkg-config),,$(error missing pkg-config: run 'make deps' or 'apt-get install pkg-config'))
$(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(firstword $(subst =, ,$(p))) && echo ok),,\
  $(error missing $(firstword $(subst =, ,$(p))): run 'make deps' or 'apt-get install $(lastword $(subst =, ,$(p)))')))
endif

DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk 2>/dev/null | sed 's/-march=[^ ]*/-msse4.2/')
# Only what env/ uses, linked statically so binaries run where DPDK is absent
# or of another major version. Bus and mempool drivers register themselves
# from constructors, hence whole-archive.
DPDK_LIBS := -Wl,--whole-archive -l:librte_bus_pci.a -l:librte_mempool_ring.a \
             -Wl,--no-whole-archive -l:librte_mempool.a -l:librte_ring.a -l:librte_pci.a \
             -l:librte_eal.a -l:librte_kvargs.a -l:librte_telemetry.a -l:libnuma.a -l:libbsd.a -l:libmd.a \
             -lpthread -ldl -lm
SYS_LIBS  := $(shell pkg-config --libs libssl libcrypto librdmacm libibverbs 2>/dev/null) -l:liburing.a \
             -lpthread -lm
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# ------------------------------------------------------------------ layers
# A library per layer; sources are found by folder.
LAYERS := util env env_fake nvmf transport conf nvme

src_util      := $(wildcard util/*.c)
src_env       := $(wildcard env/*.c)
src_env_fake  := $(wildcard env/fake/*.c)
src_nvmf      := $(wildcard nvmf/*.c)
src_transport := $(wildcard transport/*.c transport/*/*.c)
src_conf      := $(wildcard conf/*.c)
src_nvme      := $(wildcard nvme/*.c nvme/*/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
lib = $(BUILD)/lib/lib$(1).a

$(foreach l,$(LAYERS),$(eval $(call lib,$(l)): $(call obj,$(src_$(l)))))

# Upper layers, in link order (the group resolves the nvmf <-> transport ops).
UPPER_LIBS := $(foreach l,conf nvme nvmf transport util,$(call lib,$(l)))
LINK_REAL  := -Wl,--start-group $(UPPER_LIBS) $(call lib,env) -Wl,--end-group $(DPDK_LIBS) $(SYS_LIBS)
LINK_FAKE  := -Wl,--start-group $(UPPER_LIBS) $(call lib,env_fake) -Wl,--end-group $(SYS_LIBS)
ALL_LIBS   := $(foreach l,$(LAYERS),$(call lib,$(l)))

# ------------------------------------------------------------------- tools
TOOLS     := $(notdir $(patsubst %/,%,$(dir $(wildcard tools/*/main.c))))
TOOL_BINS := $(foreach t,$(TOOLS),$(BUILD)/bin/$(t))
$(foreach t,$(TOOLS),$(eval $(BUILD)/bin/$(t): $(call obj,$(wildcard tools/$(t)/*.c)) $(ALL_LIBS)))

# ------------------------------------------------------------------- tests
# tests/unit/<layer>/<name>_test.c -> $(BUILD)/test/unit/<layer>/<name>_test.
# Tests of env/ link the real env; every other layer links the fake env.
UNIT_SRCS  := $(wildcard tests/unit/*/*_test.c)
UNIT_BINS  := $(patsubst %.c,$(BUILD)/test/%,$(UNIT_SRCS))
TEST_HELPERS := $(wildcard tests/unit/common/*.c)
INTEG_SRCS := $(wildcard tests/integration/*.c)
INTEG_BINS := $(patsubst %.c,$(BUILD)/test/%,$(INTEG_SRCS))
# tests/bench/<name>.c: stand-alone bench helpers, no project library.
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(patsubst %.c,$(BUILD)/test/%,$(BENCH_SRCS))

all: $(ALL_LIBS) $(TOOL_BINS) $(UNIT_BINS) $(INTEG_BINS) $(BENCH_BINS)

$(BUILD)/obj/env/%.o: CFLAGS += $(DPDK_CFLAGS)
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/lib/%.a:
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^ $(if $^,,$(BUILD)/lib/.empty.o)

$(BUILD)/lib/.empty.o:
	@mkdir -p $(@D)
	$(Q)echo 'typedef int nvmf_empty_unit;' | $(CC) -x c -c - -o $@
$(ALL_LIBS): | $(BUILD)/lib/.empty.o

$(BUILD)/bin/%:
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LINK_REAL)

$(BUILD)/test/tests/unit/env/%: $(BUILD)/obj/tests/unit/env/%.o $(call obj,$(TEST_HELPERS)) $(ALL_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LINK_REAL) $(CMOCKA_LIBS)

$(BUILD)/test/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(call obj,$(TEST_HELPERS)) $(ALL_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LINK_FAKE) $(CMOCKA_LIBS)

$(BUILD)/test/tests/integration/%: $(BUILD)/obj/tests/integration/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LINK_REAL) $(CMOCKA_LIBS)

$(BUILD)/test/tests/bench/%: $(BUILD)/obj/tests/bench/%.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# ---------------------------------------------------------------- targets
.SECONDARY:
.PHONY: all deps run test unit integration interop bench fresh-check format format-check clean help

deps:
	$(Q)tools/deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/run.sh

unit: deps
	$(Q)$(MAKE) --no-print-directory SAN=1 all
	$(Q)tests/run_unit.sh build-san

integration: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run_integration.sh build

interop: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/interop/run.sh build

# Figures, not a test: nothing here asserts a speed.
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/bench/run.sh build

# The test command: every part runs; the summary says what failed.
test: deps
	$(Q)$(MAKE) --no-print-directory format-check
	$(Q)tests/run_all.sh

# The two commands of the README on a fresh Debian 12 root (needs root);
# REF=<commit> checks another commit than HEAD.
fresh-check: deps
	$(Q)tools/fresh-check.sh $(REF)

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null; git ls-files --others --exclude-standard '*.c' '*.h' 2>/dev/null)
format:
	$(Q)clang-format -i $(FORMAT_SRCS)
format-check:
	$(Q)clang-format --dry-run -Werror $(FORMAT_SRCS) && echo "format-check: ok"

clean:
	rm -rf build build-san

help:
	@sed -n '2,11p' Makefile

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# -------------------------------------------------------------------- fuzz
# make fuzz [FUZZ_SECONDS=30]: the libFuzzer targets tests/fuzz/<name>_fuzz.c,
# built with clang (ASan + UBSan) into build-fuzz/ against the fake env, then
# each run for FUZZ_SECONDS on build-fuzz/corpus/<name> (seeded from
# tests/fuzz/seeds/<name>/). Fails when any target finds a crash.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_NICE    ?= nice -n 19
FZ           := build-fuzz
FZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FZ_CFLAGS    := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-strict-aliasing -D_GNU_SOURCE \
                -Iinclude -I. -MMD -MP $(FZ_SAN) -fsanitize=fuzzer-no-link
FZ_NAMES     := $(patsubst tests/fuzz/%_fuzz.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FZ_BINS      := $(foreach n,$(FZ_NAMES),$(FZ)/bin/$(n)_fuzz)
# The layers each target links; a layer's objects come in only when referenced.
FZ_LAYERS    := conf nvme nvmf transport util env_fake
fz_obj        = $(patsubst %.c,$(FZ)/obj/%.o,$(1))
fz_lib        = $(FZ)/lib/lib$(1).a
$(foreach l,$(FZ_LAYERS),$(eval $(call fz_lib,$(l)): $(call fz_obj,$(src_$(l)))))
FZ_LINK      := -Wl,--start-group $(foreach l,$(FZ_LAYERS),$(call fz_lib,$(l))) -Wl,--end-group $(SYS_LIBS)

$(FZ)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FZ_CFLAGS) -c $< -o $@

$(FZ)/lib/%.a:
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(FZ)/bin/%_fuzz: $(FZ)/obj/tests/fuzz/%_fuzz.o $(foreach l,$(FZ_LAYERS),$(call fz_lib,$(l)))
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FZ_SAN) -fsanitize=fuzzer -o $@ $< $(FZ_LINK)

.PHONY: fuzz fuzz-build
fuzz-build: $(FZ_BINS)

fuzz: fuzz-build
	$(Q)FUZZ_NICE="$(FUZZ_NICE)" tests/fuzz/run.sh $(FZ) $(FUZZ_SECONDS) $(FZ_NAMES)

-include $(shell find $(FZ)/obj -name '*.d' 2>/dev/null)
