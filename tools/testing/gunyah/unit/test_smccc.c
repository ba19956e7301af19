// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the test hypervisor's SMCCC function-ID classification,
 * on the build host.
 */
#include "../../selftests/gunyah/tap.h"
#include "../hyp/arch/smccc.h"

static const struct {
	uint64_t id;
	enum smccc_class class;
	unsigned int nr;
	const char *what;
} cases[] = {
	{ 0x80000000, SMCCC_CLASS_ARCH, 0, "SMCCC_VERSION" },
	{ 0x84000000, SMCCC_CLASS_PSCI, 0, "PSCI_VERSION" },
	{ 0xc4000003, SMCCC_CLASS_PSCI, 0, "PSCI CPU_ON (SMC64)" },
	{ 0x84000050, SMCCC_CLASS_OTHER, 0, "TRNG_VERSION is not PSCI" },
	{ 0x8600ff01, SMCCC_CLASS_GUNYAH_SERVICE, 0x3f01, "vendor-hyp CALL_UID" },
	{ 0x8600ff03, SMCCC_CLASS_GUNYAH_SERVICE, 0x3f03, "vendor-hyp REVISION" },
	{ 0xc600ff01, SMCCC_CLASS_INVALID, 0, "service as SMC64 refused" },
	{ 0xc6008000, SMCCC_CLASS_GUNYAH_HVC, 0x00, "hyp_identify" },
	{ 0xc600801b, SMCCC_CLASS_GUNYAH_HVC, 0x1b, "msgq_send" },
	{ 0xc6008065, SMCCC_CLASS_GUNYAH_HVC, 0x65, "vcpu_run" },
	{ 0x86008000, SMCCC_CLASS_INVALID, 0, "hypercall as SMC32 refused" },
	{ 0x46008000, SMCCC_CLASS_INVALID, 0, "yielding call refused" },
	{ 0xc6028000, SMCCC_CLASS_INVALID, 0, "must-be-zero bits 23:17 set" },
	{ 0x86003f01, SMCCC_CLASS_OTHER, 0, "Qualcomm platform-call UID is not ours" },
	{ 0x1c6008000ULL, SMCCC_CLASS_INVALID, 0, "bits above 31 set" },
	{ 0xc2000001, SMCCC_CLASS_OTHER, 0, "SiP call" },
};

int main(void)
{
	tap_begin();
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int nr = ~0u;
		enum smccc_class c = smccc_classify(cases[i].id, &nr);
		bool nr_ok = (c != SMCCC_CLASS_GUNYAH_HVC && c != SMCCC_CLASS_GUNYAH_SERVICE) ||
			     nr == cases[i].nr;

		tap_check(c == cases[i].class && nr_ok, "%#llx: %s (class %d, nr %#x)",
			  (unsigned long long)cases[i].id, cases[i].what, c, nr);
	}
	return tap_finish();
}
