// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah VM manager.
 *
 * /dev/gunyah creates VMs.  A VM is an anonymous-inode file: its ioctls
 * configure it, start it, and add or remove functions (vCPUs, irqfds,
 * ...), which are loaded by type from modules on demand.  When the last
 * reference goes away the VM is stopped, reset and deallocated in the
 * Resource Manager, whatever state it reached.
 *
 * Resources of a started VM (vCPU capabilities, doorbells, ...) are
 * handed to whoever registered a resource ticket of the same type and
 * label, before or after the VM started.
 *
 * Locking, outermost first: ghvm->status_lock (start and teardown, status
 * changes), ghvm->fn_lock, ghvm->resources_lock, ghvm->mem_lock.  RM calls
 * may be made with any of them held; RM notifications take only
 * status_lock (for writing), from the RM's notification work.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gunyah.h>
#include <linux/irqdomain.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "vm_mgr.h"

#define GUNYAH_VM_STOP_TIMEOUT		(10 * HZ)

struct gunyah_vm_mgr {
	struct gunyah_rm *rm;
	struct miscdevice miscdev;
};

static DEFINE_XARRAY(gunyah_vm_functions);

/**
 * gunyah_vm_function_register() - make a VM function type available
 * @fn: the function type
 *
 * Return: 0, -EINVAL for an incomplete @fn, or -EEXIST if the type is taken.
 */
int gunyah_vm_function_register(struct gunyah_vm_function *fn)
{
	if (!fn->bind || !fn->unbind || !fn->compare)
		return -EINVAL;
	return xa_err(xa_cmpxchg(&gunyah_vm_functions, fn->type, NULL, fn, GFP_KERNEL)) ?:
	       (xa_load(&gunyah_vm_functions, fn->type) == fn ? 0 : -EEXIST);
}
EXPORT_SYMBOL_GPL(gunyah_vm_function_register);

/**
 * gunyah_vm_function_unregister() - withdraw a VM function type
 * @fn: the function type passed to gunyah_vm_function_register()
 *
 * Instances hold a reference on the providing module, so none exist when
 * its exit function calls this.
 */
void gunyah_vm_function_unregister(struct gunyah_vm_function *fn)
{
	xa_cmpxchg(&gunyah_vm_functions, fn->type, fn, NULL, GFP_KERNEL);
}
EXPORT_SYMBOL_GPL(gunyah_vm_function_unregister);

static struct gunyah_vm_function *gunyah_vm_get_function(u32 type)
{
	struct gunyah_vm_function *fn;

	xa_lock(&gunyah_vm_functions);
	fn = xa_load(&gunyah_vm_functions, type);
	if (fn && !try_module_get(fn->mod))
		fn = NULL;
	xa_unlock(&gunyah_vm_functions);
	if (fn)
		return fn;

	request_module("ghfunc:%u", type);

	xa_lock(&gunyah_vm_functions);
	fn = xa_load(&gunyah_vm_functions, type);
	if (fn && !try_module_get(fn->mod))
		fn = NULL;
	xa_unlock(&gunyah_vm_functions);
	return fn;
}

static void gunyah_vm_remove_function_instance(struct gunyah_vm_function_instance *inst)
{
	inst->fn->unbind(inst);
	list_del(&inst->vm_list);
	module_put(inst->fn->mod);
	kfree(inst->argp);
	kfree(inst);
}

static long gunyah_vm_add_function(struct gunyah_vm *ghvm, struct gunyah_fn_desc *f)
{
	struct gunyah_vm_function_instance *inst;
	long r;

	if (f->arg_size > GUNYAH_FN_MAX_ARG_SIZE)
		return -EINVAL;

	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		return -ENOMEM;
	inst->arg_size = f->arg_size;
	if (inst->arg_size) {
		inst->argp = memdup_user(u64_to_user_ptr(f->arg), f->arg_size);
		if (IS_ERR(inst->argp)) {
			r = PTR_ERR(inst->argp);
			goto free;
		}
	}

	inst->fn = gunyah_vm_get_function(f->type);
	if (!inst->fn) {
		r = -ENOENT;
		goto free_arg;
	}
	inst->mod = inst->fn->mod;
	inst->ghvm = ghvm;

	mutex_lock(&ghvm->fn_lock);
	r = inst->fn->bind(inst);
	if (r < 0) {
		mutex_unlock(&ghvm->fn_lock);
		module_put(inst->fn->mod);
		goto free_arg;
	}
	list_add(&inst->vm_list, &ghvm->functions);
	mutex_unlock(&ghvm->fn_lock);
	return r;

free_arg:
	kfree(inst->argp);
free:
	kfree(inst);
	return r;
}

static long gunyah_vm_rm_function(struct gunyah_vm *ghvm, struct gunyah_fn_desc *f)
{
	struct gunyah_vm_function_instance *inst, *iter;
	void *argp;
	long r = -ENOENT;

	if (f->arg_size > GUNYAH_FN_MAX_ARG_SIZE)
		return -EINVAL;
	argp = f->arg_size ? memdup_user(u64_to_user_ptr(f->arg), f->arg_size) : NULL;
	if (IS_ERR(argp))
		return PTR_ERR(argp);

	mutex_lock(&ghvm->fn_lock);
	list_for_each_entry_safe(inst, iter, &ghvm->functions, vm_list) {
		if (inst->fn->type == f->type && inst->fn->compare(inst, argp, f->arg_size)) {
			gunyah_vm_remove_function_instance(inst);
			r = 0;
			break;
		}
	}
	mutex_unlock(&ghvm->fn_lock);
	kfree(argp);
	return r;
}

/**
 * gunyah_vm_add_resource_ticket() - claim resources of a VM
 * @ghvm: the VM
 * @ticket: type, label and callbacks; resources the VM already has are
 *          handed over before this returns
 *
 * Return: 0, or -EEXIST if a ticket for the same type and label exists.
 */
int gunyah_vm_add_resource_ticket(struct gunyah_vm *ghvm,
				  struct gunyah_vm_resource_ticket *ticket)
{
	struct gunyah_vm_resource_ticket *iter;
	struct gunyah_resource *ghrsc, *rsc_iter;
	int ret = 0;

	mutex_lock(&ghvm->resources_lock);
	list_for_each_entry(iter, &ghvm->resource_tickets, vm_list) {
		if (iter->resource_type == ticket->resource_type && iter->label == ticket->label) {
			ret = -EEXIST;
			goto out;
		}
	}
	if (!try_module_get(ticket->owner)) {
		ret = -ENODEV;
		goto out;
	}
	list_add(&ticket->vm_list, &ghvm->resource_tickets);
	INIT_LIST_HEAD(&ticket->resources);

