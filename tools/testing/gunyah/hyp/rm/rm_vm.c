// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: Resource Manager VM lifecycle.
 *
 * VM states and the RPCs that move between them follow the Resource
 * Manager's rules: ALLOC_VMID -> LOAD, CONFIG_IMAGE -> INIT, VM_INIT ->
 * READY (or INIT_FAILED), VM_START -> RUNNING, VM_STOP -> EXITED,
 * VM_RESET -> RESETTING -> RESET, DEALLOC_VMID -> gone.  An RPC in the
 * wrong state gets VM_STATE.  DEALLOC_VMID is taken in LOAD and RESET, as
 * the open-source RM takes it; the v17 profile also takes it in INIT (a VM
 * whose start failed between CONFIG_IMAGE and VM_INIT; how v17's RM treats
 * that is not known).  The open-source RM leaves such a VM only through
 * VM_INIT (to READY or INIT_FAILED), then VM_RESET.
 *
 * VM_INIT reads the VM's configuration from its device tree, found in the
 * image parcel: the vCPUs under /cpus and the doorbells under
 * /gunyah-vm-config/vdevices.  It then creates the host's capabilities for
 * the VM (vCPUs with wake-up interrupts, doorbells and, for the v17
 * profile, the address space and the four memory extents) that
 * GET_HYP_RESOURCES reports.
 *
 * The open-source (12/2023) profile behaves like that release's RM: no
 * SET_BOOT_CONTEXT, SET_DEMAND_PAGING or SET_ADDRESS_LAYOUT (UNIMPLEMENTED)
 * and no address-space or memory-extent resources.
 *
 * Authentication (CONFIG_IMAGE's auth_mech): none (0) and Android protected
 * VM (2) are accepted in both profiles; there is nothing to verify for the
 * latter, its firmware (SET_FIRMWARE_MEM, which that release has too) simply
 * runs first.  Qualcomm PIL ELF (1) is refused, see config_image().
 */
#include "bao_ipc.h"
#include "cspace.h"
#include "doorbell.h"
#include "fdt.h"
#include "guest.h"
#include "rm.h"

#define MAX_VCPUS		8
#define MAX_BELLS		GUEST_MAX_BELLS
#define MAX_DP_RANGES		32
/* QEMU's virt machine hands over its tree unpacked: 1 MiB, header included. */
#define MAX_DTB_SIZE		0x200000
#define RES_ENTRY_SIZE		44
/* Host SPIs for resource interrupts: those QEMU has, above the RM's own. */
#define VIRQ_FIRST		234
#define VIRQ_COUNT		54

#define RES_BELL_TX		0
#define RES_VCPU		4
#define RES_MEM_EXTENT		9
#define RES_ADDR_SPACE		10

struct rm_vm {
	bool used;
	u16 vmid;
	u8 status;
	struct rm_parcel *image;
	struct rm_parcel *fw;	/* SET_FIRMWARE_MEM: always the image parcel */
	u64 fw_offset;
	u64 fw_size;
	u64 dtb_offset;
	u64 dtb_size;
	u32 n_dp;
	struct {
		u64 base;
		u64 size;
	} dp[MAX_DP_RANGES];
	u64 layout_base[2];
	u64 layout_size[2];
	/* Boot context: X0..X31, PC, SP0..SP2; a bit per register set. */
	u64 ctx[32 + 1 + 3];
	u64 ctx_set;
	u32 nr_vcpus;
	struct {
		u64 cap;
		u32 virq;
	} vcpus[MAX_VCPUS];
	u32 nr_bells;
	struct {
		u32 label;
		u64 cap;
	} bells[MAX_BELLS];
	u64 addrspace_cap;
	u64 extent_caps[4];
	struct guest *guest;
	u64 mem_base;
	bool mem_base_set;
	u32 gic_phandle;	/* of the guest DT's GICv3 node, 0 if none */
	bool gic_ok;		/* its DT has a usable arm,gic-v3 node */
	bool dt_overlay_ok;	/* it has /chosen and no /hypervisor */
};

static struct rm_vm vms[RM_MAX_VMS];
static u64 virq_used;	/* bitmap over VIRQ_FIRST.. */
static u8 dtb_buf[MAX_DTB_SIZE];

static struct rm_vm *find_vm(u16 vmid)
{
	if (vmid < RM_VMID_FIRST || vmid >= RM_VMID_FIRST + RM_MAX_VMS)
		return NULL;
	return vms[vmid - RM_VMID_FIRST].used ? &vms[vmid - RM_VMID_FIRST] : NULL;
}

bool rm_vm_exists(u16 vmid)
{
	return find_vm(vmid);
}

/* The host reclaimed @p: no VM may read its configuration from it. */
void rm_vm_parcel_gone(const struct rm_parcel *p)
{
	for (unsigned int i = 0; i < RM_MAX_VMS; i++)
		if (vms[i].used && vms[i].image == p)
			vms[i].image = NULL;
	for (unsigned int i = 0; i < RM_MAX_VMS; i++)
		if (vms[i].used && vms[i].fw == p)
			vms[i].fw = NULL;
}

void rm_stats(u64 *nr_vms, u64 *nr_parcels)
{
	u64 n = 0;

	for (unsigned int i = 0; i < RM_MAX_VMS; i++)
		n += vms[i].used;
	*nr_vms = n;
	*nr_parcels = rm_parcel_count();
}

static void notify_status(struct rm_vm *vm)
{
	u8 n[8] = { 0 };

	put_le16(n, vm->vmid);
	n[4] = vm->status;
	rm_notify(RM_NOTIF_VM_STATUS, n, sizeof(n));
}

static u32 alloc_virq(void)
{
	for (u32 i = 0; i < VIRQ_COUNT; i++) {
		if (!(virq_used & BIT(i))) {
			virq_used |= BIT(i);
			return VIRQ_FIRST + i;
		}
	}
	return 0;
}

static void free_virq(u32 virq)
{
	if (virq >= VIRQ_FIRST && virq < VIRQ_FIRST + VIRQ_COUNT)
		virq_used &= ~BIT(virq - VIRQ_FIRST);
}

/* Drop every hypervisor object of @vm (VM_RESET, or a failed VM_INIT). */
static void destroy_resources(struct rm_vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].cap)
			cspace_delete(vm->vcpus[i].cap);
		free_virq(vm->vcpus[i].virq);
	}
	for (u32 i = 0; i < vm->nr_bells; i++)
		if (vm->bells[i].cap)
			cspace_delete(vm->bells[i].cap);
	if (vm->guest) {
		guest_destroy(vm->guest);
		vm->guest = NULL;
	}
	if (vm->addrspace_cap)
		cspace_delete(vm->addrspace_cap);
	for (u32 i = 0; i < 4; i++)
		if (vm->extent_caps[i])
			cspace_delete(vm->extent_caps[i]);
	vm->nr_vcpus = 0;
	vm->nr_bells = 0;
	vm->addrspace_cap = 0;
	memset(vm->extent_caps, 0, sizeof(vm->extent_caps));
}

