// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah vCPU function: a file per vCPU, run by user space with
 * GUNYAH_VCPU_RUN (proxy scheduling).
 *
 * Adding a GUNYAH_FN_VCPU function returns the vCPU's file.  Its run page
 * (mmap, GUNYAH_VCPU_MMAP_SIZE bytes) carries exit information: MMIO the
 * VMM must emulate, or the status of a VM that is gone.  The vCPU becomes
 * runnable when the VM starts and the Resource Manager hands over its
 * capability and wake-up interrupt (resource ticket VCPU, label = id).
 *
 * GUNYAH_VCPU_RUN loops on the vcpu_run hypercall: it sleeps while the
 * guest waits for an interrupt or is powered off (until the wake-up
 * interrupt or the end of the VM), returns to user space for MMIO and VM
 * status, and returns -EINTR for a pending signal or immediate_exit.
 *
 * The run page belongs to user space, which may rewrite immediate_exit at
 * any time: the kernel's own reasons to end a RUN (the vCPU's resources
 * going away) are kept in the vCPU, never in the run page.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/gunyah.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "vm_mgr.h"

enum gunyah_vcpu_mmio {
	GUNYAH_VCPU_MMIO_NONE,
	GUNYAH_VCPU_MMIO_READ,
	GUNYAH_VCPU_MMIO_WRITE,
};

/* How long a refused vCPU waits for its VM's end to be known */
#define GUNYAH_VCPU_END_WAIT		(HZ / 2)

/* Actions in vcpu_run's resume data (not the UAPI's resume_action values). */
#define GUNYAH_HV_RESUME_EMULATE	0
#define GUNYAH_HV_RESUME_RETRY		1
#define GUNYAH_HV_RESUME_FAULT		2

/*
 * PSCI_SYSTEM_RESET run state: state_data[0] holds the reset type in bits
 * 31:0, bit 62 for an SMC64 SYSTEM_RESET2 and bit 63 for SYSTEM_RESET (not
 * RESET2); state_data[1] the RESET2 cookie.
 */
#define GUNYAH_VCPU_RESET_SMC64		BIT_ULL(62)
#define GUNYAH_VCPU_RESET_NOT_RESET2	BIT_ULL(63)

/* VM_EXITED exit types of the RM (what the VMM sees in exit_info.type) */
#define GUNYAH_RM_EXIT_TYPE_PLATFORM_RESET	2
#define GUNYAH_RM_EXIT_TYPE_SYSTEM_RESET2	3
/* Exit reason word 0: flags (bit 15: SMC64 SYSTEM_RESET2), exit code 0 */
#define GUNYAH_RM_EXIT_FLAG_RESET2_SMC64	BIT(15)

/**
 * struct gunyah_vcpu - a vCPU
 * @ghvm: its VM (the file holds a reference)
 * @f: the function instance; NULL once the function was removed
 * @rsc: capability and wake-up IRQ, once the VM started
 * @ticket: claim on the RM's VCPU resource with label @id
 * @id: vCPU index
 * @run_lock: one GUNYAH_VCPU_RUN at a time; protects @f, @rsc, @mmio
 * @run: the page shared with user space
 * @mmio: an MMIO exit waiting for its answer
 * @status_reported: a STATUS exit was reported; report it again
 * @reset_exit: the exit this vCPU reported for its guest's PSCI reset
 *              request (type 0 if none), until the RM's VM_EXITED is in
 * @woken: the wake-up interrupt fired
 * @kicked: the resources are being taken away: RUN must end now
 * @wq: where RUN sleeps
 * @kref: the function instance and the file
 */
struct gunyah_vcpu {
	struct gunyah_vm *ghvm;
	struct gunyah_vm_function_instance *f;
	struct gunyah_resource *rsc;
	struct gunyah_vm_resource_ticket ticket;
	u32 id;
	struct mutex run_lock;		/* see above */
	struct gunyah_vcpu_run *run;
	enum gunyah_vcpu_mmio mmio;
	bool status_reported;
	struct gunyah_vm_exit_info reset_exit;
	bool woken;
	bool kicked;
	wait_queue_head_t wq;
	struct kref kref;
};

