/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: guest VMs and their vCPUs.
 *
 * The Resource Manager creates a guest (its vCPUs at VM_INIT, its stage-2
 * at VM_START) and destroys it at VM_RESET.  The host runs the vCPUs with
 * the vcpu_run hypercall (proxy scheduling): each call enters the guest on
 * the calling physical CPU until the guest needs the host (MMIO, WFI,
 * power-off) or the host gets an interrupt.
 */
#ifndef HYP_GUEST_H
#define HYP_GUEST_H

#include "doorbell.h"
#include "hyp.h"
#include "pgtable.h"
#include "vgic.h"

#define GUEST_MAX_VCPUS		8
#define GUEST_NR_LRS		VGIC_NR_LRS
#define GUEST_MAX_BELLS		64
#define GUEST_LOG_LINES		16
/* Where the virtual GIC is when the guest's DT does not say (ABI sheet §6.4) */
#define GUEST_GICD_DEFAULT	0x3fff0000UL

enum guest_sysreg {
	SYS_SCTLR, SYS_CPACR, SYS_TTBR0, SYS_TTBR1, SYS_TCR, SYS_ESR, SYS_AFSR0, SYS_AFSR1,
	SYS_FAR, SYS_MAIR, SYS_VBAR, SYS_CONTEXTIDR, SYS_AMAIR, SYS_CNTKCTL, SYS_PAR,
	SYS_TPIDR_EL1, SYS_SP_EL1, SYS_ELR_EL1, SYS_SPSR_EL1, SYS_TPIDR_EL0, SYS_TPIDRRO_EL0,
	SYS_CSSELR, SYS_MDSCR, SYS_CNTV_CTL, SYS_CNTV_CVAL, SYS_VMPIDR,
	NR_GUEST_SYSREGS
};

/* Saved state of a vCPU; the first fields are known to switch.S. */
struct vcpu_ctx {
	u64 x[31];
	u64 sp_el0;
	u64 pc;
	u64 pstate;
	u64 fp[66];		/* q0-q31, FPSR, FPCR */
	u64 sys[NR_GUEST_SYSREGS];
	u64 ich_lr[GUEST_NR_LRS];
	u64 ich_vmcr;
	u64 ich_ap0r0;
	u64 ich_ap1r0;
};

enum vcpu_pending {
	VCPU_PENDING_NONE,
	VCPU_PENDING_MMIO_READ,
	VCPU_PENDING_MMIO_WRITE,
};

/* Aff3, Aff2, Aff1 and Aff0 of MPIDR_EL1 */
#define MPIDR_AFF_MASK		0xff00ffffffULL

struct guest;

struct vcpu {
	struct vcpu_ctx ctx;
	struct guest *guest;
	u32 index;
	u64 mpidr;		/* its affinity, from the guest DT's cpu node */
	u32 wake_virq;		/* host SPI: "run me again" */
	bool on;
	bool running;
	/* its guest called PSCI SYSTEM_RESET: the run state's data word 0, else 0 */
	u64 reset_data;
	u32 run_cpu;		/* the physical CPU it runs on, while running */
	/* CPU_ON while its last run was still ending: applied when it next runs */
	bool on_pending;
	u64 on_entry;
	u64 on_arg;
	bool in_wfi;
	/* ctx.sys changed while the vCPU's registers are in the CPU: load them again */
	bool sys_dirty;
	/* MMIO exit waiting for the host's answer */
	enum vcpu_pending pending;
	u32 mmio_rt;
	u32 mmio_size;
	bool mmio_sign_extend;
	bool mmio_64bit;
	/* wake-up timer: armed on CPU @timer_cpu for @deadline */
	bool timer_armed;
	u32 timer_cpu;
	u64 deadline;
};

#define GUEST_MAX_DP_RANGES	32

struct guest_extent {
	struct guest *guest;
	u32 label;	/* 0 guest-private, 1 host-shared, 2 host-private, 3 guest-shared */
};