/* The guest powered off or reset itself. */
static void rm_guest_exited(struct guest *g, u16 exit_type)
{
	struct rm_vm *vm;
	u8 n[12] = { 0 };

	rm_lock();
	vm = find_vm(g->vmid);
	if (vm && vm->guest == g && vm->status == VM_STATUS_RUNNING) {
		vm->status = VM_STATUS_EXITED;
		put_le16(n, vm->vmid);
		put_le16(n + 2, exit_type);
		put_le32(n + 4, 4);
		rm_notify(RM_NOTIF_VM_EXITED, n, sizeof(n));
	}
	rm_unlock();
}

/*
 * The virtual GIC goes where the guest's arm,gic-v3 node puts it (reg:
 * distributor, then redistributors), else where the ABI sheet says.  The
 * open-source RM needs that node (an interrupt controller with three
 * interrupt cells and a phandle) to start the VM.
 */
static void vm_setup_vgic(struct rm_vm *vm, const struct fdt *fdt)
{
	u64 dist = GUEST_GICD_DEFAULT;
	u64 redist = dist - (u64)vm->guest->nr_vcpus * VGIC_REDIST_STRIDE;
	int node;

	vm->gic_ok = false;
	vm->gic_phandle = 0;
	for (node = fdt_first_subnode(fdt, fdt_root(fdt)); node >= 0;
	     node = fdt_next_subnode(fdt, node)) {
		u32 c[8], cells = 0, phandle = 0;
		bool ok = true;

		if (!fdt_prop_string_is(fdt, node, "compatible", "arm,gic-v3"))
			continue;
		vm->gic_ok = fdt_getprop(fdt, node, "interrupt-controller", NULL) &&
			     fdt_prop_u32(fdt, node, "#interrupt-cells", &cells) && cells == 3 &&
			     fdt_prop_u32(fdt, node, "phandle", &phandle) && phandle;
		if (vm->gic_ok)
			vm->gic_phandle = phandle;
		for (u32 i = 0; i < 8 && ok; i++)
			ok = fdt_prop_u32_index(fdt, node, "reg", i, &c[i]);
		if (ok) {
			dist = (u64)c[0] << 32 | c[1];
			redist = (u64)c[4] << 32 | c[5];
		}
		break;
	}
	guest_vgic_setup(vm->guest, dist, redist);
}

/*
 * A CPU node's affinity: its "reg" (one or two cells, #address-cells of
 * /cpus), or its index if it has none.  False if it has bits outside the
 * affinity fields.
 */
static bool cpu_mpidr(const struct fdt *fdt, int node, u32 index, u64 *mpidr)
{
	int len;

	if (!fdt_getprop(fdt, node, "reg", &len)) {
		*mpidr = index;
		return true;
	}
	return fdt_prop_u64(fdt, node, "reg", mpidr) && !(*mpidr & ~MPIDR_AFF_MASK);
}