static void gunyah_vcpu_free(struct kref *kref)
{
	struct gunyah_vcpu *vcpu = container_of(kref, struct gunyah_vcpu, kref);

	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

static irqreturn_t gunyah_vcpu_irq(int irq, void *data)
{
	struct gunyah_vcpu *vcpu = data;

	WRITE_ONCE(vcpu->woken, true);
	wake_up(&vcpu->wq);
	return IRQ_HANDLED;
}

static bool gunyah_vcpu_populate(struct gunyah_vm_resource_ticket *ticket,
				 struct gunyah_resource *ghrsc)
{
	struct gunyah_vcpu *vcpu = container_of(ticket, struct gunyah_vcpu, ticket);
	int ret;

	mutex_lock(&vcpu->run_lock);
	if (vcpu->rsc) {
		mutex_unlock(&vcpu->run_lock);
		return false;
	}
	if (ghrsc->irq) {
		ret = request_irq(ghrsc->irq, gunyah_vcpu_irq, 0, "gunyah_vcpu", vcpu);
		if (ret) {
			pr_warn("gunyah_vcpu: cannot request wake-up IRQ %u of vCPU %u: %d\n",
				ghrsc->irq, vcpu->id, ret);
			mutex_unlock(&vcpu->run_lock);
			return false;
		}
	}
	vcpu->rsc = ghrsc;
	mutex_unlock(&vcpu->run_lock);
	wake_up(&vcpu->wq);
	return true;
}

static void gunyah_vcpu_unpopulate(struct gunyah_vm_resource_ticket *ticket,
				   struct gunyah_resource *ghrsc)
{
	struct gunyah_vcpu *vcpu = container_of(ticket, struct gunyah_vcpu, ticket);

	/*
	 * A RUN in progress keeps run_lock: kick it out first, and keep
	 * every RUN out until the resources are gone.  The vcpu_run
	 * hypercall returns within a tick of the host, whatever the guest
	 * does, so that a RUN sees this promptly.
	 */
	WRITE_ONCE(vcpu->kicked, true);
	wake_up(&vcpu->wq);
	wake_up_all(&vcpu->ghvm->vm_status_wait);
	mutex_lock(&vcpu->run_lock);
	if (ghrsc->irq)
		free_irq(ghrsc->irq, vcpu);
	vcpu->rsc = NULL;
	WRITE_ONCE(vcpu->kicked, false);
	mutex_unlock(&vcpu->run_lock);
}

static void gunyah_vcpu_fill_status(struct gunyah_vcpu *vcpu)
{
	struct gunyah_vcpu_run *run = vcpu->run;
	struct gunyah_vm *ghvm = vcpu->ghvm;
	enum gunyah_rm_vm_status vm_status = READ_ONCE(ghvm->vm_status);

	run->exit_reason = GUNYAH_VCPU_EXIT_STATUS;
	vcpu->status_reported = true;
	/*
	 * The guest asked for a reset and the RM's VM_EXITED is not in yet:
	 * this vCPU's own account of it (the RM's will say the same).
	 */
	if (vcpu->reset_exit.type && vm_status == GUNYAH_RM_VM_STATUS_RUNNING) {
		run->status.status = GUNYAH_VM_STATUS_EXITED;
		run->status.exit_info = vcpu->reset_exit;
		return;
	}
	switch (vm_status) {
	case GUNYAH_RM_VM_STATUS_INIT_FAILED:
		run->status.status = GUNYAH_VM_STATUS_LOAD_FAILED;
		break;
	case GUNYAH_RM_VM_STATUS_EXITED:
	case GUNYAH_RM_VM_STATUS_RESET:
		run->status.status = GUNYAH_VM_STATUS_EXITED;
		break;
	default:
		run->status.status = GUNYAH_VM_STATUS_CRASHED;
		break;
	}
	run->status.exit_info.type = ghvm->exit_info.type;
	run->status.exit_info.reason_size = ghvm->exit_info.reason_size;
	memcpy(run->status.exit_info.reason, ghvm->exit_info.reason,
	       sizeof(run->status.exit_info.reason));
}

/*
 * The vCPU's guest called PSCI SYSTEM_RESET or SYSTEM_RESET2: the
 * hypervisor powered every vCPU of the VM off, and tells the RM, which
 * sends VM_EXITED.  The run ends here with the status exit of a reset, as
 * the RM words it (exit type, reason word 0, then the RESET2 type and
 * cookie), without waiting for the notification: this vCPU will not run
 * again, whatever comes.
 */
static void gunyah_vcpu_reset_exit(struct gunyah_vcpu *vcpu,
				   const struct gunyah_hypercall_vcpu_run_resp *resp)
{
	struct gunyah_vm_exit_info *info = &vcpu->reset_exit;
	u64 data = resp->state_data[0];
	__le32 words[2] = { 0 };

	memset(info, 0, sizeof(*info));
	if (data & GUNYAH_VCPU_RESET_NOT_RESET2) {
		info->type = GUNYAH_RM_EXIT_TYPE_PLATFORM_RESET;
		info->reason_size = sizeof(u32);
	} else {
		info->type = GUNYAH_RM_EXIT_TYPE_SYSTEM_RESET2;
		/* word 0, reset type, cookie low, cookie high */
		info->reason_size = 4 * sizeof(u32);
		if (data & GUNYAH_VCPU_RESET_SMC64)
			words[0] = cpu_to_le32(GUNYAH_RM_EXIT_FLAG_RESET2_SMC64);
		words[1] = cpu_to_le32(lower_32_bits(data));
	}
	BUILD_BUG_ON(sizeof(words) != sizeof(info->reason));
	memcpy(info->reason, words, sizeof(info->reason));
	gunyah_vcpu_fill_status(vcpu);
}

static bool gunyah_vm_running(struct gunyah_vm *ghvm)
{
	return READ_ONCE(ghvm->vm_status) == GUNYAH_RM_VM_STATUS_RUNNING;
}

/* RUN must return to user space: immediate_exit, or the resources going away. */
static bool gunyah_vcpu_must_exit(struct gunyah_vcpu *vcpu)
{
	return READ_ONCE(vcpu->run->immediate_exit) || READ_ONCE(vcpu->kicked);
}

/*
 * Sleep until the wake-up interrupt, the end of the VM (if @vm_end) or a
 * reason to return; -EINTR for a signal.
 *
 * The end of the VM is announced on the VM's own queue (VM_EXITED from the
 * RM), not on the vCPU's: with @vm_end the sleep listens on both.  Real
 * Gunyah raises no wake-up interrupt for the vCPU that powered the VM off:
 * that vCPU reports POWERED_OFF without the "exited" flag, and only the
 * RM's notification, which may come after, tells its RUN that the VM is
 * gone.
 */
static int gunyah_vcpu_sleep(struct gunyah_vcpu *vcpu, bool vm_end)
{
	struct gunyah_vm *ghvm = vcpu->ghvm;
	struct wait_queue_entry vm_wait;
	long ret;

	if (vm_end) {
		init_waitqueue_entry(&vm_wait, current);
		add_wait_queue(&ghvm->vm_status_wait, &vm_wait);
	}
	ret = wait_event_interruptible(vcpu->wq, READ_ONCE(vcpu->woken) ||
				       gunyah_vcpu_must_exit(vcpu) ||
				       (vm_end && !gunyah_vm_running(ghvm)));
	if (vm_end)
		remove_wait_queue(&ghvm->vm_status_wait, &vm_wait);
	if (ret)
		return -EINTR;
	WRITE_ONCE(vcpu->woken, false);
	return 0;
}

/* Wait until the end of the VM is known here; -EINTR for a signal or immediate_exit. */
static int gunyah_vcpu_wait_vm_end(struct gunyah_vcpu *vcpu)
{
	struct gunyah_vm *ghvm = vcpu->ghvm;

	if (wait_event_interruptible(ghvm->vm_status_wait, !gunyah_vm_running(ghvm) ||
				     gunyah_vcpu_must_exit(vcpu)))
		return -EINTR;
	return gunyah_vm_running(ghvm) ? -EINTR : 0;
}

/* Whether the VM's end is known here, or becomes so within GUNYAH_VCPU_END_WAIT. */
static bool gunyah_vcpu_vm_ended(struct gunyah_vcpu *vcpu)
{
	struct gunyah_vm *ghvm = vcpu->ghvm;

	wait_event_interruptible_timeout(ghvm->vm_status_wait, !gunyah_vm_running(ghvm),
					 GUNYAH_VCPU_END_WAIT);
	return !gunyah_vm_running(ghvm);
}

/* Answer the pending MMIO exit from the run page. */
static int gunyah_vcpu_resume_data(struct gunyah_vcpu *vcpu, u64 *resume_data)
{
	struct gunyah_vcpu_run *run = vcpu->run;

	switch (run->mmio.resume_action) {
	case GUNYAH_VCPU_RESUME_HANDLED:
		if (vcpu->mmio == GUNYAH_VCPU_MMIO_READ)
			memcpy(&resume_data[0], run->mmio.data,
			       min_t(u32, run->mmio.len, sizeof(run->mmio.data)));
		resume_data[1] = GUNYAH_HV_RESUME_EMULATE;
		return 0;
	case GUNYAH_VCPU_RESUME_FAULT:
		resume_data[1] = GUNYAH_HV_RESUME_FAULT;
		return 0;
	case GUNYAH_VCPU_RESUME_RETRY:
		resume_data[1] = GUNYAH_HV_RESUME_RETRY;
		return 0;
	default:
		return -EINVAL;
	}
}

static void gunyah_vcpu_mmio_exit(struct gunyah_vcpu *vcpu,
				  const struct gunyah_hypercall_vcpu_run_resp *resp, bool write)
{
	struct gunyah_vcpu_run *run = vcpu->run;

	run->exit_reason = GUNYAH_VCPU_EXIT_MMIO;
	run->mmio.phys_addr = resp->state_data[0];
	run->mmio.len = resp->state_data[1];
	run->mmio.is_write = write;
	run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, &resp->state_data[2],
		       min_t(u64, resp->state_data[1], sizeof(run->mmio.data)));
	vcpu->mmio = write ? GUNYAH_VCPU_MMIO_WRITE : GUNYAH_VCPU_MMIO_READ;
}

