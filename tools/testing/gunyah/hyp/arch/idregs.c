// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: the CPU features the host and guests are shown.
 *
 * HCR_EL2.TID3 traps EL1's reads of the ID registers (Op0 3, Op1 0, CRn 0,
 * CRm 1-7).  They read as the CPU's own, except for the features whose
 * state the world switch does not carry, which read as absent so that an
 * unmodified kernel never uses them: SVE, SME and their registers, FPMR,
 * MTE, pointer authentication (its keys are EL1 state), MPAM, AMU, the
 * EL1 translation controls of FEAT_TCR2/SCTLR2/S1PIE/S1POE, and two
 * instruction sets with EL2 strings attached: WFIT/WFET (a timed wait the
 * vCPU loop does not model) and MOPS (enabled only through HCRX_EL2).  With
 * "-cpu cortex-a72" none of these exist and nothing changes; with
 * "-cpu max" the host and the guests run as on an Armv8.0 CPU with the
 * newer instructions that need no state.  The reads only trap on a CPU
 * that has something to hide (idregs_hcr_trap()): Linux reads ID registers
 * thousands of times a second while it boots.
 */
#include "idregs.h"

#define FIELD(hi, lo)	(((~0ULL) >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

/* ID_AA64PFR0_EL1: SVE, MPAM, AMU, RME */
#define PFR0_HIDDEN	(FIELD(35, 32) | FIELD(43, 40) | FIELD(47, 44) | FIELD(55, 52))
/* ID_AA64PFR1_EL1: MTE, MPAM_frac, SME, NMI, MTE_frac, GCS, THE, MTEX */
#define PFR1_HIDDEN	(FIELD(11, 8) | FIELD(19, 16) | FIELD(27, 24) | FIELD(39, 36) | \
			 FIELD(43, 40) | FIELD(47, 44) | FIELD(51, 48) | FIELD(55, 52))
/* ID_AA64ISAR1_EL1: APA, API, GPA, GPI */
#define ISAR1_HIDDEN	(FIELD(7, 4) | FIELD(11, 8) | FIELD(27, 24) | FIELD(31, 28))
/*
 * ID_AA64ISAR2_EL1: WFxT (WFIT would block a vCPU with no timeout), GPA3,
 * APA3, MOPS (needs HCRX_EL2.MSCEn), PAC_frac
 */
#define ISAR2_HIDDEN	(FIELD(3, 0) | FIELD(11, 8) | FIELD(15, 12) | FIELD(19, 16) | \
			 FIELD(27, 24))

#define ID(crm, op2)	((crm) << 3 | (op2))
#define READ_ID(crm, op2)						\
	case ID(crm, op2):						\
		return read_sysreg(S3_0_C0_C##crm##_##op2)

static u64 read_id(u32 id)
{
	switch (id) {
	READ_ID(1, 0); READ_ID(1, 1); READ_ID(1, 2); READ_ID(1, 3);
	READ_ID(1, 4); READ_ID(1, 5); READ_ID(1, 6); READ_ID(1, 7);
	READ_ID(2, 0); READ_ID(2, 1); READ_ID(2, 2); READ_ID(2, 3);
	READ_ID(2, 4); READ_ID(2, 5); READ_ID(2, 6); READ_ID(2, 7);
	READ_ID(3, 0); READ_ID(3, 1); READ_ID(3, 2); READ_ID(3, 3);
	READ_ID(3, 4); READ_ID(3, 5); READ_ID(3, 6); READ_ID(3, 7);
	READ_ID(4, 0); READ_ID(4, 1); READ_ID(4, 2); READ_ID(4, 3);
	READ_ID(4, 4); READ_ID(4, 5); READ_ID(4, 6); READ_ID(4, 7);
	READ_ID(5, 0); READ_ID(5, 1); READ_ID(5, 2); READ_ID(5, 3);
	READ_ID(5, 4); READ_ID(5, 5); READ_ID(5, 6); READ_ID(5, 7);
	READ_ID(6, 0); READ_ID(6, 1); READ_ID(6, 2); READ_ID(6, 3);
	READ_ID(6, 4); READ_ID(6, 5); READ_ID(6, 6); READ_ID(6, 7);
	READ_ID(7, 0); READ_ID(7, 1); READ_ID(7, 2); READ_ID(7, 3);
	READ_ID(7, 4); READ_ID(7, 5); READ_ID(7, 6); READ_ID(7, 7);
	}
	return 0;
}

/**
 * idreg_read() - the value of a trapped ID register read
 * @esr: the trap's syndrome (EC 0x18)
 * @val: set to what the reader sees
 *
 * Return: false if the trap is not an ID register read.
 */
bool idreg_read(u64 esr, u64 *val)
{
	u32 op0 = (esr >> 20) & 3, op2 = (esr >> 17) & 7, op1 = (esr >> 14) & 7;
	u32 crn = (esr >> 10) & 0xf, crm = (esr >> 1) & 0xf;

	if (!(esr & 1) || op0 != 3 || op1 != 0 || crn != 0 || crm < 1 || crm > 7)
		return false;
	*val = read_id(ID(crm, op2));
	switch (ID(crm, op2)) {
	case ID(4, 0):
		*val &= ~PFR0_HIDDEN;
		break;
	case ID(4, 1):
		*val &= ~PFR1_HIDDEN;
		break;
	case ID(4, 2):		/* ID_AA64PFR2_EL1: FPMR, MTE fault addresses */
	case ID(4, 4):		/* ID_AA64ZFR0_EL1 */
	case ID(4, 5):		/* ID_AA64SMFR0_EL1 */
	case ID(4, 7):		/* ID_AA64FPFR0_EL1 */
	case ID(7, 3):		/* ID_AA64MMFR3_EL1 */
		*val = 0;
		break;
	case ID(6, 1):
		*val &= ~ISAR1_HIDDEN;
		break;
	case ID(6, 2):
		*val &= ~ISAR2_HIDDEN;
		break;
	}
	return true;
}

/* Whether the CPU has any of the features hidden above. */
static bool idregs_hide_any(void)
{
	static const u32 ids[] = {
		ID(4, 0), ID(4, 1), ID(4, 2), ID(4, 4), ID(4, 5), ID(4, 7), ID(6, 1), ID(6, 2),
		ID(7, 3),
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++) {
		u32 crm = ids[i] >> 3, op2 = ids[i] & 7;
		u64 esr = 1 | 3UL << 20 | (u64)op2 << 17 | (u64)crm << 1;	/* an MRS of it */
		u64 val;

		if (idreg_read(esr, &val) && val != read_id(ids[i]))
			return true;
	}
	return false;
}

/**
 * idregs_hcr_trap() - the HCR_EL2 bit that sends ID register reads here
 *
 * Return: HCR_EL2.TID3 if the CPU has a feature to hide, else 0.
 */
u64 idregs_hcr_trap(void)
{
	static int hide = -1;

	if (hide < 0)
		hide = idregs_hide_any();
	return hide ? BIT(18) : 0;
}
