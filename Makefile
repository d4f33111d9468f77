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
LAYERS := util env env_fake nvmf transport conf nvme rpc

src_util      := $(wildcard util/*.c)
src_env       := $(wildcard env/*.c)
src_env_fake  := $(wildcard env/fake/*.c)
src_nvmf      := $(wildcard nvmf/*.c)
src_transport := $(wildcard transport/*.c transport/*/*.c)
src_conf      := $(wildcard conf/*.c)
src_nvme      := $(wildcard nvme/*.c nvme/*/*.c)
src_rpc       := $(wildcard rpc/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
lib = $(BUILD)/lib/lib$(1).a

$(foreach l,$(LAYERS),$(eval $(call lib,$(l)): $(call obj,$(src_$(l)))))

# Upper layers, in link order; the group is for the one reference back up the
# list: env/ (and env/fake) log through util/.
UPPER_LIBS := $(foreach l,rpc conf nvme nvmf transport util,$(call lib,$(l)))
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

$(BUILD)/test/tests/unit/env/%: $(BUILD)/obj/tests/unit/env/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LINK_REAL) $(CMOCKA_LIBS)

$(BUILD)/test/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(ALL_LIBS)
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
	$(Q)tests/bench/idle.sh build

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
FZ_LAYERS    := rpc conf nvme nvmf transport util env_fake
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

# ----------------------------------------------------------------- install
# make install [PREFIX=/usr/local] [DESTDIR=] [SYSCONFDIR=/etc] [UNITDIR=...]
# installs the release build (built first when needed): the daemon and
# setup script in sbin, the tools in bin, man pages, the examples, the
# systemd unit, and SYSCONFDIR/nvmf-tgt/nvmf-tgt.conf from ram.conf unless
# it exists. make uninstall removes all of it, that conf file included.
# The unit goes where systemd looks for it under PREFIX; SYSCONFDIR is /etc
# whatever PREFIX is, as the unit names the conf file by absolute path.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
PKGDATADIR ?= $(DATADIR)/nvmf-tgt
EXAMPLEDIR ?= $(PKGDATADIR)/examples
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
CONFDIR    := $(SYSCONFDIR)/nvmf-tgt
CONFFILE   := $(CONFDIR)/nvmf-tgt.conf

INST_BINS     := $(filter-out nvmf_tgt,$(TOOLS))
INST_EXAMPLES := $(wildcard conf/examples/*.conf)
# Templates (*.in) are installed with their @DIR@ tokens replaced.
INST_SUBST    := -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
                 -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@EXAMPLEDIR@|$(EXAMPLEDIR)|g' \
                 -e 's|@UNITDIR@|$(UNITDIR)|g'
# Every file install writes, without DESTDIR (the conf file apart).
INST_FILES    := $(addprefix $(BINDIR)/,$(INST_BINS)) $(SBINDIR)/nvmf_tgt \
                 $(SBINDIR)/nvmf-tgt-setup $(UNITDIR)/nvmf-tgt.service \
                 $(addprefix $(EXAMPLEDIR)/,$(notdir $(INST_EXAMPLES))) \
                 $(MANDIR)/man8/nvmf_tgt.8 $(MANDIR)/man5/nvmf-tgt.conf.5

# inst_gen,TEMPLATE,DEST: the template with the paths of this install.
define inst_gen
	$(Q)install -d $(dir $(DESTDIR)$(2))
	$(Q)sed $(INST_SUBST) $(1) >$(DESTDIR)$(2) && chmod 644 $(DESTDIR)$(2)
endef

.PHONY: install uninstall
# As run: deps first, then the build in a sub-make that reads pkg-config.
install: deps
	$(Q)$(MAKE) --no-print-directory all
	@$(if $(Q),echo "  INSTALL $(if $(DESTDIR),$(DESTDIR) )$(PREFIX)")
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(EXAMPLEDIR)
	$(Q)install -m 755 $(addprefix $(BUILD)/bin/,$(INST_BINS)) $(DESTDIR)$(BINDIR)/
	$(Q)install -m 755 $(BUILD)/bin/nvmf_tgt $(DESTDIR)$(SBINDIR)/nvmf_tgt
	$(Q)install -m 755 tools/setup.sh $(DESTDIR)$(SBINDIR)/nvmf-tgt-setup
	$(Q)install -m 644 $(INST_EXAMPLES) $(DESTDIR)$(EXAMPLEDIR)/
	$(call inst_gen,docs/man/nvmf_tgt.8.in,$(MANDIR)/man8/nvmf_tgt.8)
	$(call inst_gen,docs/man/nvmf-tgt.conf.5.in,$(MANDIR)/man5/nvmf-tgt.conf.5)
	$(call inst_gen,tools/systemd/nvmf-tgt.service.in,$(UNITDIR)/nvmf-tgt.service)
	$(Q)if [ -e $(DESTDIR)$(CONFFILE) ]; then \
		echo "install: $(DESTDIR)$(CONFFILE) exists; left as it is"; \
	else \
		install -D -m 644 conf/examples/ram.conf $(DESTDIR)$(CONFFILE); \
	fi
	@echo "install: done; for the service: systemctl daemon-reload && systemctl enable --now nvmf-tgt"

uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR),$(INST_FILES))
	$(Q)if [ -e $(DESTDIR)$(CONFFILE) ]; then \
		cmp -s conf/examples/ram.conf $(DESTDIR)$(CONFFILE) || \
			echo "uninstall: removing $(DESTDIR)$(CONFFILE), which had been edited"; \
		rm -f $(DESTDIR)$(CONFFILE); \
	fi
	$(Q)rmdir $(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(PKGDATADIR) 2>/dev/null || true
	$(Q)rmdir --ignore-fail-on-non-empty $(DESTDIR)$(CONFDIR) 2>/dev/null || true
	@echo "uninstall: done"

# tests/install/<name>.c: stand-alone helpers of tests/install/run.sh.
INST_TEST_SRCS := $(wildcard tests/install/*.c)
INST_TEST_BINS := $(patsubst %.c,$(BUILD)/test/%,$(INST_TEST_SRCS))
all: $(INST_TEST_BINS)
$(BUILD)/test/tests/install/%: $(BUILD)/obj/tests/install/%.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^