static int gunyah_vcpu_run(struct gunyah_vcpu *vcpu)
{
	struct gunyah_hypercall_vcpu_run_resp resp;
	u64 resume_data[3] = { 0 };
	bool write;
	int ret;

	if (mutex_lock_interruptible(&vcpu->run_lock))
		return -ERESTARTSYS;
	if (!vcpu->f || !vcpu->rsc || READ_ONCE(vcpu->kicked)) {
		ret = -ENODEV;
		goto out;
	}
	if (vcpu->status_reported) {
		gunyah_vcpu_fill_status(vcpu);
		ret = 0;
		goto out;
	}
	/* Not started yet (resources arrive just before VM_START). */
	if (READ_ONCE(vcpu->ghvm->vm_status) != GUNYAH_RM_VM_STATUS_RUNNING &&
	    READ_ONCE(vcpu->ghvm->vm_status) != GUNYAH_RM_VM_STATUS_EXITED) {
		ret = -ENODEV;
		goto out;
	}
	/* The answer stays pending until the hypervisor has taken it. */
	if (vcpu->mmio != GUNYAH_VCPU_MMIO_NONE) {
		ret = gunyah_vcpu_resume_data(vcpu, resume_data);
		if (ret)
			goto out;
	}

	for (;;) {
		/* Exits handled in the kernel (ioeventfd, paging) loop here: stay fair. */
		cond_resched();
		if (gunyah_vcpu_must_exit(vcpu) || signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = gunyah_hypercall_vcpu_run(vcpu->rsc->capid, resume_data, &resp);
		if (ret == -EAGAIN) {
			cond_resched();
			continue;
		}
		/*
		 * The hypervisor may refuse a vCPU of a VM that is ending (busy,
		 * or in the wrong state) rather than report it powered off; the
		 * VM_EXITED notification may still be on its way.  Wait for it a
		 * little: if it comes, this is the status exit.
		 */
		if ((ret == -EBUSY || ret == -EINVAL) && gunyah_vcpu_vm_ended(vcpu)) {
			gunyah_vcpu_fill_status(vcpu);
			ret = 0;
			break;
		}
		if (ret)
			break;
		memset(resume_data, 0, sizeof(resume_data));
		vcpu->mmio = GUNYAH_VCPU_MMIO_NONE;

		switch (resp.state) {
		case GUNYAH_VCPU_STATE_READY:
		case GUNYAH_VCPU_STATE_BLOCKED:
			cond_resched();
			continue;
		case GUNYAH_VCPU_STATE_EXPECTS_WAKEUP:
			ret = gunyah_vcpu_sleep(vcpu, true);
			if (ret)
				goto out;
			continue;
		case GUNYAH_VCPU_STATE_POWERED_OFF:
			/*
			 * Powered off alone (no "exited" flag): until another
			 * vCPU turns it on, or the VM's end is known.  That is
			 * also how real Gunyah reports the vCPU that powered
			 * the VM off, with no wake-up interrupt after it.
			 */
			if (!(resp.state_data[0] & 1) && gunyah_vm_running(vcpu->ghvm)) {
				ret = gunyah_vcpu_sleep(vcpu, true);
				if (ret)
					goto out;
				if (gunyah_vm_running(vcpu->ghvm))
					continue;
			}
			/*
			 * Bit 0: the VM is gone.  Its VM_EXITED notification
			 * may still be on its way: wait for it.
			 */
			ret = gunyah_vcpu_wait_vm_end(vcpu);
			if (ret)
				goto out;
			gunyah_vcpu_fill_status(vcpu);
			ret = 0;
			goto out;
		case GUNYAH_VCPU_ADDRSPACE_VMMIO_READ:
		case GUNYAH_VCPU_ADDRSPACE_VMMIO_WRITE:
			write = resp.state == GUNYAH_VCPU_ADDRSPACE_VMMIO_WRITE;
			/* A write an ioeventfd takes is done here: resume with EMULATE. */
			if (write && !gunyah_vm_mmio_write(vcpu->ghvm, resp.state_data[0],
							   resp.state_data[1], resp.state_data[2]))
				continue;
			/* Shared guest memory arrives on first touch, as MMIO. */
			if (!gunyah_vm_share_page(vcpu->ghvm, resp.state_data[0], write)) {
				resume_data[1] = GUNYAH_HV_RESUME_RETRY;
				continue;
			}
			gunyah_vcpu_mmio_exit(vcpu, &resp,
					      resp.state == GUNYAH_VCPU_ADDRSPACE_VMMIO_WRITE);
			ret = 0;
			goto out;
		case GUNYAH_VCPU_ADDRSPACE_PAGE_FAULT:
			ret = gunyah_vm_demand_page(vcpu->ghvm, resp.state_data[0],
						    resp.state_data[1]);
			if (!ret)
				continue;
			vcpu->run->exit_reason = GUNYAH_VCPU_EXIT_PAGE_FAULT;
			vcpu->run->page_fault.phys_addr = resp.state_data[0];
			vcpu->run->page_fault.attempt = ret;
			vcpu->run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
			ret = 0;
			goto out;
		case GUNYAH_VCPU_STATE_PSCI_SYSTEM_RESET:
			gunyah_vcpu_reset_exit(vcpu, &resp);
			ret = 0;
			goto out;
		case GUNYAH_VCPU_STATE_FAULT:
			/* Unrecoverable: report the VM as crashed. */
			pr_warn_ratelimited("gunyah_vcpu: vCPU %u: unrecoverable fault\n",
					    vcpu->id);
			gunyah_vcpu_fill_status(vcpu);
			vcpu->run->status.status = GUNYAH_VM_STATUS_CRASHED;
			ret = 0;
			goto out;
		default:
			pr_warn_ratelimited("gunyah_vcpu: vCPU %u: unknown state %llu\n", vcpu->id,
					    resp.state);
			ret = -EIO;
			goto out;
		}
	}
out:
	mutex_unlock(&vcpu->run_lock);
	return ret;
}

static long gunyah_vcpu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct gunyah_vcpu *vcpu = filp->private_data;

	switch (cmd) {
	case GUNYAH_VCPU_RUN:
		return gunyah_vcpu_run(vcpu);
	case GUNYAH_VCPU_MMAP_SIZE:
		return PAGE_SIZE;
	default:
		return -ENOTTY;
	}
}

