# SPDX-License-Identifier: GPL-2.0-only
#
# Gunyah driver stack: top-level build.
#
#   make                  build modules, test hypervisor and user space
#   make check [CPU=max]  build everything, run every test suite
#   make run              boot the test platform and run the main job
#   make run-shell        ... and leave a shell of the Linux guest on this terminal
#   make stress SECS=N SEED=S   fuzzer and kill storm, N s per RM profile
#   make bench [LOAD=1] [BENCH_ROUNDS=N]   Gunyah against KVM, side by side
#   make KDIR=/path       build the modules for another arm64 kernel
#
# Dependencies (Debian packages, the arm64 kernel and headers) are fetched
# by tools/testing/gunyah/setup-deps.sh into .deps/ on first use.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(ROOT)/build
DEPS ?= $(ROOT)/.deps

ifeq ($(KDIR),)
-include $(DEPS)/env.mk
KDIR := $(KDIR_DEFAULT)
NEED_DEPS := $(DEPS)/env.mk
endif

ifneq ($(shell uname -m),aarch64)
CROSS_COMPILE ?= aarch64-linux-gnu-
endif
export CROSS_COMPILE

KMAKE = $(MAKE) -C $(KDIR) ARCH=arm64 CROSS_COMPILE=$(CROSS_COMPILE) CONFIG_GUNYAH=m \
	CONFIG_BAO_IPCSHMEM=m

all: modules test_modules hyp selftests samples

$(DEPS)/env.mk:
	$(ROOT)/tools/testing/gunyah/setup-deps.sh

deps: $(NEED_DEPS)

modules: $(NEED_DEPS)
	$(KMAKE) M=$(ROOT) modules

# Test-only modules (fault injection control, a test VM function type).
# Rebuilt from scratch every time (two small files): their symbol
# versions must follow the main modules.
TESTMOD := $(ROOT)/tools/testing/selftests/gunyah/module
test_modules: modules
	cd $(TESTMOD) && rm -f *.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order
	$(KMAKE) M=$(ROOT)/tools/testing/selftests/gunyah/module \
		KBUILD_EXTRA_SYMBOLS=$(ROOT)/Module.symvers modules

# Not kbuild's "clean": for an external module it deletes every *.a below
# M=, and .deps/ holds Debian's libfdt.a.
modules_clean:
	find $(ROOT)/arch $(ROOT)/drivers $(ROOT)/tools/testing/selftests/gunyah/module \
		\( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name '*.o.d' -o -name '.*.d' -o -name 'modules.order' \
		-o -name 'Module.symvers' \) -delete
	rm -f $(ROOT)/Module.symvers $(ROOT)/modules.order

hyp: $(NEED_DEPS)
	$(MAKE) -C $(ROOT)/tools/testing/gunyah/hyp O=$(BUILD)/hyp KCOMMON=$(KCOMMON)

samples: $(NEED_DEPS)
	$(MAKE) -C $(ROOT)/samples/gunyah O=$(BUILD)/samples

selftests: $(NEED_DEPS)
	$(MAKE) -C $(ROOT)/tools/testing/selftests/gunyah O=$(BUILD)/selftests

unit:
	$(MAKE) -C $(ROOT)/tools/testing/gunyah/unit O=$(BUILD)/unit run

# Static checks: W=1 and sparse on the modules for both kernels,
# checkpatch --strict on every source file.
lint: $(NEED_DEPS)
	$(ROOT)/tools/testing/gunyah/lint.sh

# CPU=max: the same, with QEMU's "-cpu max" instead of Cortex-A72.
check: all
	EXTRA="$(EXTRA)" CPU_MODEL="$(CPU)" $(ROOT)/tools/testing/gunyah/check.sh

run: all
	EXTRA="$(EXTRA)" $(ROOT)/tools/testing/gunyah/run.sh --main

# Interactive: the sample Linux guest with a shell on this terminal.
run-shell: all
	$(ROOT)/tools/testing/gunyah/run.sh --suite shell

# Not part of "check": the ioctl fuzzer and the kill storm, SECS seconds in
# all (half each) per profile, with one seed for both boots.  LENT=0 leaves out
# the kernel accesses to lent memory (they crashed the host before the fix).
SECS ?= 600
SEED ?= $(shell date +%s)
stress: all
	@echo "stress: SECS=$(SECS) SEED=$(SEED)"; rc=0; \
	for p in v17 oss; do \
		$(ROOT)/tools/testing/gunyah/run.sh --profile $$p --suite stress \
			--fuzz-secs $(SECS) --fuzz-seed $(SEED) $(if $(filter 0,$(LENT)),--fuzz-no-lent) \
			|| rc=1; \
	done; exit $$rc

# Not part of "check": the Gunyah/KVM benchmark, BENCH_ROUNDS (default 3)
# alternating boots of each; LOAD=1 adds a busy loop per build-host CPU.
bench: all
	BENCH_ROUNDS="$(BENCH_ROUNDS)" LOAD="$(LOAD)" $(ROOT)/tools/testing/gunyah/bench.sh

clean: modules_clean
	rm -rf $(BUILD)

.PHONY: all deps modules test_modules modules_clean hyp selftests samples unit lint check run run-shell \
	stress bench clean