/* The base of the guest DT's first memory node ("memory" or "memory@..."). */
static bool memory_node_base(const struct fdt *fdt, u64 *base)
{
	for (int node = fdt_first_subnode(fdt, fdt_root(fdt)); node >= 0;
	     node = fdt_next_subnode(fdt, node)) {
		u32 hi, lo;

		if (!fdt_node_name_is(fdt, node, "memory"))
			continue;
		if (!fdt_prop_u32_index(fdt, node, "reg", 0, &hi) ||
		    !fdt_prop_u32_index(fdt, node, "reg", 1, &lo))
			return false;
		*base = (u64)hi << 32 | lo;
		return true;
	}
	return false;
}

/*
 * The open-source RM fails to parse a VM config whose memory node gives an
 * address or size that is not page-aligned (its VM_INIT answers MEM_INVALID).
 * Its DT walker reads them in the #address-cells and #size-cells it keeps
 * for that depth, and it keeps them only when it steps down into a node's
 * first child: for /gunyah-vm-config/memory they are those of the root's
 * first subnode, whichever it is (2 and 1 when it has none), not those of
 * /gunyah-vm-config.  A property of any other length it passes over as if
 * absent, unaligned or not.
 */
static bool vm_memory_aligned(const struct fdt *fdt, int node)
{
	static const struct {
		const char *name;
		bool size;
	} props[] = {
		{ "base-address", false }, { "size-min", true }, { "size-max", true },
		{ "firmware-address", false }, { "firmware-size-max", true },
	};
	int first = fdt_first_subnode(fdt, fdt_root(fdt)), len;
	u32 addr_cells = 2, size_cells = 1, lo;

	if (first >= 0) {
		fdt_prop_u32(fdt, first, "#address-cells", &addr_cells);
		fdt_prop_u32(fdt, first, "#size-cells", &size_cells);
	}
	for (u32 i = 0; i < ARRAY_SIZE(props); i++) {
		u32 cells = props[i].size ? size_cells : addr_cells;

		if (!fdt_getprop(fdt, node, props[i].name, &len) ||
		    (cells != 1 && cells != 2) || len != (int)(4 * cells))
			continue;
		/* the last (low) word decides the alignment */
		if (fdt_prop_u32_index(fdt, node, props[i].name, cells - 1, &lo) &&
		    lo % PAGE_SIZE)
			return false;
	}
	return true;
}

/* A doorbell the host rings into @spi of the guest (level or edge), with @label. */
static u32 add_bell(struct rm_vm *vm, u32 label, u32 spi, bool has_spi, bool level)
{
	struct doorbell *b;
	s64 herr = 0;

	if (vm->nr_bells == MAX_BELLS)
		return RM_ERROR_NORESOURCE;
	b = &vm->guest->bell[vm->nr_bells];
	doorbell_init(b, vm->guest, has_spi ? VGIC_NR_PRIVATE + spi : 0, level);
	vm->guest->nr_bells = vm->nr_bells + 1;
	vm->bells[vm->nr_bells].label = label;
	/* The host rings it, and sets its masks (the v17 irqfd does). */
	vm->bells[vm->nr_bells].cap =
		cspace_create(CAP_TYPE_DOORBELL, CAP_RIGHT_DOORBELL_SEND | CAP_RIGHT_DOORBELL_RECV,
			      b, &herr);
	vm->nr_bells++;
	return herr ? RM_ERROR_NORESOURCE : RM_OK;
}

/*
 * The devices of the guest DT that a VMM emulates: each SPI that a node
 * below the root wires to the GIC gets a doorbell labelled with the SPI's
 * number, unless a vdevice doorbell already raises it or has that label.
 * A VMM that describes no doorbells (QEMU's Gunyah accelerator binds irqfd
 * label N to SPI N) then drives its devices' interrupts all the same.
 */
static u32 add_device_bells(struct rm_vm *vm, const struct fdt *fdt)
{
	u32 root_parent = 0;

	if (!vm->gic_phandle)
		return RM_OK;
	fdt_prop_u32(fdt, fdt_root(fdt), "interrupt-parent", &root_parent);
	for (int node = fdt_first_subnode(fdt, fdt_root(fdt)); node >= 0;
	     node = fdt_next_subnode(fdt, node)) {
		u32 parent = root_parent, type, spi, flags;
		int len;

		fdt_prop_u32(fdt, node, "interrupt-parent", &parent);
		if (parent != vm->gic_phandle || !fdt_getprop(fdt, node, "interrupts", &len))
			continue;
		for (u32 i = 0; i < (u32)len / 12; i++) {
			bool used = false;
			u32 err;

			if (!fdt_prop_u32_index(fdt, node, "interrupts", 3 * i, &type) ||
			    !fdt_prop_u32_index(fdt, node, "interrupts", 3 * i + 1, &spi) ||
			    !fdt_prop_u32_index(fdt, node, "interrupts", 3 * i + 2, &flags) ||
			    type != 0 || spi >= VGIC_MAX_SPIS)
				continue;
			for (u32 j = 0; j < vm->nr_bells; j++)
				used |= vm->bells[j].label == spi ||
					vm->guest->bell[j].intid == VGIC_NR_PRIVATE + spi;
			if (used)
				continue;
			err = add_bell(vm, spi, spi, true, (flags & 0xf) == 4);
			if (err)
				return err;
		}
	}
	return RM_OK;
}