static int gunyah_vcpu_release(struct inode *inode, struct file *filp)
{
	struct gunyah_vcpu *vcpu = filp->private_data;

	gunyah_vm_put(vcpu->ghvm);
	kref_put(&vcpu->kref, gunyah_vcpu_free);
	return 0;
}

static vm_fault_t gunyah_vcpu_fault(struct vm_fault *vmf)
{
	struct gunyah_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(vcpu->run);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct gunyah_vcpu_ops = {
	.fault = gunyah_vcpu_fault,
};

static int gunyah_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &gunyah_vcpu_ops;
	return 0;
}

static const struct file_operations gunyah_vcpu_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gunyah_vcpu_ioctl,
	.release = gunyah_vcpu_release,
	.llseek = noop_llseek,
	.mmap = gunyah_vcpu_mmap,
};

static long gunyah_vcpu_bind(struct gunyah_vm_function_instance *f)
{
	struct gunyah_fn_vcpu_arg *arg = f->argp;
	struct gunyah_vcpu *vcpu;
	struct file *file;
	char name[32];
	int fd;
	long r;

	if (f->arg_size != sizeof(*arg))
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL);
	if (!vcpu)
		return -ENOMEM;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL);
	if (!vcpu->run) {
		kfree(vcpu);
		return -ENOMEM;
	}
	vcpu->f = f;
	vcpu->ghvm = f->ghvm;
	vcpu->id = arg->id;
	mutex_init(&vcpu->run_lock);
	init_waitqueue_head(&vcpu->wq);
	kref_init(&vcpu->kref);
	vcpu->ticket.resource_type = GUNYAH_RESOURCE_TYPE_VCPU;
	vcpu->ticket.label = arg->id;
	vcpu->ticket.owner = THIS_MODULE;
	vcpu->ticket.populate = gunyah_vcpu_populate;
	vcpu->ticket.unpopulate = gunyah_vcpu_unpopulate;

	r = gunyah_vm_add_resource_ticket(f->ghvm, &vcpu->ticket);
	if (r)
		goto err_free;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_ticket;
	}
	if (!gunyah_vm_get(f->ghvm)) {
		r = -ENODEV;
		goto err_fd;
	}
	snprintf(name, sizeof(name), "gh-vcpu:%u", vcpu->id);
	file = anon_inode_getfile(name, &gunyah_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		r = PTR_ERR(file);
		gunyah_vm_put(f->ghvm);
		goto err_fd;
	}
	kref_get(&vcpu->kref);
	f->data = vcpu;
	fd_install(fd, file);
	return fd;