struct guest {
	u16 vmid;
	u8 hw_vmid;
	bool started;
	bool exited;
	/* vcpu_run of an exited guest: OBJECT_STATE, not POWERED_OFF ("exited") */
	bool exit_kills_vcpus;
	/* the caller of PSCI SYSTEM_RESET sees PSCI_SYSTEM_RESET, not POWERED_OFF */
	bool reset_run_state;
	/* lines the guest's faults may still print (a guest must not flood the console) */
	u32 log_budget;
	u32 nr_vcpus;
	struct vcpu *vcpus[GUEST_MAX_VCPUS];
	struct pgtable s2;
	/* unmapped with NOSYNC: its TLB may still hold them (guest_tlb_sync()) */
	bool tlb_stale;
	/* memory extents handed to the host for demand paging */
	struct guest_extent extents[4];
	/* IPA ranges whose missing pages are PAGE_FAULT exits, not MMIO */
	u32 n_dp;
	struct {
		u64 base;
		u64 size;
	} dp[GUEST_MAX_DP_RANGES];
	/* Called once when the guest powers off or resets (RM exit type). */
	void (*exited_cb)(struct guest *g, u16 exit_type);
	/* its virtual GIC (a page) and the state of its SPIs (another) */
	struct vgic *vgic;
	struct vgic_irq *vgic_spis;
	/* doorbells it receives (a page); the RM hands their capabilities to the host */
	u32 nr_bells;
	struct doorbell *bell;
};

/* vcpu_run run states */
#define VCPU_STATE_READY		0
#define VCPU_STATE_EXPECTS_WAKEUP	1
#define VCPU_STATE_POWERED_OFF		2
#define VCPU_STATE_BLOCKED		3
#define VCPU_STATE_VMMIO_READ		4
#define VCPU_STATE_VMMIO_WRITE		5
#define VCPU_STATE_PAGE_FAULT		7
#define VCPU_STATE_PSCI_SYSTEM_RESET	0x100
/* its data word 0: bit 63 for SYSTEM_RESET (not RESET2), reset type 0 */
#define VCPU_RESET_NOT_RESET2		BIT(63)

/* RM exit types */
#define GUEST_EXIT_PLATFORM_OFF		1
#define GUEST_EXIT_PLATFORM_RESET	2
#define GUEST_EXIT_STOP_FORCED		7

struct guest *guest_create(u16 vmid, u32 nr_vcpus, const u64 *mpidr);
struct vcpu *guest_vcpu_by_mpidr(struct guest *g, u64 mpidr);
void guest_destroy(struct guest *g);
int guest_map(struct guest *g, u64 ipa, u64 pa, u64 size, u64 attr);
void guest_start(struct guest *g, u64 pc, const u64 *x, u32 nr_x, u64 sp_el1);
void guest_stop(struct guest *g, const struct vcpu *self);

void guest_tlb_flush(struct guest *g);
void guest_tlb_sync(struct guest *g);
bool guest_may_log(struct guest *g);
void guest_vgic_setup(struct guest *g, u64 dist_base, u64 redist_base);
void guest_vgic_line(struct guest *g, u32 intid, bool level);
void guest_vgic_pulse(struct guest *g, u32 intid);
void guest_vgic_kick(struct guest *g, u32 vcpus);
bool guest_in_dp_range(const struct guest *g, u64 ipa);
void addrspace_hypercall(struct trap_frame *f, unsigned int nr);
void vcpu_reset(struct vcpu *v);
void vcpu_forget(struct vcpu *v);
void vcpu_run(struct trap_frame *f);
void hyp_timer_fiq(void);
void hyp_gic_cpu_init(void);
void vcpu_kick_cpu(u32 cpu);

/* Why a guest left EL1, counted since boot (the test control reports them). */
enum vcpu_exit_kind {
	VCPU_EXIT_MMIO,		/* an MMIO access for the host */
	VCPU_EXIT_VGIC,		/* an access to the virtual GIC, emulated here */
	VCPU_EXIT_SMCCC,	/* HVC or SMC: PSCI, SMCCC */
	VCPU_EXIT_WFX,
	VCPU_EXIT_SYSREG,	/* ICC_SGI1R_EL1 and other trapped registers */
	VCPU_EXIT_PAGE_FAULT,	/* demand paging */
	VCPU_EXIT_IRQ,		/* a physical interrupt: the guest's timer or the host's */
	VCPU_EXIT_FIQ,		/* the hypervisor's timer or a kick */
	VCPU_EXIT_OTHER,
	NR_VCPU_EXIT_KINDS
};

u64 vcpu_exit_count(unsigned int kind);
void host_sysreg_trap(struct trap_frame *f, u64 esr);
void guest_lock(void);
void guest_unlock(void);

/* switch.S */
u64 guest_enter(struct vcpu_ctx *ctx, struct hyp_cpu *cpu);
void fpsimd_save(u64 *area);
void fpsimd_restore(u64 *area);

#endif