/* Read the VM's configuration and create its resources: an RM error. */
static u32 vm_create_resources(struct rm_vm *vm)
{
	u64 mpidr[MAX_VCPUS];
	struct fdt fdt;
	s64 herr = 0;
	u32 n = 0, err;
	int node;

	/* The open-source RM maps the DT region in whole pages, or refuses it. */
	if (rm_oss_profile() && (vm->dtb_offset % PAGE_SIZE || vm->dtb_size % PAGE_SIZE ||
				 vm->dtb_size < PAGE_SIZE))
		return RM_ERROR_MEM_INVALID;

	if (!vm->image || !vm->dtb_size || vm->dtb_size > MAX_DTB_SIZE ||
	    !rm_parcel_read(vm->image, vm->dtb_offset, dtb_buf, vm->dtb_size) ||
	    fdt_init(&fdt, dtb_buf, vm->dtb_size) < 0)
		/* The open-source RM fails to map a tree it cannot open: MEM_INVALID. */
		return rm_oss_profile() ? RM_ERROR_MEM_INVALID : RM_ERROR_VALIDATE_FAILED;

	node = fdt_path_offset(&fdt, "/cpus");
	for (node = node < 0 ? node : fdt_first_subnode(&fdt, node); node >= 0;
	     node = fdt_next_subnode(&fdt, node)) {
		if (!fdt_node_name_is(&fdt, node, "cpu"))
			continue;
		if (n == MAX_VCPUS)
			return RM_ERROR_NORESOURCE;
		if (!cpu_mpidr(&fdt, node, n, &mpidr[n]))
			return RM_ERROR_VALIDATE_FAILED;
		for (u32 i = 0; i < n; i++)
			if (mpidr[i] == mpidr[n])
				return RM_ERROR_VALIDATE_FAILED;	/* two CPUs, one affinity */
		n++;
	}
	if (!n)
		return RM_ERROR_VALIDATE_FAILED;
	vm->guest = guest_create(vm->vmid, n, mpidr);
	if (!vm->guest)
		return RM_ERROR_NOMEM;
	vm->guest->exited_cb = rm_guest_exited;
	/* The open-source release refuses the vCPUs of a VM that has exited. */
	vm->guest->exit_kills_vcpus = rm_oss_profile();
	/* ... and reports the caller of SYSTEM_RESET with the PSCI_SYSTEM_RESET state */
	vm->guest->reset_run_state = rm_oss_profile();
	for (u32 i = 0; i < n; i++) {
		struct vcpu *v = vm->guest->vcpus[i];

		v->wake_virq = alloc_virq();
		vm->vcpus[i].virq = v->wake_virq;
		vm->vcpus[i].cap = cspace_create(CAP_TYPE_VCPU, CAP_RIGHTS_ALL, v, &herr);
		vm->nr_vcpus++;
		if (herr || !v->wake_virq)
			return RM_ERROR_NORESOURCE;
	}

	node = fdt_path_offset(&fdt, "/gunyah-vm-config/memory");
	if (rm_oss_profile() && node >= 0 && !vm_memory_aligned(&fdt, node))
		return RM_ERROR_MEM_INVALID;
	vm->mem_base_set = node >= 0 && fdt_prop_u64(&fdt, node, "base-address", &vm->mem_base);
	if (!vm->mem_base_set)
		vm->mem_base_set = memory_node_base(&fdt, &vm->mem_base);

	vm_setup_vgic(vm, &fdt);
	/*
	 * The open-source RM adds /hypervisor to the guest's DT and patches
	 * its /chosen with an overlay at VM_START: it refuses a tree that has
	 * a /hypervisor node already, and the overlay fails without /chosen.
	 */
	vm->dt_overlay_ok = fdt_path_offset(&fdt, "/chosen") >= 0 &&
			    fdt_path_offset(&fdt, "/hypervisor") < 0;
	if (!bao_ipc_attach(vm->guest, &fdt))
		return RM_ERROR_VALIDATE_FAILED;

	node = fdt_path_offset(&fdt, "/gunyah-vm-config/vdevices");
	for (node = node < 0 ? node : fdt_first_subnode(&fdt, node); node >= 0;
	     node = fdt_next_subnode(&fdt, node)) {
		u32 label, type = 0, spi = 0, flags = 0;

		if (!fdt_prop_string_is(&fdt, node, "vdevice-type", "doorbell"))
			continue;
		if (!fdt_prop_u32(&fdt, node, "label", &label))
			return RM_ERROR_VALIDATE_FAILED;
		/* The guest's interrupt: <0 (SPI) number flags>, 1 edge, 4 level. */
		if (fdt_getprop(&fdt, node, "interrupts", NULL) &&
		    (!fdt_prop_u32_index(&fdt, node, "interrupts", 0, &type) ||
		     !fdt_prop_u32_index(&fdt, node, "interrupts", 1, &spi) ||
		     !fdt_prop_u32_index(&fdt, node, "interrupts", 2, &flags) || type != 0 ||
		     spi >= VGIC_MAX_SPIS))
			return RM_ERROR_VALIDATE_FAILED;
		err = add_bell(vm, label, spi, fdt_getprop(&fdt, node, "interrupts", NULL),
			       (flags & 0xf) == 4);
		if (err)
			return err;
	}
	err = add_device_bells(vm, &fdt);
	if (err)
		return err;

	if (rm_oss_profile())
		return RM_OK;
	vm->addrspace_cap = cspace_create(CAP_TYPE_ADDRSPACE, CAP_RIGHTS_ALL, vm->guest, &herr);
	for (u32 i = 0; i < 4 && !herr; i++)
		vm->extent_caps[i] = cspace_create(CAP_TYPE_MEMEXTENT, CAP_RIGHTS_ALL,
						   &vm->guest->extents[i], &herr);
	return herr ? RM_ERROR_NORESOURCE : RM_OK;
}