err_fd:
	put_unused_fd(fd);
err_ticket:
	gunyah_vm_remove_resource_ticket(f->ghvm, &vcpu->ticket);
err_free:
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
	return r;
}

static void gunyah_vcpu_unbind(struct gunyah_vm_function_instance *f)
{
	struct gunyah_vcpu *vcpu = f->data;

	gunyah_vm_remove_resource_ticket(vcpu->ghvm, &vcpu->ticket);
	mutex_lock(&vcpu->run_lock);
	vcpu->f = NULL;
	mutex_unlock(&vcpu->run_lock);
	kref_put(&vcpu->kref, gunyah_vcpu_free);
}

static bool gunyah_vcpu_compare(const struct gunyah_vm_function_instance *f, const void *arg,
				size_t size)
{
	const struct gunyah_fn_vcpu_arg *instance = f->argp, *other = arg;

	return size == sizeof(*other) && instance->id == other->id;
}

DECLARE_GUNYAH_VM_FUNCTION(gunyah_vcpu, GUNYAH_FN_VCPU, gunyah_vcpu_bind, gunyah_vcpu_unbind,
			   gunyah_vcpu_compare);
module_gunyah_vm_function(gunyah_vcpu);
MODULE_ALIAS_GUNYAH_VM_FUNCTION(1);	/* GUNYAH_FN_VCPU */

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah vCPU function");