	list_for_each_entry_safe(ghrsc, rsc_iter, &ghvm->resources, list) {
		if (ghrsc->type == ticket->resource_type && ghrsc->rm_label == ticket->label) {
			if (ticket->populate(ticket, ghrsc))
				list_move(&ghrsc->list, &ticket->resources);
		}
	}
out:
	mutex_unlock(&ghvm->resources_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(gunyah_vm_add_resource_ticket);

/**
 * gunyah_vm_remove_resource_ticket() - give back a claim on resources
 * @ghvm: the VM
 * @ticket: a ticket added with gunyah_vm_add_resource_ticket()
 *
 * Its resources are unpopulated and return to the VM's pool.
 */
void gunyah_vm_remove_resource_ticket(struct gunyah_vm *ghvm,
				      struct gunyah_vm_resource_ticket *ticket)
{
	struct gunyah_resource *ghrsc, *iter;

	mutex_lock(&ghvm->resources_lock);
	list_for_each_entry_safe(ghrsc, iter, &ticket->resources, list) {
		ticket->unpopulate(ticket, ghrsc);
		list_move(&ghrsc->list, &ghvm->resources);
	}
	module_put(ticket->owner);
	list_del(&ticket->vm_list);
	mutex_unlock(&ghvm->resources_lock);
}
EXPORT_SYMBOL_GPL(gunyah_vm_remove_resource_ticket);

static void gunyah_vm_add_resource(struct gunyah_vm *ghvm, struct gunyah_resource *ghrsc)
{
	struct gunyah_vm_resource_ticket *ticket;

	mutex_lock(&ghvm->resources_lock);
	list_for_each_entry(ticket, &ghvm->resource_tickets, vm_list) {
		if (ghrsc->type == ticket->resource_type && ghrsc->rm_label == ticket->label) {
			if (ticket->populate(ticket, ghrsc)) {
				list_add(&ghrsc->list, &ticket->resources);
				goto out;
			}
		}
	}
	list_add(&ghrsc->list, &ghvm->resources);
out:
	mutex_unlock(&ghvm->resources_lock);
}

static void gunyah_vm_free_resource(struct gunyah_resource *ghrsc)
{
	if (ghrsc->irq)
		irq_dispose_mapping(ghrsc->irq);
	kfree(ghrsc);
}

static int gunyah_vm_populate_resources(struct gunyah_vm *ghvm)
{
	struct gunyah_rm_hyp_resources *res;
	u32 i, n;
	int ret;

	ret = gunyah_rm_get_hyp_resources(ghvm->rm, ghvm->vmid, &res);
	if (ret)
		return ret;

	n = le32_to_cpu(res->n_entries);
	for (i = 0; i < n; i++) {
		const struct gunyah_rm_hyp_resource *e = &res->entries[i];
		struct gunyah_resource *ghrsc;
		u32 virq = le32_to_cpu(e->virq);

		ghrsc = kzalloc(sizeof(*ghrsc), GFP_KERNEL);
		if (!ghrsc) {
			ret = -ENOMEM;
			break;
		}
		ghrsc->type = e->type;
		ghrsc->capid = le64_to_cpu(e->cap_id);
		ghrsc->rm_label = le32_to_cpu(e->resource_label);
		if (virq) {
			ret = gunyah_rm_map_virq(ghvm->rm, virq);
			if (ret < 0) {
				kfree(ghrsc);
				break;
			}
			ghrsc->irq = ret;
			ret = 0;
		}
		gunyah_vm_add_resource(ghvm, ghrsc);
	}
	kfree(res);
	return ret;
}

static void gunyah_vm_clean_resources(struct gunyah_vm *ghvm)
{
	struct gunyah_vm_resource_ticket *ticket, *titer;
	struct gunyah_resource *ghrsc, *riter;

	mutex_lock(&ghvm->resources_lock);
	if (!list_empty(&ghvm->resource_tickets)) {
		dev_warn(ghvm->parent, "VM %u: resource tickets left at teardown\n", ghvm->vmid);
		list_for_each_entry_safe(ticket, titer, &ghvm->resource_tickets, vm_list) {
			list_for_each_entry_safe(ghrsc, riter, &ticket->resources, list) {
				ticket->unpopulate(ticket, ghrsc);
				list_move(&ghrsc->list, &ghvm->resources);
			}
			module_put(ticket->owner);
			list_del(&ticket->vm_list);
		}
	}
	list_for_each_entry_safe(ghrsc, riter, &ghvm->resources, list) {
		list_del(&ghrsc->list);
		gunyah_vm_free_resource(ghrsc);
	}
	mutex_unlock(&ghvm->resources_lock);
}

/*
 * An RM notification, in the context reading the RM's queue (maybe a
 * thread waiting for its own reply): record what it says about this VM
 * and wake its waiters; no RPC here.
 */
static int gunyah_vm_rm_notification(struct notifier_block *nb, unsigned long action, void *data)
{
	struct gunyah_vm *ghvm = container_of(nb, struct gunyah_vm, nb);
	const struct gunyah_rm_notification *n = data;
	const struct gunyah_rm_vm_exited_payload *exited = n->payload;
	const struct gunyah_rm_vm_status_payload *status = n->payload;
	size_t reason_size;

	/*
	 * The RM tells a parcel's owner when the recipient accepts it and
	 * when it is released (the real RM does both at start and at reset):
	 * nothing to do, the parcel's handle is all the driver needs.
	 */
	if (action == GUNYAH_RM_NOTIFICATION_MEM_RELEASED ||
	    action == GUNYAH_RM_NOTIFICATION_MEM_ACCEPTED) {
		const struct gunyah_rm_mem_notif_payload *mem = n->payload;

		if (n->size < sizeof(*mem) || ghvm->vmid == GUNYAH_VMID_INVAL ||
		    le16_to_cpu(mem->vmid) != ghvm->vmid)
			return NOTIFY_DONE;
		dev_dbg(ghvm->parent, "VM %u %s memory parcel %#x\n", ghvm->vmid,
			action == GUNYAH_RM_NOTIFICATION_MEM_RELEASED ? "released" : "accepted",
			le32_to_cpu(mem->mem_handle));
		return NOTIFY_STOP;
	}
	/* Both payloads start with the VMID and are at least 8 bytes. */
	if (action != GUNYAH_RM_NOTIFICATION_VM_EXITED &&
	    action != GUNYAH_RM_NOTIFICATION_VM_STATUS)
		return NOTIFY_DONE;
	if (n->size < sizeof(*status) || ghvm->vmid == GUNYAH_VMID_INVAL ||
	    le16_to_cpu(status->vmid) != ghvm->vmid)
		return NOTIFY_DONE;

	/*
	 * Teardown waits for these without holding status_lock, so the
	 * status is written without it; start holds the lock while it makes
	 * calls, and no notification about this VM moves it meanwhile.
	 */
	if (action == GUNYAH_RM_NOTIFICATION_VM_EXITED) {
		reason_size = min_t(size_t, le32_to_cpu(exited->exit_reason_size),
				    n->size - sizeof(*exited));
		ghvm->exit_info.type = le16_to_cpu(exited->exit_type);
		ghvm->exit_info.reason_size = le32_to_cpu(exited->exit_reason_size);
		memcpy(ghvm->exit_info.reason, exited->exit_reason,
		       min(reason_size, sizeof(ghvm->exit_info.reason)));
		if (READ_ONCE(ghvm->vm_status) == GUNYAH_RM_VM_STATUS_RUNNING)
			WRITE_ONCE(ghvm->vm_status, GUNYAH_RM_VM_STATUS_EXITED);
	} else if (status->vm_status == GUNYAH_RM_VM_STATUS_RESET) {
		WRITE_ONCE(ghvm->vm_status, GUNYAH_RM_VM_STATUS_RESET);
	}
	wake_up(&ghvm->vm_status_wait);
	return NOTIFY_STOP;
}

static bool gunyah_vm_boot_context_ok(u32 reg)
{
	u8 set = reg >> GUNYAH_VM_BOOT_CONTEXT_REG_SHIFT, index = reg & 0xff;

	if (reg >> 16)
		return false;
	switch (set) {
	case REG_SET_X:
		return index < 32;
	case REG_SET_PC:
		return index == 0;
	case REG_SET_SP:
		return index < 3;
	default:
		return false;
	}
}

static int gunyah_vm_set_boot_context_all(struct gunyah_vm *ghvm)
{
	unsigned long reg;
	u64 *value;
	int ret;

	xa_for_each(&ghvm->boot_context, reg, value) {
		ret = gunyah_rm_vm_set_boot_context(ghvm->rm, ghvm->vmid,
						    reg >> GUNYAH_VM_BOOT_CONTEXT_REG_SHIFT,
						    reg & 0xff, *value);
		if (ret == -EOPNOTSUPP) {
			dev_warn_once(ghvm->parent,
				      "the Resource Manager sets no boot context; VMs start at the entry it chooses\n");
			return 0;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Lent bindings other than the image are paged in on demand. */
static int gunyah_vm_set_demand_paging(struct gunyah_vm *ghvm,
				       struct gunyah_gmem_binding *image)
{
	struct gunyah_rm_mem_entry *ranges;
	int n, ret;

	mutex_lock(&ghvm->mem_lock);
	n = gunyah_vm_demand_paging_ranges(ghvm, image, &ranges);
	mutex_unlock(&ghvm->mem_lock);
	if (n <= 0)
		return n;
	ret = gunyah_rm_vm_set_demand_paging(ghvm->rm, ghvm->vmid, n, ranges);
	kfree(ranges);
	if (ret == -EOPNOTSUPP) {
		/* Such an RM has no demand paging: those accesses are MMIO. */
		dev_warn_once(ghvm->parent, "the Resource Manager has no demand paging\n");
		ret = 0;
	}
	return ret;
}

static bool gunyah_vm_addrspace_populate(struct gunyah_vm_resource_ticket *ticket,
					 struct gunyah_resource *ghrsc)
{
	struct gunyah_vm *ghvm = container_of(ticket, struct gunyah_vm, addrspace_ticket);

	WRITE_ONCE(ghvm->addrspace_capid, ghrsc->capid);
	return true;
}

static void gunyah_vm_addrspace_unpopulate(struct gunyah_vm_resource_ticket *ticket,
					   struct gunyah_resource *ghrsc)
{
	struct gunyah_vm *ghvm = container_of(ticket, struct gunyah_vm, addrspace_ticket);

	WRITE_ONCE(ghvm->addrspace_capid, GUNYAH_CAPID_INVAL);
}

static bool gunyah_vm_extent_populate(struct gunyah_vm_resource_ticket *ticket,
				      struct gunyah_resource *ghrsc)
{
	struct gunyah_vm *ghvm = container_of(ticket, struct gunyah_vm,
					      extent_tickets[ticket->label]);

	WRITE_ONCE(ghvm->extent_capids[ticket->label], ghrsc->capid);
	return true;
}

static void gunyah_vm_extent_unpopulate(struct gunyah_vm_resource_ticket *ticket,
					struct gunyah_resource *ghrsc)
{
	struct gunyah_vm *ghvm = container_of(ticket, struct gunyah_vm,
					      extent_tickets[ticket->label]);

	WRITE_ONCE(ghvm->extent_capids[ticket->label], GUNYAH_CAPID_INVAL);
}

/* Tickets for the address space and memory extents that demand paging uses. */
static int gunyah_vm_add_memory_tickets(struct gunyah_vm *ghvm)
{
	int ret, i;

	ghvm->addrspace_capid = GUNYAH_CAPID_INVAL;
	ghvm->addrspace_ticket = (struct gunyah_vm_resource_ticket){
		.resource_type = GUNYAH_RESOURCE_TYPE_ADDR_SPACE,
		.label = 0,
		.owner = THIS_MODULE,
		.populate = gunyah_vm_addrspace_populate,
		.unpopulate = gunyah_vm_addrspace_unpopulate,
	};
	ret = gunyah_vm_add_resource_ticket(ghvm, &ghvm->addrspace_ticket);
	if (ret)
		return ret;
	for (i = 0; i < 4; i++) {
		ghvm->extent_capids[i] = GUNYAH_CAPID_INVAL;
		ghvm->extent_tickets[i] = (struct gunyah_vm_resource_ticket){
			.resource_type = GUNYAH_RESOURCE_TYPE_MEM_EXTENT,
			.label = i,
			.owner = THIS_MODULE,
			.populate = gunyah_vm_extent_populate,
			.unpopulate = gunyah_vm_extent_unpopulate,
		};
		ret = gunyah_vm_add_resource_ticket(ghvm, &ghvm->extent_tickets[i]);
		if (ret)
			goto undo;
	}
	return 0;
undo:
	while (i--)
		gunyah_vm_remove_resource_ticket(ghvm, &ghvm->extent_tickets[i]);
	gunyah_vm_remove_resource_ticket(ghvm, &ghvm->addrspace_ticket);
	return ret;
}

static void gunyah_vm_remove_memory_tickets(struct gunyah_vm *ghvm)
{
	for (int i = 0; i < 4; i++)
		gunyah_vm_remove_resource_ticket(ghvm, &ghvm->extent_tickets[i]);
	gunyah_vm_remove_resource_ticket(ghvm, &ghvm->addrspace_ticket);
}

/*
 * The authentication mechanism the RM is told at VM_CONFIG_IMAGE: that of
 * GH_VM_ANDROID_SET_AUTH_TYPE, else Android protected VM firmware for a VM
 * with a firmware range, else none.
 */
static enum gunyah_rm_vm_auth_mechanism gunyah_vm_auth_mechanism(struct gunyah_vm *ghvm)
{
	if (ghvm->auth_set && ghvm->auth_type == GH_VM_AUTH_QCOM_TRUSTED_VM)
		return GUNYAH_RM_VM_AUTH_QCOM_PIL_ELF;
	if (ghvm->auth_set || ghvm->fw.size)
		return GUNYAH_RM_VM_AUTH_QCOM_ANDROID_PVM;
	return GUNYAH_RM_VM_AUTH_NONE;
}

static const char *gunyah_vm_auth_name(enum gunyah_rm_vm_auth_mechanism auth)
{
	switch (auth) {
	case GUNYAH_RM_VM_AUTH_QCOM_PIL_ELF:
		return "Qualcomm PIL ELF";
	case GUNYAH_RM_VM_AUTH_QCOM_ANDROID_PVM:
		return "Android protected VM";
	default:
		return "none";
	}
}

/* Configure the image; a refused authentication mechanism is -EOPNOTSUPP. */
static int gunyah_vm_config_image(struct gunyah_vm *ghvm, u32 image_handle, u64 dtb_offset,
				  u64 dtb_size)
{
	enum gunyah_rm_vm_auth_mechanism auth = gunyah_vm_auth_mechanism(ghvm);
	int ret;

	ret = gunyah_rm_vm_configure(ghvm->rm, ghvm->vmid, auth, image_handle, 0, 0, dtb_offset,
				     dtb_size);
	if (!ret || auth == GUNYAH_RM_VM_AUTH_NONE)
		return ret;
	/*
	 * The RM answers ARGUMENT_INVALID (or UNIMPLEMENTED) for a mechanism
	 * it cannot use; the offsets sent are inside the parcel by
	 * construction, so that is what such an answer means here.
	 */
	if (ret == -EINVAL || ret == -EOPNOTSUPP) {
		dev_warn(ghvm->parent,
			 "VM %u: RM cannot authenticate images with mechanism %u (%s)\n",
			 ghvm->vmid, auth, gunyah_vm_auth_name(auth));
		return -EOPNOTSUPP;
	}
	return ret;
}

/*
 * Where the firmware of GH_VM_ANDROID_SET_FW_CONFIG is: in a lent memory
 * region, or in the lent binding that holds the device tree, within the
 * part of it that is the image parcel.  Called with mem_lock held, before
 * the parcels are made; the parcel is looked up once it exists.
 */
static int gunyah_vm_find_firmware(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *dtb_binding,
				   struct gunyah_vm_mem_region **region)
{
	u64 gpa = ghvm->fw.guest_phys_addr, size = ghvm->fw.size;

	*region = gunyah_vm_find_mem_region(ghvm, gpa, size);
	if (*region) {
		if ((*region)->lend)
			return 0;
	} else if (dtb_binding && gpa >= dtb_binding->guest_addr &&
		   gpa + size - dtb_binding->guest_addr <=
		   min_t(u64, dtb_binding->size, GUNYAH_IMAGE_PARCEL_MAX)) {
		if (gunyah_binding_lends(dtb_binding))
			return 0;
	} else {
		dev_info_ratelimited(ghvm->parent,
				     "firmware %#llx+%#llx: in no memory given to the VM\n",
				     gpa, size);
		return -ENOENT;
	}
	dev_info_ratelimited(ghvm->parent,
			     "firmware %#llx+%#llx: must be in lent memory, not shared\n",
			     gpa, size);
	return -EINVAL;
}

/* Tell the RM which parcel holds the firmware (between CONFIG_IMAGE and VM_INIT). */
static int gunyah_vm_set_firmware(struct gunyah_vm *ghvm, struct gunyah_vm_mem_region *region,
				  struct gunyah_gmem_binding *dtb_binding)
{
	struct gunyah_rm_mem_parcel *parcel;
	u64 base;
	int ret;

	if (region) {
		parcel = &region->parcel;
		base = region->guest_phys_addr;
	} else {
		parcel = &dtb_binding->parcel;
		base = dtb_binding->guest_addr;
	}
	ret = gunyah_rm_vm_set_firmware_mem(ghvm->rm, ghvm->vmid, parcel,
					    ghvm->fw.guest_phys_addr - base, ghvm->fw.size);
	if (ret == -EOPNOTSUPP)
		dev_warn(ghvm->parent,
			 "VM %u: RM has no VM_SET_FIRMWARE_MEM: no protected VM firmware\n",
			 ghvm->vmid);
	else if (ret)
		dev_warn(ghvm->parent, "VM %u: RM refused the firmware: %d\n",
			 ghvm->vmid, ret);
	return ret;
}

/*
 * A VMM killed during GUNYAH_VM_START: stop between two steps.  Every RPC
 * made so far has completed (see rsc_mgr.c), so teardown knows what to
 * undo.
 */
static int gunyah_vm_start_killed(struct gunyah_vm *ghvm)
{
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/*
 * What an RM refusal at a step of the start means.  The RM's replies carry
 * a code and no text, so the log pairs the code with what this driver sent
 * at that step; the test platform's RM refuses for these reasons, as the
 * open-source RM does.
 */
static const struct {
	const char *step;
	int err;
	const char *why;
} gunyah_vm_start_refusals[] = {
	{ "MEM_LEND/MEM_SHARE", -ERANGE, "memory the host does not own, or already given away" },
	{ "MEM_LEND/MEM_SHARE", -ENOMEM, "the RM is out of parcels or memory for their tables" },
	{ "VM_CONFIG_IMAGE", -EINVAL,
	  "offsets outside the image parcel, or an authentication mechanism it cannot use" },
	{ "VM_CONFIG_IMAGE", -ERANGE, "the image parcel is empty or not the VM's" },
	{ "VM_INIT", -ERANGE,
	  "the device tree region is not whole pages inside the image parcel, or its tree is bad" },
	{ "VM_INIT", -ENOEXEC,
	  "the device tree: no cpus, two cpus with one MPIDR, or a config node it cannot parse" },
	{ "VM_INIT", -ENODEV, "more vCPUs or doorbells than it can give a VM" },
	{ "VM_START", -ENODEV,
	  "the device tree has no arm,gic-v3 interrupt-controller with #interrupt-cells = <3>" },
	{ NULL, -EBADFD, "the VM is not in the state that step needs" },
	{ NULL, -EPERM, "the host may not do that to this VM" },
};

/*
 * Log why the start failed: the step, the RM's code if the errno is one of
 * theirs, and what that code means at that step.
 */
static void gunyah_vm_start_failed(struct gunyah_vm *ghvm, const char *step, int ret)
{
	const char *rm_error = step ? gunyah_rm_error_name(ret) : NULL;
	const char *why = "";
	char vm[16] = "VM";

	if (ghvm->vmid != GUNYAH_VMID_INVAL)
		snprintf(vm, sizeof(vm), "VM %u", ghvm->vmid);
	if (!rm_error || ret == -EINTR) {
		dev_warn(ghvm->parent, "%s failed to start: %d%s%s\n", vm, ret,
			 step ? " at " : "", step ?: "");
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(gunyah_vm_start_refusals); i++)
		if (gunyah_vm_start_refusals[i].err == ret &&
		    (!gunyah_vm_start_refusals[i].step ||
		     !strcmp(gunyah_vm_start_refusals[i].step, step))) {
			why = gunyah_vm_start_refusals[i].why;
			break;
		}
	dev_warn(ghvm->parent, "%s failed to start at %s: %d (RM: %s)%s%s\n", vm, step, ret,
		 rm_error, *why ? ": " : "", why);
}

/*
 * How much of binding @b, from its start, becomes the image parcel.  When
 * @b is lent and the RM pages guests in on demand, only the device tree's
 * region (and the firmware, if it lies in @b) need be in the parcel; the
 * rest of the binding comes page by page as the guest touches it, so that
 * the start costs the same for a 16 MiB and a 16 GiB guest.  Otherwise the
 * parcel is the guest's memory: the first GUNYAH_IMAGE_PARCEL_MAX bytes.
 * (A shared binding fills in on MMIO exits, which an access without a
 * syndrome, such as a load pair, cannot take: a guest kernel would fail.)
 */
static u64 gunyah_vm_parcel_size(struct gunyah_vm *ghvm, struct gunyah_gmem_binding *b,
				 u64 dtb_size, bool fw_in_b)
{
	u64 most = min_t(u64, b->size, GUNYAH_IMAGE_PARCEL_MAX), end;

	if (!gunyah_binding_lends(b) || !gunyah_rm_demand_paging(ghvm->rm))
		return most;
	end = ghvm->dtb.guest_phys_addr + dtb_size - b->guest_addr;
	if (fw_in_b)
		end = max(end, ghvm->fw.guest_phys_addr + ghvm->fw.size - b->guest_addr);
	return min(PAGE_ALIGN(end), most);
}

/*
 * An RPC that got no clear answer: the caller was killed, the RM stayed
 * silent, or its reply could not be read.  The RM may have done it.
 */
static bool gunyah_rm_outcome_unknown(int ret)
{
	return ret == -EINTR || ret == -ETIMEDOUT || ret == -EBADMSG;
}

/* The start sequence, called with status_lock held for writing. */
static int gunyah_vm_start(struct gunyah_vm *ghvm)
{
	struct gunyah_vm_mem_region *dtb_region, *fw_region = NULL;
	struct gunyah_gmem_binding *dtb_binding = NULL;
	u64 image_base, image_size, dtb_size;
	const char *step = NULL;
	u32 image_handle;
	u16 host_vmid;
	int ret;

	if (!ghvm->dtb.size)
		return -EINVAL;
	/*
	 * The RM maps the device tree's region in whole pages and grows the
	 * tree there at start: it must begin on a page, and it ends on one.
	 */
	if (!PAGE_ALIGNED(ghvm->dtb.guest_phys_addr)) {
		dev_info_ratelimited(ghvm->parent,
				     "the device tree must start on a page boundary (at %#llx)\n",
				     ghvm->dtb.guest_phys_addr);
		return -EINVAL;
	}
	dtb_size = PAGE_ALIGN(ghvm->dtb.size);
	/* The device tree is in a user memory region or a guest memory binding. */
	mutex_lock(&ghvm->mem_lock);
	dtb_region = gunyah_vm_find_mem_region(ghvm, ghvm->dtb.guest_phys_addr, dtb_size);
	if (!dtb_region)
		dtb_binding = gunyah_vm_find_binding(ghvm, ghvm->dtb.guest_phys_addr, dtb_size);
	ret = 0;
	if ((dtb_region || dtb_binding) && ghvm->fw.size)
		ret = gunyah_vm_find_firmware(ghvm, dtb_binding, &fw_region);
	mutex_unlock(&ghvm->mem_lock);
	if (!dtb_region && !dtb_binding)
		return -ENOENT;
	if (ret)
		return ret;
	if (dtb_binding && ghvm->dtb.guest_phys_addr + dtb_size - dtb_binding->guest_addr >
			   GUNYAH_IMAGE_PARCEL_MAX) {
		dev_info_ratelimited(ghvm->parent,
				     "the device tree must be within %u MiB of the start of its binding\n",
				     GUNYAH_IMAGE_PARCEL_MAX / SZ_1M);
		return -EINVAL;
	}
	/* The host's own VMID, for the ACL of shared memory. */
	step = "VM_GET_VMID";
	ret = gunyah_rm_host_vmid(ghvm->rm, &host_vmid);
	if (ret)
		goto err;

	step = "VM_ALLOC_VMID";
	ret = gunyah_rm_alloc_vmid(ghvm->rm, 0);
	if (ret < 0)
		goto err;
	ghvm->vmid = ret;
	ghvm->vm_status = GUNYAH_RM_VM_STATUS_LOAD;

	step = "MEM_LEND/MEM_SHARE";
	ret = gunyah_vm_start_killed(ghvm);
	if (!ret)
		ret = gunyah_vm_share_mem_regions(ghvm, host_vmid);
	if (!ret && dtb_binding) {
		u64 parcel = gunyah_vm_parcel_size(ghvm, dtb_binding, dtb_size,
						   ghvm->fw.size && !fw_region);

		ret = gunyah_vm_share_binding(ghvm, dtb_binding, parcel, host_vmid);
	}
	if (ret)
		goto err;
	if (dtb_region) {
		image_base = dtb_region->guest_phys_addr;
		image_size = dtb_region->size;
		image_handle = dtb_region->parcel.mem_handle;
	} else {
		image_base = dtb_binding->guest_addr;
		image_size = dtb_binding->parcel_size;
		image_handle = dtb_binding->parcel.mem_handle;
	}

	step = "VM_CONFIG_IMAGE";
	ret = gunyah_vm_config_image(ghvm, image_handle, ghvm->dtb.guest_phys_addr - image_base,
				     dtb_size);
	/* No clear answer: the RM may have taken it (see gunyah_vm_leave_init()). */
	if (!ret || gunyah_rm_outcome_unknown(ret))
		ghvm->vm_status = GUNYAH_RM_VM_STATUS_INIT;
	if (ret)
		goto err;

	if (ghvm->fw.size) {
		step = "VM_SET_FIRMWARE_MEM";
		ret = gunyah_vm_set_firmware(ghvm, fw_region, dtb_binding);
		if (ret)
			goto err;
	}

	step = "VM_SET_DEMAND_PAGING";
	ret = gunyah_vm_set_demand_paging(ghvm, dtb_binding);
	if (ret)
		goto err;

	step = "VM_SET_ADDRESS_LAYOUT";
	ret = gunyah_rm_vm_set_address_layout(ghvm->rm, ghvm->vmid, GUNYAH_RM_RANGE_ID_IMAGE,
					      image_base, image_size);
	if (ret == -EOPNOTSUPP) {
		/* The open-source RM places the image from the VM's device tree. */
		dev_dbg(ghvm->parent, "RM has no address layout RPC\n");
		ret = 0;
	}
	if (ret)
		goto err;

	step = "VM_INIT";
	ret = gunyah_vm_start_killed(ghvm);
	if (ret)
		goto err;
	ret = gunyah_rm_vm_init(ghvm->rm, ghvm->vmid);
	if (ret) {
		ghvm->vm_status = GUNYAH_RM_VM_STATUS_INIT_FAILED;
		goto err;
	}
	ghvm->vm_status = GUNYAH_RM_VM_STATUS_READY;

	/* A protected VM starts in its firmware: no boot context for it. */
	step = "VM_SET_BOOT_CONTEXT";
	ret = ghvm->fw.size ? 0 : gunyah_vm_set_boot_context_all(ghvm);
	if (ret)
		goto err;

	step = "VM_GET_HYP_RESOURCES";
	ret = gunyah_vm_populate_resources(ghvm) ?: gunyah_vm_start_killed(ghvm);
	if (ret)
		goto err;

	/*
	 * RUNNING first: the VM may exit (and say so) before the reply is
	 * processed here.  Only a clear refusal means it did not start.
	 */
	WRITE_ONCE(ghvm->vm_status, GUNYAH_RM_VM_STATUS_RUNNING);
	step = "VM_START";
	ret = gunyah_rm_vm_start(ghvm->rm, ghvm->vmid);
	if (ret && !gunyah_rm_outcome_unknown(ret))
		cmpxchg(&ghvm->vm_status, GUNYAH_RM_VM_STATUS_RUNNING, GUNYAH_RM_VM_STATUS_READY);
	if (ret)
		goto err;
	return 0;

err:
	gunyah_vm_start_failed(ghvm, step, ret);
	return ret;
}

static int gunyah_vm_ensure_started(struct gunyah_vm *ghvm)
{
	int ret;

	ret = down_write_killable(&ghvm->status_lock);
	if (ret)
		return ret;
	if (ghvm->vmid == GUNYAH_VMID_INVAL) {
		ret = gunyah_vm_start(ghvm);
	} else {
		/* Started before: fine if running, else it failed for good. */
		ret = ghvm->vm_status == GUNYAH_RM_VM_STATUS_RUNNING ? 0 : -ENODEV;
	}
	up_write(&ghvm->status_lock);
	return ret;
}

/*
 * GH_VM_ANDROID_SET_AUTH_TYPE: how the RM is to authenticate the image,
 * told at VM_CONFIG_IMAGE.  The argument (the image's range and the
 * identifiers it is signed for) is kept for the RM's authentication step;
 * the Resource Managers this driver knows take no further data for it.
 */
static long gunyah_vm_set_auth_type(struct gunyah_vm *ghvm, void __user *argp)
{
	struct gh_vm_auth_pvm_arg arg;
	struct gh_vm_auth_type desc;
	long r;

	if (copy_from_user(&desc, argp, sizeof(desc)))
		return -EFAULT;
	if (desc.type > GH_VM_AUTH_QCOM_TRUSTED_VM || desc.arg_size != sizeof(arg))
		return -EINVAL;
	if (copy_from_user(&arg, u64_to_user_ptr(desc.arg), sizeof(arg)))
		return -EFAULT;
	if (!PAGE_ALIGNED(arg.guest_phys_addr) || !PAGE_ALIGNED(arg.size))
		return -EINVAL;
	if (arg.guest_phys_addr + arg.size < arg.guest_phys_addr)
		return -EOVERFLOW;
	down_write(&ghvm->status_lock);
	if (ghvm->vmid != GUNYAH_VMID_INVAL) {
		r = -EBUSY;
	} else {
		ghvm->auth_set = true;
		ghvm->auth_type = desc.type;
		ghvm->auth_arg = arg;
		r = 0;
	}
	up_write(&ghvm->status_lock);
	return r;
}

#define GH_MEM_CMA_RIGHTS	(GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE | GH_MEM_ALLOW_EXEC)
#define GH_MEM_CMA_FLAGS	(GH_MEM_CMA_RIGHTS | GH_MEM_FORCE_LEND | GH_MEM_FORCE_SHARE)

/*
 * The checks of GH_VM_ANDROID_MAP_CMA_MEM that need neither the file nor
 * mem_lock, each with its log line.
 */
static int gunyah_vm_cma_args_ok(struct gunyah_vm *ghvm, const struct gh_map_cma_mem_args *a)
{
	u64 end;

	if (a->flags & ~GH_MEM_CMA_FLAGS) {
		dev_info_ratelimited(ghvm->parent, "MAP_CMA_MEM: unknown flags %#x\n",
				     a->flags & ~(u32)GH_MEM_CMA_FLAGS);
		return -EINVAL;
	}
	if (!(a->flags & GH_MEM_CMA_RIGHTS)) {
		dev_info_ratelimited(ghvm->parent, "MAP_CMA_MEM: no access right in flags %#x\n",
				     a->flags);
		return -EINVAL;
	}
	if ((a->flags & GH_MEM_FORCE_LEND) && (a->flags & GH_MEM_FORCE_SHARE)) {
		dev_info_ratelimited(ghvm->parent,
				     "MAP_CMA_MEM: flags %#x ask to lend and to share\n", a->flags);
		return -EINVAL;
	}
	if (!a->size) {
		dev_info_ratelimited(ghvm->parent, "MAP_CMA_MEM: size 0\n");
		return -EINVAL;
	}
	if (check_add_overflow(a->guest_addr, a->size, &end) ||
	    check_add_overflow(a->offset, a->size, &end)) {
		dev_info_ratelimited(ghvm->parent,
				     "MAP_CMA_MEM: %#llx+%#llx at offset %#llx wraps around\n",
				     a->guest_addr, a->size, a->offset);
		return -EOVERFLOW;
	}
	return 0;
}

/* Whether the label or the guest range of @a is taken; under mem_lock. */
static int gunyah_vm_cma_in_use(struct gunyah_vm *ghvm, const struct gh_map_cma_mem_args *a)
{
	struct gunyah_vm_mem_region *region;
	struct gunyah_gmem_binding *b;

	list_for_each_entry(region, &ghvm->mem_regions, list) {
		if (region->label == a->label) {
			dev_info_ratelimited(ghvm->parent,
					     "MAP_CMA_MEM: label %u is a user memory region's\n",
					     a->label);
			return -EEXIST;
		}
		if (a->guest_addr < region->guest_phys_addr + region->size &&
		    region->guest_phys_addr < a->guest_addr + a->size) {
			dev_info_ratelimited(ghvm->parent,
					     "MAP_CMA_MEM: %#llx+%#llx overlaps user memory region %u\n",
					     a->guest_addr, a->size, region->label);
			return -EEXIST;
		}
	}
	list_for_each_entry(b, &ghvm->bindings, vm_list) {
		if (b->labelled && b->label == a->label) {
			dev_info_ratelimited(ghvm->parent,
					     "MAP_CMA_MEM: label %u is already mapped\n", a->label);
			return -EEXIST;
		}
	}
	return 0;
}

/**
 * gunyah_vm_map_cma_mem() - GH_VM_ANDROID_MAP_CMA_MEM
 * @ghvm: the VM
 * @argp: &struct gh_map_cma_mem_args from user space
 *
 * Android's VMMs (crosvm, for the first file-backed region of a Qualcomm
 * trusted VM) hand over physically contiguous memory this way: a file from
 * a CMA heap, a range of it, a guest address and a parcel label.  Here the
 * file is a guest memory file (GUNYAH_CREATE_GUEST_MEM): the range becomes
 * a guest memory binding like one of GUNYAH_VM_MAP_MEM, with the flags
 * translated (GH_MEM_ALLOW_* to GUNYAH_MEM_ALLOW_*, GH_MEM_FORCE_LEND or
 * _SHARE to GUNYAH_MEM_FORCE_LEND or _SHARE, neither to the default, lend)
 * and @label as the label of its parcel.  As with GH_VM_ANDROID_LEND_USER_MEM,
 * the VMM may keep the memory mapped (crosvm writes its payload there): a
 * lent binding's pages are unmapped from user space at start, where a
 * GUNYAH_VM_MAP_MEM binding would be refused, and an access from the host
 * then gets SIGBUS until they are reclaimed.  A guest memory file is used
 * because it is what keeps lent memory safe from the host here (no user
 * mapping of a lent page, SIGBUS on access, pages freed only once
 * reclaimed); a CMA heap buffer would have to rebuild all of that.
 *
 * What is not guaranteed is physical contiguity.  With GHMF_ALLOW_HUGEPAGE
 * (the binding must then be 2 MiB aligned) each 2 MiB of the file is one
 * physically contiguous folio when the host had a free 2 MiB block when it
 * was first touched, else 4 KiB pages; without it, 4 KiB pages.  Contiguous
 * pages are merged into one entry of the memory parcel, so a huge-page file
 * gives the RM few large entries, but no CMA area is reserved and nothing
 * fails for want of contiguous memory.  The guest sees a contiguous guest
 * physical range either way.
 *
 * Like GUNYAH_VM_MAP_MEM, also allowed once the VM runs; the binding is then
 * paged in (lent) or shared on access and its label is not used.  The
 * @reserved word is ignored: crosvm's binding of the structure has padding
 * there that it does not initialise.
 *
 * Return: 0; -EFAULT; -EINVAL for unknown flags, no access right, both
 * FORCE_LEND and FORCE_SHARE, size 0, an fd that is not a guest memory
 * file, a range not aligned for the file or beyond its end; -EBADF for an
 * fd that is not open; -EOVERFLOW for a range that wraps around; -EEXIST
 * for a label or guest range in use, or a file range bound already.  Each
 * error but -EFAULT is logged with its reason.
 */
static long gunyah_vm_map_cma_mem(struct gunyah_vm *ghvm, void __user *argp)
{
	struct gh_map_cma_mem_args a;
	struct gunyah_map_mem_args map;
	struct file *file;
	u64 align;
	long r;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	r = gunyah_vm_cma_args_ok(ghvm, &a);
	if (r)
		return r;
	file = fget(a.guest_mem_fd);
	if (!file) {
		dev_info_ratelimited(ghvm->parent, "MAP_CMA_MEM: fd %u is not open\n",
				     a.guest_mem_fd);
		return -EBADF;
	}
	align = gunyah_gmem_bind_align(file);
	if (!align) {
		dev_info_ratelimited(ghvm->parent,
				     "MAP_CMA_MEM: fd %u is not a guest memory file\n",
				     a.guest_mem_fd);
		r = -EINVAL;
	} else if (!IS_ALIGNED(a.guest_addr | a.offset | a.size, align)) {
		dev_info_ratelimited(ghvm->parent,
				     "MAP_CMA_MEM: %#llx+%#llx at offset %#llx is not %llu KiB aligned\n",
				     a.guest_addr, a.size, a.offset, align / SZ_1K);
		r = -EINVAL;
	} else if (a.offset + a.size > i_size_read(file_inode(file))) {
		dev_info_ratelimited(ghvm->parent,
				     "MAP_CMA_MEM: offset %#llx+%#llx is beyond the file's end (%#llx)\n",
				     a.offset, a.size, (u64)i_size_read(file_inode(file)));
		r = -EINVAL;
	}
	if (r)
		goto out;

	map = (struct gunyah_map_mem_args){
		.guest_addr = a.guest_addr,
		.flags = (a.flags & GH_MEM_ALLOW_READ ? GUNYAH_MEM_ALLOW_READ : 0) |
			 (a.flags & GH_MEM_ALLOW_WRITE ? GUNYAH_MEM_ALLOW_WRITE : 0) |
			 (a.flags & GH_MEM_ALLOW_EXEC ? GUNYAH_MEM_ALLOW_EXEC : 0) |
			 (a.flags & GH_MEM_FORCE_LEND ? GUNYAH_MEM_FORCE_LEND : 0) |
			 (a.flags & GH_MEM_FORCE_SHARE ? GUNYAH_MEM_FORCE_SHARE : 0),
		.guest_mem_fd = a.guest_mem_fd,
		.offset = a.offset,
		.size = a.size,
	};
	mutex_lock(&ghvm->mem_lock);
	r = gunyah_vm_cma_in_use(ghvm, &a);
	if (!r) {
		r = gunyah_vm_bind_labelled(ghvm, &map, file, a.label);
		if (r == -EEXIST)
			dev_info_ratelimited(ghvm->parent,
					     "MAP_CMA_MEM: %#llx+%#llx or offset %#llx of the file is bound already\n",
					     a.guest_addr, a.size, a.offset);
		else if (r)
			dev_info_ratelimited(ghvm->parent, "MAP_CMA_MEM: binding refused: %ld\n",
					     r);
	}
	mutex_unlock(&ghvm->mem_lock);
out:
	fput(file);
	return r;
}

static long gunyah_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct gunyah_vm *ghvm = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	switch (cmd) {
	case GUNYAH_VM_SET_DTB_CONFIG: {
		struct gunyah_vm_dtb_config dtb;

		if (copy_from_user(&dtb, argp, sizeof(dtb)))
			return -EFAULT;
		if (dtb.guest_phys_addr + dtb.size < dtb.guest_phys_addr)
			return -EOVERFLOW;
		down_write(&ghvm->status_lock);
		if (ghvm->vmid != GUNYAH_VMID_INVAL) {
			r = -EBUSY;
		} else {
			ghvm->dtb = dtb;
			r = 0;
		}
		up_write(&ghvm->status_lock);
		return r;
	}
	case GUNYAH_VM_START:
		return gunyah_vm_ensure_started(ghvm);
	case GUNYAH_VM_ADD_FUNCTION: {
		struct gunyah_fn_desc f;

		if (copy_from_user(&f, argp, sizeof(f)))
			return -EFAULT;
		return gunyah_vm_add_function(ghvm, &f);
	}
	case GUNYAH_VM_REMOVE_FUNCTION: {
		struct gunyah_fn_desc f;

		if (copy_from_user(&f, argp, sizeof(f)))
			return -EFAULT;
		return gunyah_vm_rm_function(ghvm, &f);
	}
	case GUNYAH_VM_SET_BOOT_CONTEXT: {
		struct gunyah_vm_boot_context ctx;
		u64 *value;

		if (copy_from_user(&ctx, argp, sizeof(ctx)))
			return -EFAULT;
		if (ctx.reserved || !gunyah_vm_boot_context_ok(ctx.reg))
			return -EINVAL;
		down_write(&ghvm->status_lock);
		if (ghvm->vmid != GUNYAH_VMID_INVAL) {
			r = -EINVAL;
			goto out_ctx;
		}
		value = xa_load(&ghvm->boot_context, ctx.reg);
		if (!value) {
			value = kmalloc(sizeof(*value), GFP_KERNEL);
			if (!value) {
				r = -ENOMEM;
				goto out_ctx;
			}
			r = xa_err(xa_store(&ghvm->boot_context, ctx.reg, value, GFP_KERNEL));
			if (r) {
				kfree(value);
				goto out_ctx;
			}
		}
		*value = ctx.value;
		r = 0;
out_ctx:
		up_write(&ghvm->status_lock);
		return r;
	}
	case GUNYAH_VM_MAP_MEM: {
		struct gunyah_map_mem_args args;

		if (copy_from_user(&args, argp, sizeof(args)))
			return -EFAULT;
		return gunyah_vm_map_mem(ghvm, &args);
	}
	case GH_VM_ANDROID_SET_FW_CONFIG: {
		struct gunyah_vm_firmware_config fw;

		if (copy_from_user(&fw, argp, sizeof(fw)))
			return -EFAULT;
		if (!fw.size || !PAGE_ALIGNED(fw.guest_phys_addr) || !PAGE_ALIGNED(fw.size))
			return -EINVAL;
		if (fw.guest_phys_addr + fw.size < fw.guest_phys_addr)
			return -EOVERFLOW;
		down_write(&ghvm->status_lock);
		if (ghvm->vmid != GUNYAH_VMID_INVAL) {
			r = -EBUSY;
		} else {
			ghvm->fw = fw;
			r = 0;
		}
		up_write(&ghvm->status_lock);
		return r;
	}
	case GH_VM_ANDROID_SET_AUTH_TYPE:
		return gunyah_vm_set_auth_type(ghvm, argp);
	case GH_VM_ANDROID_MAP_CMA_MEM:
		return gunyah_vm_map_cma_mem(ghvm, argp);
	case GH_VM_RECLAIM_REGION: {
		struct gh_vm_reclaim_region rr;

		if (copy_from_user(&rr, argp, sizeof(rr)))
			return -EFAULT;
		return gunyah_vm_reclaim_region(ghvm, rr.guest_phys_addr, rr.size);
	}
	case GH_VM_SET_USER_MEM_REGION:
	case GH_VM_ANDROID_LEND_USER_MEM: {
		struct gh_userspace_memory_region region;

		if (copy_from_user(&region, argp, sizeof(region)))
			return -EFAULT;
		if (current->mm != ghvm->mm)
			return -EPERM;
		down_read(&ghvm->status_lock);
		r = ghvm->vmid == GUNYAH_VMID_INVAL ?
		    gunyah_vm_add_mem_region(ghvm, &region, cmd == GH_VM_ANDROID_LEND_USER_MEM) :
		    -EBUSY;
		up_read(&ghvm->status_lock);
		return r;
	}
	default:
		return -ENOTTY;
	}
}

/**
 * gunyah_vm_get() - take a reference on a VM
 * @ghvm: the VM
 *
 * Return: false if the VM is already being destroyed.
 */
bool gunyah_vm_get(struct gunyah_vm *ghvm)
{
	return kref_get_unless_zero(&ghvm->kref);
}
EXPORT_SYMBOL_GPL(gunyah_vm_get);

/*
 * Wait for the VM to reach @status; false after the timeout.  The RM's
 * notification ends work it does after its reply (a reset scrubs
 * and releases the VM's memory first): wait as long as for a reply, and at
 * least GUNYAH_VM_STOP_TIMEOUT.  The real RM under TCG was seen to take 13 s
 * for the reset of a 16 MiB lent VM.
 */
static bool gunyah_vm_wait_status(struct gunyah_vm *ghvm, enum gunyah_rm_vm_status status)
{
	return wait_event_timeout(ghvm->vm_status_wait, READ_ONCE(ghvm->vm_status) == status,
				  max(GUNYAH_VM_STOP_TIMEOUT, gunyah_rm_timeout()));
}

static void gunyah_vm_stop(struct gunyah_vm *ghvm)
{
	int ret;

	ret = gunyah_rm_vm_stop(ghvm->rm, ghvm->vmid);
	if (ret)
		dev_warn(ghvm->parent, "VM %u: stop failed: %d\n", ghvm->vmid, ret);
	if (ret || !gunyah_vm_wait_status(ghvm, GUNYAH_RM_VM_STATUS_EXITED)) {
		if (!ret)
			dev_warn(ghvm->parent, "VM %u: no exit notification after stop\n",
				 ghvm->vmid);
		WRITE_ONCE(ghvm->vm_status, GUNYAH_RM_VM_STATUS_EXITED);
	}
}

/*
 * A VM the RM holds configured (CONFIG_IMAGE taken, no VM_INIT yet: the
 * start failed or was killed in between) can be neither reset nor
 * deallocated there; the open-source RM refuses both with VM_STATE and the
 * VMID would stay taken.  VM_INIT moves it on, to READY or INIT_FAILED,
 * from where VM_RESET takes it.  VM_STATE for the VM_INIT means the RM never
 * took the configuration (its CONFIG_IMAGE got no clear answer): it is
 * still LOAD, and deallocated as it is.
 */
static void gunyah_vm_leave_init(struct gunyah_vm *ghvm)
{
	int ret = gunyah_rm_vm_init(ghvm->rm, ghvm->vmid);

	if (ret == -EBADFD) {
		ghvm->vm_status = GUNYAH_RM_VM_STATUS_LOAD;
		return;
	}
	/* Even without a reply: the RM handles the reset after the VM_INIT. */
	ghvm->vm_status = ret ? GUNYAH_RM_VM_STATUS_INIT_FAILED : GUNYAH_RM_VM_STATUS_READY;
	if (ret)
		dev_dbg(ghvm->parent, "VM %u: VM_INIT for its teardown: %d\n", ghvm->vmid, ret);
}

static void gunyah_vm_destroy(struct gunyah_vm *ghvm)
{
	struct gunyah_vm_function_instance *inst, *iter;
	unsigned long reg;
	u64 *value;
	int ret;

	if (ghvm->vm_status == GUNYAH_RM_VM_STATUS_RUNNING)
		gunyah_vm_stop(ghvm);

	mutex_lock(&ghvm->fn_lock);
	list_for_each_entry_safe(inst, iter, &ghvm->functions, vm_list)
		gunyah_vm_remove_function_instance(inst);
	mutex_unlock(&ghvm->fn_lock);
	/* Pages given one by one go back while the extents are still valid. */
	gunyah_vm_reclaim_pages(ghvm);
	gunyah_vm_remove_memory_tickets(ghvm);
	gunyah_vm_clean_resources(ghvm);

	if (ghvm->vm_status == GUNYAH_RM_VM_STATUS_INIT)
		gunyah_vm_leave_init(ghvm);
	switch (ghvm->vm_status) {
	case GUNYAH_RM_VM_STATUS_EXITED:
	case GUNYAH_RM_VM_STATUS_READY:
	case GUNYAH_RM_VM_STATUS_INIT_FAILED:
		/* The RM announces the end of the reset with VM_STATUS(RESET). */
		ret = gunyah_rm_vm_reset(ghvm->rm, ghvm->vmid);
		if (!ret && !gunyah_vm_wait_status(ghvm, GUNYAH_RM_VM_STATUS_RESET)) {
			dev_warn(ghvm->parent, "VM %u: reset did not complete\n", ghvm->vmid);
			ret = -ETIMEDOUT;
		}
		if (ret)
			dev_warn(ghvm->parent, "VM %u: reset failed: %d\n", ghvm->vmid, ret);
		break;
	default:
		break;
	}

	gunyah_rm_notifier_unregister(ghvm->rm, &ghvm->nb);
	gunyah_vm_reclaim_mem_regions(ghvm);
	gunyah_vm_reclaim_bindings(ghvm);

	if (ghvm->vmid != GUNYAH_VMID_INVAL) {
		ret = gunyah_rm_dealloc_vmid(ghvm->rm, ghvm->vmid);
		if (ret)
			dev_warn(ghvm->parent, "VM %u: dealloc failed: %d\n", ghvm->vmid, ret);
	}

	gunyah_vm_free_mem_regions(ghvm);
	gunyah_vm_free_bindings(ghvm);
	xa_for_each(&ghvm->boot_context, reg, value)
		kfree(value);
	xa_destroy(&ghvm->boot_context);
	mmdrop(ghvm->mm);
	gunyah_rm_put(ghvm->rm);
	kfree(ghvm);
}

static void _gunyah_vm_put(struct kref *kref)
{
	gunyah_vm_destroy(container_of(kref, struct gunyah_vm, kref));
}

/**
 * gunyah_vm_put() - drop a reference taken with gunyah_vm_get()
 * @ghvm: the VM; destroyed with its last reference
 */
void gunyah_vm_put(struct gunyah_vm *ghvm)
{
	kref_put(&ghvm->kref, _gunyah_vm_put);
}
EXPORT_SYMBOL_GPL(gunyah_vm_put);

static int gunyah_vm_release(struct inode *inode, struct file *filp)
{
	gunyah_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations gunyah_vm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gunyah_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = gunyah_vm_release,
	.llseek = noop_llseek,
};

static long gunyah_dev_create_vm(struct gunyah_vm_mgr *mgr, unsigned long arg)
{
	struct gunyah_vm *ghvm;
	struct file *file;
	int fd, ret;

	if (arg)
		return -EINVAL;

	ghvm = kzalloc(sizeof(*ghvm), GFP_KERNEL);
	if (!ghvm)
		return -ENOMEM;
	ghvm->mgr = mgr;
	ghvm->rm = mgr->rm;
	ghvm->parent = gunyah_rm_get(mgr->rm);
	ghvm->vmid = GUNYAH_VMID_INVAL;
	ghvm->mm = current->mm;
	mmgrab(ghvm->mm);
	kref_init(&ghvm->kref);
	init_rwsem(&ghvm->status_lock);
	init_waitqueue_head(&ghvm->vm_status_wait);
	ghvm->nb.notifier_call = gunyah_vm_rm_notification;
	mutex_init(&ghvm->fn_lock);
	INIT_LIST_HEAD(&ghvm->functions);
	mutex_init(&ghvm->resources_lock);
	INIT_LIST_HEAD(&ghvm->resources);
	INIT_LIST_HEAD(&ghvm->resource_tickets);
	mutex_init(&ghvm->mem_lock);
	INIT_LIST_HEAD(&ghvm->mem_regions);
	INIT_LIST_HEAD(&ghvm->bindings);
	xa_init(&ghvm->boot_context);
	rwlock_init(&ghvm->io_lock);
	ghvm->io_handlers = RB_ROOT;

	ret = gunyah_vm_add_memory_tickets(ghvm);
	if (ret)
		goto err_free;
	ret = gunyah_rm_notifier_register(ghvm->rm, &ghvm->nb);
	if (ret)
		goto err_tickets;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_nb;
	}
	file = anon_inode_getfile("gunyah-vm", &gunyah_vm_fops, ghvm, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		put_unused_fd(fd);
		goto err_nb;
	}
	fd_install(fd, file);
	return fd;

err_nb:
	gunyah_rm_notifier_unregister(ghvm->rm, &ghvm->nb);
err_tickets:
	gunyah_vm_remove_memory_tickets(ghvm);
err_free:
	mmdrop(ghvm->mm);
	gunyah_rm_put(ghvm->rm);
	kfree(ghvm);
	return ret;
}

static long gunyah_dev_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct gunyah_vm_mgr *mgr = container_of(filp->private_data, struct gunyah_vm_mgr,
						 miscdev);

	switch (cmd) {
	case GUNYAH_CREATE_VM:
		return gunyah_dev_create_vm(mgr, arg);
	case GUNYAH_CREATE_GUEST_MEM: {
		struct gunyah_create_mem_args args;

		if (copy_from_user(&args, (void __user *)arg, sizeof(args)))
			return -EFAULT;
		return gunyah_guest_mem_create(&args);
	}
	default:
		return -ENOTTY;
	}
}

static const struct file_operations gunyah_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gunyah_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * gunyah_vm_mgr_create() - register /dev/gunyah for a Resource Manager
 * @rm: the Resource Manager
 *
 * Return: the VM manager, or an ERR_PTR.
 */
struct gunyah_vm_mgr *gunyah_vm_mgr_create(struct gunyah_rm *rm)
{
	struct gunyah_vm_mgr *mgr;
	int ret;

	mgr = kzalloc(sizeof(*mgr), GFP_KERNEL);
	if (!mgr)
		return ERR_PTR(-ENOMEM);
	mgr->rm = rm;
	mgr->miscdev.name = "gunyah";
	mgr->miscdev.minor = MISC_DYNAMIC_MINOR;
	mgr->miscdev.fops = &gunyah_dev_fops;
	mgr->miscdev.parent = gunyah_rm_device(rm);
	ret = misc_register(&mgr->miscdev);
	if (ret) {
		kfree(mgr);
		return ERR_PTR(ret);
	}
	return mgr;
}

/**
 * gunyah_vm_mgr_destroy() - unregister /dev/gunyah
 * @mgr: from gunyah_vm_mgr_create()
 *
 * Open VM files keep the module (and so the RM) alive, so no VM exists
 * when the RM driver unbinds through module removal.
 */
void gunyah_vm_mgr_destroy(struct gunyah_vm_mgr *mgr)
{
	misc_deregister(&mgr->miscdev);
	kfree(mgr);
}