static void put_resource(u8 *e, u8 type, u16 vmid, u32 handle, u32 label, u64 cap, u32 virq)
{
	memset(e, 0, RES_ENTRY_SIZE);
	e[0] = type;
	put_le16(e + 2, vmid);
	put_le32(e + 4, handle);
	put_le32(e + 8, label);
	put_le64(e + 12, cap);
	put_le32(e + 20, virq ? handle : 0);
	put_le32(e + 24, virq);
}

static void get_hyp_resources(const struct rm_request *req, struct rm_vm *vm)
{
	static u8 buf[4 + RES_ENTRY_SIZE * (MAX_VCPUS + MAX_BELLS + 5)];
	u32 n = 0;

	for (u32 i = 0; i < vm->nr_vcpus; i++, n++)
		put_resource(buf + 4 + n * RES_ENTRY_SIZE, RES_VCPU, vm->vmid, n, i,
			     vm->vcpus[i].cap, vm->vcpus[i].virq);
	for (u32 i = 0; i < vm->nr_bells; i++, n++)
		put_resource(buf + 4 + n * RES_ENTRY_SIZE, RES_BELL_TX, vm->vmid, n,
			     vm->bells[i].label, vm->bells[i].cap, 0);
	if (vm->addrspace_cap) {
		put_resource(buf + 4 + n * RES_ENTRY_SIZE, RES_ADDR_SPACE, vm->vmid, n, 0,
			     vm->addrspace_cap, 0);
		n++;
		for (u32 i = 0; i < 4; i++, n++)
			put_resource(buf + 4 + n * RES_ENTRY_SIZE, RES_MEM_EXTENT, vm->vmid, n, i,
				     vm->extent_caps[i], 0);
	}
	put_le32(buf, n);
	rm_reply(req, RM_OK, buf, 4 + n * RES_ENTRY_SIZE);
}

static void alloc_vmid(const struct rm_request *req, u16 vmid)
{
	struct rm_vm *vm = NULL;
	u8 reply[4];

	if (vmid) {
		vm = vmid >= RM_VMID_FIRST && vmid < RM_VMID_FIRST + RM_MAX_VMS &&
		     !find_vm(vmid) ? &vms[vmid - RM_VMID_FIRST] : NULL;
		if (!vm) {
			rm_reply(req, RM_ERROR_VMID_INVALID, NULL, 0);
			return;
		}
	} else {
		for (unsigned int i = 0; i < RM_MAX_VMS && !vm; i++)
			if (!vms[i].used)
				vm = &vms[i];
		if (!vm) {
			rm_reply(req, RM_ERROR_NORESOURCE, NULL, 0);
			return;
		}
	}
	memset(vm, 0, sizeof(*vm));
	vm->used = true;
	vm->vmid = (u16)(RM_VMID_FIRST + (vm - vms));
	vm->status = VM_STATUS_LOAD;
	/* The open-source RM writes the VMID as a 32-bit word. */
	put_le32(reply, vm->vmid);
	rm_reply(req, RM_OK, reply, vmid ? 0 : 4);
}

/* The host's parcel @handle, if it has memory; NULL after a MEM_INVALID reply. */
static struct rm_parcel *host_parcel_or_refuse(const struct rm_request *req, u32 handle)
{
	struct rm_parcel *p = rm_parcel_get(handle, HOST_VMID);

	if (p && rm_parcel_size(p))
		return p;
	rm_reply(req, RM_ERROR_MEM_INVALID, NULL, 0);
	return NULL;
}

/* Whether [@off, @off + @size) lies within @total bytes. */
static bool range_within(u64 off, u64 size, u64 total)
{
	return off <= total && size <= total - off;
}

static void config_image(const struct rm_request *req, struct rm_vm *vm)
{
	const u8 *b = req->payload;
	u64 image_off = get_le64(b + 8), image_size = get_le64(b + 16);
	u64 dtb_off = get_le64(b + 24), dtb_size = get_le64(b + 32), psize;
	struct rm_parcel *p;

	if (vm->status != VM_STATUS_LOAD && vm->status != VM_STATUS_RESET) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	p = host_parcel_or_refuse(req, get_le32(b + 4));
	if (!p)
		return;
	psize = rm_parcel_size(p);
	/*
	 * Mechanism 1 (Qualcomm PIL ELF) needs the platform to verify the
	 * image's signature, which this RM cannot do.  The real RM answers
	 * ARGUMENT_INVALID for a mechanism it cannot use (as for an unknown
	 * one), so this one does too.
	 */
	if (get_le16(b + 2) > 2 || get_le16(b + 2) == 1 ||
	    !range_within(image_off, image_size, psize) ||
	    !range_within(dtb_off, dtb_size, psize)) {
		rm_reply(req, RM_ERROR_ARG_INVALID, NULL, 0);
		return;
	}
	vm->image = p;
	vm->dtb_offset = dtb_off;
	vm->dtb_size = dtb_size;
	vm->status = VM_STATUS_INIT;
	rm_reply(req, RM_OK, NULL, 0);
}

/*
 * SET_FIRMWARE_MEM: the VM's firmware is @size bytes at @offset in a parcel
 * of the host.  The boot vCPU starts at the firmware, as a protected VM's
 * firmware runs before its image.  This RM knows the guest address of the
 * image parcel only, so the firmware has to be in it (ARGUMENT_INVALID
 * otherwise, a deliberate limitation).
 */
static void set_firmware_mem(const struct rm_request *req, struct rm_vm *vm)
{
	const u8 *b = req->payload;
	u64 off = get_le64(b + 8), size = get_le64(b + 16), psize;
	struct rm_parcel *p;

	if (vm->status != VM_STATUS_INIT) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	if (get_le16(b + 2)) {
		rm_reply(req, RM_ERROR_ARG_INVALID, NULL, 0);
		return;
	}
	p = host_parcel_or_refuse(req, get_le32(b + 4));
	if (!p)
		return;
	psize = rm_parcel_size(p);
	if (p != vm->image || !size || !range_within(off, size, psize)) {
		rm_reply(req, RM_ERROR_ARG_INVALID, NULL, 0);
		return;
	}
	vm->fw = p;
	vm->fw_offset = off;
	vm->fw_size = size;
	rm_reply(req, RM_OK, NULL, 0);
}

static void vm_init(const struct rm_request *req, struct rm_vm *vm)
{
	u32 err;

	if (get_le16(req->payload + 2)) {
		rm_reply(req, RM_ERROR_ARG_INVALID, NULL, 0);
		return;
	}
	if (vm->status != VM_STATUS_INIT) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	err = vm_create_resources(vm);
	if (err) {
		destroy_resources(vm);
		vm->status = VM_STATUS_INIT_FAILED;
	} else {
		vm->status = VM_STATUS_READY;
	}
	rm_reply(req, err, NULL, 0);
	notify_status(vm);
}

static void set_boot_context(const struct rm_request *req, struct rm_vm *vm)
{
	u8 set = req->payload[2], idx = req->payload[3];
	int reg;

	if (vm->status != VM_STATUS_READY) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	if (set == 0 && idx < 32)
		reg = idx;
	else if (set == 1 && idx == 0)
		reg = 32;
	else if (set == 2 && idx < 3)
		reg = 33 + idx;
	else
		reg = -1;
	if (reg < 0 || get_le32(req->payload + 4)) {
		rm_reply(req, RM_ERROR_ARG_INVALID, NULL, 0);
		return;
	}
	vm->ctx[reg] = get_le64(req->payload + 8);
	vm->ctx_set |= BIT_ULL(reg);
	rm_reply(req, RM_OK, NULL, 0);
}

static void set_demand_paging(const struct rm_request *req, struct rm_vm *vm)
{
	u32 n = get_le32(req->payload + 4);

	if (req->len < 8 || req->len != 8 + (size_t)n * 16) {
		rm_reply(req, RM_ERROR_MSG_INVALID, NULL, 0);
		return;
	}
	if (vm->status != VM_STATUS_INIT) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	if (n > MAX_DP_RANGES) {
		rm_reply(req, RM_ERROR_NORESOURCE, NULL, 0);
		return;
	}
	for (u32 i = 0; i < n; i++) {
		u64 base = get_le64(req->payload + 8 + 16 * i);
		u64 size = get_le64(req->payload + 16 + 16 * i);

		if (!size || !IS_ALIGNED(base | size, PAGE_SIZE) || base + size < base) {
			rm_reply(req, RM_ERROR_ARG_INVALID, NULL, 0);
			return;
		}
		vm->dp[i].base = base;
		vm->dp[i].size = size;
	}
	vm->n_dp = n;
	rm_reply(req, RM_OK, NULL, 0);
}

static void set_address_layout(const struct rm_request *req, struct rm_vm *vm)
{
	u32 range = get_le32(req->payload + 4);

	if (vm->status != VM_STATUS_INIT) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	if (range > 1) {
		rm_reply(req, RM_ERROR_ARG_INVALID, NULL, 0);
		return;
	}
	vm->layout_base[range] = get_le64(req->payload + 8);
	vm->layout_size[range] = get_le64(req->payload + 16);
	rm_reply(req, RM_OK, NULL, 0);
}

/*
 * Start: the image parcel goes into the guest's stage-2 at the image base
 * (SET_ADDRESS_LAYOUT, else the base-address of the VM config), then the
 * boot vCPU starts at the firmware (SET_FIRMWARE_MEM), else at the boot
 * context's PC, else at the image base, with x0 pointing at the device tree.
 */
static void vm_start(const struct rm_request *req, struct rm_vm *vm)
{
	u64 base, pc, x[31] = { 0 };

	if (vm->status != VM_STATUS_READY) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	if (vm->layout_size[0])
		base = vm->layout_base[0];
	else if (vm->mem_base_set)
		base = vm->mem_base;
	else
		base = ~0ULL;
	if (!vm->image || base == ~0ULL ||
	    (rm_oss_profile() && (!vm->gic_ok || !vm->dt_overlay_ok)) ||
	    rm_parcel_map(vm->image, vm->vmid, vm->guest, base)) {
		vm->status = VM_STATUS_INIT_FAILED;
		rm_reply(req, RM_ERROR_NORESOURCE, NULL, 0);
		return;
	}
	x[0] = base + vm->dtb_offset;
	for (u32 i = 0; i < 31; i++)
		if (vm->ctx_set & BIT_ULL(i))
			x[i] = vm->ctx[i];
	pc = vm->ctx_set & BIT_ULL(32) ? vm->ctx[32] : base;
	if (vm->fw)
		pc = base + vm->fw_offset;
	rm_parcels_accept(vm->vmid, true);
	for (u32 i = 0; i < vm->n_dp && i < GUEST_MAX_DP_RANGES; i++) {
		vm->guest->dp[i].base = vm->dp[i].base;
		vm->guest->dp[i].size = vm->dp[i].size;
	}
	vm->guest->n_dp = vm->n_dp;
	guest_start(vm->guest, pc, x, 31, vm->ctx_set & BIT_ULL(34) ? vm->ctx[34] : 0);
	vm->status = VM_STATUS_RUNNING;
	rm_reply(req, RM_OK, NULL, 0);
	notify_status(vm);
}

static void vm_stop(const struct rm_request *req, struct rm_vm *vm)
{
	u8 n[12] = { 0 };

	if (vm->status != VM_STATUS_RUNNING) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	vm->status = VM_STATUS_EXITED;
	rm_reply(req, RM_OK, NULL, 0);
	if (req->payload[2] & 1) {
		/* Forced stop: exit type VM_STOP_FORCED, one zero reason word. */
		put_le16(n, vm->vmid);
		put_le16(n + 2, GUEST_EXIT_STOP_FORCED);
		put_le32(n + 4, 4);
		rm_notify(RM_NOTIF_VM_EXITED, n, sizeof(n));
	}
	if (vm->guest)
		guest_stop(vm->guest, NULL);
}

static void vm_reset(const struct rm_request *req, struct rm_vm *vm)
{
	if (vm->status != VM_STATUS_EXITED && vm->status != VM_STATUS_READY &&
	    vm->status != VM_STATUS_INIT_FAILED) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	if (vm->guest) {
		/*
		 * No vCPU may be running, and none may start: its capability
		 * goes while guest_lock keeps vcpu_run out.
		 */
		guest_lock();
		for (u32 i = 0; i < vm->guest->nr_vcpus; i++) {
			if (vm->guest->vcpus[i]->running) {
				guest_unlock();
				rm_reply(req, RM_ERROR_BUSY, NULL, 0);
				return;
			}
		}
		for (u32 i = 0; i < vm->nr_vcpus; i++) {
			cspace_delete(vm->vcpus[i].cap);
			vm->vcpus[i].cap = 0;
		}
		/* Nor may a doorbell be rung into a guest that is going. */
		for (u32 i = 0; i < vm->nr_bells; i++) {
			cspace_delete(vm->bells[i].cap);
			vm->bells[i].cap = 0;
		}
		guest_unlock();
	}
	rm_reply(req, RM_OK, NULL, 0);
	vm->status = VM_STATUS_RESETTING;
	notify_status(vm);
	destroy_resources(vm);
	rm_parcels_accept(vm->vmid, false);
	vm->image = NULL;
	vm->fw = NULL;
	vm->n_dp = 0;
	vm->ctx_set = 0;
	vm->status = VM_STATUS_RESET;
	notify_status(vm);
}

static void vm_dealloc(const struct rm_request *req, struct rm_vm *vm)
{
	if (vm->status != VM_STATUS_LOAD && vm->status != VM_STATUS_RESET &&
	    (vm->status != VM_STATUS_INIT || rm_oss_profile())) {
		rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		return;
	}
	rm_parcels_accept(vm->vmid, false);
	memset(vm, 0, sizeof(*vm));
	rm_reply(req, RM_OK, NULL, 0);
}

/**
 * rm_vm_refused() - a VM RPC refused by fault injection, not performed
 * @req: the request
 * @error: the RM error it is answered with
 *
 * The VM goes where the RM would leave it: a refused VM_INIT stands for
 * one the RM performed and failed, which leaves the VM in INIT_FAILED, from
 * where VM_RESET takes it.  (The open-source RM's checks of the request
 * itself, which a well-formed request of the VM's owner passes, would leave
 * it in INIT, from where nothing the host may send takes it.)
 */
void rm_vm_refused(const struct rm_request *req, u32 error)
{
	struct rm_vm *vm;

	if (req->fn != RM_VM_INIT || req->len != 4 || error == RM_OK)
		return;
	vm = find_vm(get_le16(req->payload));
	if (!vm || vm->status != VM_STATUS_INIT)
		return;
	vm->status = VM_STATUS_INIT_FAILED;
	notify_status(vm);
}

bool rm_vm_request(const struct rm_request *req)
{
	static const struct {
		u32 fn;
		u16 len;	/* exact request length; 0xffff: variable */
		bool v17_only;
	} rpcs[] = {
		{ RM_VM_ALLOC_VMID, 4, false }, { RM_VM_DEALLOC_VMID, 4, false },
		{ RM_VM_START, 4, false }, { RM_VM_STOP, 8, false }, { RM_VM_RESET, 4, false },
		{ RM_VM_CONFIG_IMAGE, 40, false }, { RM_VM_INIT, 4, false },
		{ RM_VM_GET_HYP_RESOURCES, 4, false }, { RM_VM_GET_VMID, 0, false },
		{ RM_VM_SET_BOOT_CONTEXT, 16, true }, { RM_VM_SET_FIRMWARE_MEM, 24, false },
		{ RM_VM_SET_DEMAND_PAGING, 0xffff, true },
		{ RM_VM_SET_ADDRESS_LAYOUT, 24, true },
	};
	struct rm_vm *vm;
	unsigned int i;
	u8 reply[4];

	for (i = 0; i < ARRAY_SIZE(rpcs); i++)
		if (rpcs[i].fn == req->fn)
			break;
	if (i == ARRAY_SIZE(rpcs))
		return false;
	if (rpcs[i].v17_only && rm_oss_profile()) {
		rm_reply(req, RM_ERROR_UNIMPLEMENTED, NULL, 0);
		return true;
	}
	if (rpcs[i].len != 0xffff ? req->len != rpcs[i].len : req->len < 4) {
		rm_reply(req, RM_ERROR_MSG_INVALID, NULL, 0);
		return true;
	}
	if (req->fn == RM_VM_GET_VMID) {
		put_le32(reply, HOST_VMID);
		rm_reply(req, RM_OK, reply, 4);
		return true;
	}
	if (req->fn == RM_VM_ALLOC_VMID) {
		alloc_vmid(req, get_le16(req->payload));
		return true;
	}
	vm = find_vm(get_le16(req->payload));
	if (!vm) {
		rm_reply(req, RM_ERROR_VMID_INVALID, NULL, 0);
		return true;
	}
	switch (req->fn) {
	case RM_VM_DEALLOC_VMID:
		vm_dealloc(req, vm);
		break;
	case RM_VM_START:
		vm_start(req, vm);
		break;
	case RM_VM_STOP:
		vm_stop(req, vm);
		break;
	case RM_VM_RESET:
		vm_reset(req, vm);
		break;
	case RM_VM_CONFIG_IMAGE:
		config_image(req, vm);
		break;
	case RM_VM_INIT:
		vm_init(req, vm);
		break;
	case RM_VM_GET_HYP_RESOURCES:
		if (vm->status != VM_STATUS_READY && vm->status != VM_STATUS_RUNNING)
			rm_reply(req, RM_ERROR_VM_STATE, NULL, 0);
		else
			get_hyp_resources(req, vm);
		break;
	case RM_VM_SET_BOOT_CONTEXT:
		set_boot_context(req, vm);
		break;
	case RM_VM_SET_FIRMWARE_MEM:
		set_firmware_mem(req, vm);
		break;
	case RM_VM_SET_DEMAND_PAGING:
		set_demand_paging(req, vm);
		break;
	case RM_VM_SET_ADDRESS_LAYOUT:
		set_address_layout(req, vm);
		break;
	}
	return true;
}
