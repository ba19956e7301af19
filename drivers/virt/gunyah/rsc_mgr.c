// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah Resource Manager RPC core.
 *
 * The host talks to the Resource Manager (RM) over two Gunyah message
 * queues: requests go out on the TX queue, replies and notifications come
 * back on the RX queue.  Each queue message is one fragment of an RPC
 * message: an 8-byte header and up to 232 bytes of payload; a message
 * longer than that continues in "continuation" fragments.
 *
 * Calls are matched to replies by sequence number.  Notifications go to
 * a notifier chain at once, in order, from whoever reads the queue (the
 * RX interrupt thread, or a caller collecting its reply), outside the
 * locks of the calls table: a VM's status change reaches the thread
 * waiting for it with one wake-up, or none when it came with the reply
 * that thread collects.  Handlers must not make RPCs (the reader may be
 * one waiting for its own reply).
 *
 * Nothing from the RM is trusted: lengths, counts and identifiers are
 * checked, malformed input is logged (rate-limited) and dropped, and a
 * caller waiting for a reply that never comes times out (module parameter
 * rpc_timeout_ms).
 *
 * A request the RM has seen changes its state (a VMID allocated, memory
 * lent, a VM started), so its reply is never abandoned lightly: a caller
 * killed while it waits keeps waiting, uninterruptibly, for up to
 * RM_KILLED_GRACE_MS more, and then returns the reply as if it had not
 * been killed, so that the layers above act on the outcome (record the
 * VMID, reclaim the parcel) and a killed VMM leaks nothing.  Only an RM
 * that stays silent past that makes the call fail with -EINTR, and then
 * the outcome is unknown, exactly as after a timeout.  Nothing in the
 * send path is interruptible either: teardown calls made by a dying task
 * must go out.
 *
 * Locking (outermost first):
 *   rm->send_lock   serialises the transmission of requests (all fragments
 *                   of one request go out together); may sleep waiting for
 *                   the TX queue's "not full" interrupt.
 *   xa_lock(&rm->calls)  protects the table of calls waiting for a reply
 *                   and rm->active_rx, the message being reassembled; taken
 *                   by the RX thread and by callers giving up on a reply.
 *   rm->stats_lock  protects the latency statistics.
 *   rm->rx_lock     one reader of the RX queue at a time: the RX interrupt
 *                   thread, or a caller collecting its reply.
 * The RX interrupt thread takes only rx_lock and the xarray lock, never
 * send_lock, so replies keep flowing while a sender waits for room in the
 * TX queue.
 *
 * A caller whose request went out reads the RX queue itself before it
 * sleeps: an RM that answers at once (its reply is in the queue when the
 * send returns) then costs no interrupt thread wake-up and no wake-up of
 * the caller, two scheduling hops that dominate an RPC on a busy host.
 * From the hypercall that sends its last fragment until it has read the
 * queue, the caller counts itself in rm->collectors; an RX interrupt that
 * comes meanwhile does not wake the thread, which would take rx_lock from
 * under the caller and, on a busy host, keep it while its CPU is
 * preempted.  The interrupt is masked instead ("parked", RM_RX_PARKED)
 * and the last collector out reads the queue once more and unmasks it.
 * Masking, rather than only noting it, keeps a level-triggered interrupt
 * from firing again and again while the queue waits for the collector.
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/gunyah.h>
#include <linux/interrupt.h>
#include <linux/irqdomain.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/xarray.h>

#include <asm/gunyah.h>

#include "gunyah_core.h"
#include "rsc_mgr.h"
#include "vm_mgr.h"

#define RM_RPC_API_VERSION		1
#define RM_RPC_HEADER_WORDS		2
#define RM_RPC_API_BYTE			(RM_RPC_API_VERSION | RM_RPC_HEADER_WORDS << 4)
#define RM_RPC_TYPE_MASK		GENMASK(1, 0)
#define RM_RPC_FRAGMENTS_MASK		GENMASK(7, 2)

#define RM_RX_PARKED			0	/* bit in gunyah_rm.rx_flags */

#define RM_RPC_TYPE_CONTINUATION	0
#define RM_RPC_TYPE_REQUEST		1
#define RM_RPC_TYPE_REPLY		2
#define RM_RPC_TYPE_NOTIF		3

#define RM_MAX_MSG_SIZE			240
#define RM_PAYLOAD_SIZE			(RM_MAX_MSG_SIZE - sizeof(struct gunyah_rm_rpc_hdr))
#define RM_MAX_CONTINUATIONS		62

#define RM_KILLED_GRACE_MS		2000

#define RM_STATS_IDS			32
#define RM_STATS_SAMPLES		512

static unsigned int rpc_timeout_ms = 10000;
module_param(rpc_timeout_ms, uint, 0644);
MODULE_PARM_DESC(rpc_timeout_ms, "How long an RPC waits for the Resource Manager (ms, 0 = forever)");

/**
 * struct gunyah_rm_rpc_hdr - header of every RPC fragment
 * @api: RPC API version and header size
 * @type: message type and number of continuation fragments
 * @seq: sequence number (matches a reply to its request)
 * @msg_id: RPC function or notification ID
 */
struct gunyah_rm_rpc_hdr {
	u8 api;
	u8 type;
	__le16 seq;
	__le32 msg_id;
} __packed;

/**
 * struct gunyah_rm_message - an RPC message being received
 * @payload: the payload (for replies: after the error word)
 * @size: bytes allocated for @payload
 * @len: bytes received so far
 * @msg_id: function or notification ID
 * @type: RM_RPC_TYPE_REPLY or RM_RPC_TYPE_NOTIF
 * @num_fragments: continuation fragments announced
 * @fragments_received: continuation fragments received
 * @reply: for calls: sequence number, result and completion
 * @reply.seq: sequence number
 * @reply.ret: 0 or a negative errno
 * @reply.done: completed when the reply is in (or was aborted)
 */
struct gunyah_rm_message {
	void *payload;
	size_t size;
	size_t len;
	u32 msg_id;
	u8 type;
	u8 num_fragments;
	u8 fragments_received;
	struct {
		u16 seq;
		int ret;
		struct completion done;
	} reply;
};

struct gunyah_rm_stats {
	u32 msg_id;
	u64 calls;
	u64 errors;
	u32 next;
	u32 filled;
	u32 samples_ns[RM_STATS_SAMPLES];
};

/**
 * struct gunyah_rm - the Resource Manager RPC channel
 * @dev: the RM's platform device
 * @tx_cap: capability of the TX (host to RM) message queue
 * @rx_cap: capability of the RX (RM to host) message queue
 * @tx_irq: TX queue "not full" interrupt
 * @rx_irq: RX queue "not empty" interrupt
 * @parent_fwnode: interrupt controller that resource interrupts go to
 * @send_lock: serialises request transmission
 * @send_ready: completed by the TX interrupt
 * @tx_ready: whether the TX queue can take a message (under @send_lock)
 * @calls: calls waiting for replies, by sequence number
 * @next_seq: cyclic sequence number allocator state
 * @active_rx: message being reassembled (under the @calls lock)
 * @rx_lock: one reader of the RX queue at a time
 * @collectors: callers between sending their request's last fragment and
 *              reading the RX queue
 * @rx_flags: RM_RX_PARKED: the RX interrupt is masked, left to the collectors
 * @rx_irqs: RX interrupts taken (for rpc_stats)
 * @rx_parked: of those, how many were left to the collectors
 * @recv_buf: buffer for msgq_recv (under @rx_lock)
 * @send_buf: buffer for msgq_send (under @send_lock)
 * @nh: notifier chain for notifications
 * @notif_ready: a notification received whole, for the reader to deliver
 *               (under @rx_lock)
 * @stats_lock: protects @stats
 * @stats: per-RPC latency statistics
 * @debugfs: debugfs directory
 * @demand_paging: whether the RM pages guests in on demand: RM_PAGING_UNKNOWN,
 *                 RM_PAGING_YES or RM_PAGING_NO (see gunyah_rm_demand_paging())
 * @host_vmid: the host's VMID once the RM said it, else GUNYAH_VMID_INVAL
 * @vm_mgr: the /dev/gunyah VM manager
 */
struct gunyah_rm {
	struct device *dev;
	u64 tx_cap;
	u64 rx_cap;
	int tx_irq;
	int rx_irq;
	struct fwnode_handle *parent_fwnode;

	struct mutex send_lock;		/* see the locking comment at the top */
	struct completion send_ready;
	bool tx_ready;

	struct xarray calls;
	u32 next_seq;
	struct gunyah_rm_message *active_rx;

	struct mutex rx_lock;		/* see the locking comment at the top */
	atomic_t collectors;
	unsigned long rx_flags;
	atomic_long_t rx_irqs;
	atomic_long_t rx_parked;
	u8 recv_buf[RM_MAX_MSG_SIZE];
	u8 send_buf[RM_MAX_MSG_SIZE];

	struct blocking_notifier_head nh;
	struct gunyah_rm_message *notif_ready;

	struct mutex stats_lock;	/* protects @stats */
	struct gunyah_rm_stats stats[RM_STATS_IDS];
	struct dentry *debugfs;
	u32 demand_paging;
	u16 host_vmid;

	struct gunyah_vm_mgr *vm_mgr;
};

#define RM_PAGING_UNKNOWN	0
#define RM_PAGING_YES		1
#define RM_PAGING_NO		2

/*
 * RM error codes (after the reply header) and the errno each becomes: a
 * distinct errno per code, so that a VMM can tell the RM's refusals apart
 * and the log can name the code (Documentation/virt/gunyah/vmm.rst has the
 * table).  Any other code is a malformed reply: -EBADMSG.
 */
static const struct {
	u32 code;
	int err;
	const char *name;
} gunyah_rm_errors[] = {
	{ 0x1, -ENOMEM, "NOMEM" },
	{ 0x2, -ENODEV, "NORESOURCE" },
	{ 0x3, -EPERM, "DENIED" },
	{ 0x4, -EPROTO, "MSG_INVALID" },
	{ 0x5, -EBUSY, "BUSY" },
	{ 0x6, -EINVAL, "ARGUMENT_INVALID" },
	{ 0x7, -ESTALE, "HANDLE_INVALID" },
	{ 0x8, -ENOEXEC, "VALIDATE_FAILED" },
	{ 0x9, -EADDRNOTAVAIL, "MAP_FAILED" },
	{ 0xa, -ERANGE, "MEM_INVALID" },
	{ 0xb, -EADDRINUSE, "MEM_INUSE" },
	{ 0xc, -EIDRM, "MEM_RELEASED" },
	{ 0xd, -ESRCH, "VMID_INVALID" },
	{ 0xe, -ENOENT, "LOOKUP_FAILED" },
	{ 0xf, -ENXIO, "IRQ_INVALID" },
	{ 0x10, -EEXIST, "IRQ_INUSE" },
	{ 0x11, -ENOLINK, "IRQ_RELEASED" },
	{ 0x12, -EALREADY, "IN_USE" },
	{ 0x13, -ENOTCONN, "IRQ_NOT_MAPPED" },
	{ 0x14, -EBADFD, "VM_STATE" },
	{ 0xffffffff, -EOPNOTSUPP, "UNIMPLEMENTED" },
};

static int gunyah_rm_error_remap(u32 rm_error)
{
	if (!rm_error)
		return 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(gunyah_rm_errors); i++)
		if (gunyah_rm_errors[i].code == rm_error)
			return gunyah_rm_errors[i].err;
	return -EBADMSG;
}

/**
 * gunyah_rm_error_name() - the RM's name for the refusal an errno stands for
 * @err: a negative errno returned by an RPC
 *
 * Return: the RM error code's name (e.g. "VALIDATE_FAILED") if @err is what
 * that code becomes, or NULL for errnos the RM's codes never become
 * (transport failures, timeouts, the caller's death).
 */
const char *gunyah_rm_error_name(int err)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(gunyah_rm_errors); i++)
		if (gunyah_rm_errors[i].err == err)
			return gunyah_rm_errors[i].name;
	return NULL;
}

/**
 * gunyah_rm_device() - the Resource Manager's device, for logging
 * @rm: the Resource Manager
 *
 * Return: the RM's platform device.
 */
struct device *gunyah_rm_device(struct gunyah_rm *rm)
{
	return rm->dev;
}

/**
 * gunyah_rm_demand_paging() - whether the Resource Manager pages guests in on demand
 * @rm: the Resource Manager
 *
 * Asked once (gunyah_rm_probe_demand_paging()) and remembered; a probe that
 * got no answer is made again at the next call.  debugfs
 * gunyah_rm/demand_paging shows what is known (0 not yet, 1 yes, 2 no);
 * writing 0 there makes the next call ask again.
 *
 * Return: true if it does; false if it does not, or if that is not known.
 */
bool gunyah_rm_demand_paging(struct gunyah_rm *rm)
{
	u32 known = READ_ONCE(rm->demand_paging);
	int ret;

	if (known == RM_PAGING_UNKNOWN) {
		ret = gunyah_rm_probe_demand_paging(rm);
		if (ret < 0) {
			dev_warn_ratelimited(rm->dev,
					     "no answer on demand paging (%d): asked again at the next start\n",
					     ret);
			return false;
		}
		known = ret ? RM_PAGING_YES : RM_PAGING_NO;
		WRITE_ONCE(rm->demand_paging, known);
		dev_dbg(rm->dev, "the RM %s guests in on demand\n", ret ? "pages" : "never pages");
	}
	return known == RM_PAGING_YES;
}

/**
 * gunyah_rm_host_vmid() - the VMID of the VM this driver runs in
 * @rm: the Resource Manager
 * @vmid: set to the VMID on success
 *
 * Asked once (VM_GET_VMID) and remembered: it never changes.  debugfs
 * gunyah_rm/host_vmid shows it (65535: not known yet); writing 65535 there
 * makes the next call ask again.
 *
 * Return: 0, or the RPC's negative errno.
 */
int gunyah_rm_host_vmid(struct gunyah_rm *rm, u16 *vmid)
{
	u16 known = READ_ONCE(rm->host_vmid);
	int ret;

	if (known == GUNYAH_VMID_INVAL) {
		ret = gunyah_rm_get_vmid(rm, &known);
		if (ret)
			return ret;
		WRITE_ONCE(rm->host_vmid, known);
	}
	*vmid = known;
	return 0;
}

/**
 * gunyah_rm_get() - take a reference on the Resource Manager's device
 * @rm: the Resource Manager
 *
 * Return: the device, to be released with gunyah_rm_put().
 */
struct device *gunyah_rm_get(struct gunyah_rm *rm)
{
	return get_device(rm->dev);
}

/**
 * gunyah_rm_put() - drop a reference taken with gunyah_rm_get()
 * @rm: the Resource Manager
 */
void gunyah_rm_put(struct gunyah_rm *rm)
{
	put_device(rm->dev);
}

/**
 * gunyah_rm_notifier_register() - receive Resource Manager notifications
 * @rm: the Resource Manager
 * @nb: notifier; called with the notification ID and its payload
 *
 * The handler runs in the context that reads the RM's queue, which may
 * be a thread waiting for its own reply: it must not make RPCs (work that
 * does is scheduled by the handler).  A handler that recognises the
 * notification as its own returns a value with NOTIFY_STOP_MASK set;
 * notifications nobody claims are logged.
 *
 * Return: 0.
 */
int gunyah_rm_notifier_register(struct gunyah_rm *rm, struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&rm->nh, nb);
}

/**
 * gunyah_rm_notifier_unregister() - stop receiving notifications
 * @rm: the Resource Manager
 * @nb: notifier passed to gunyah_rm_notifier_register()
 *
 * Return: 0, or -ENOENT if @nb was not registered.
 */
int gunyah_rm_notifier_unregister(struct gunyah_rm *rm, struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&rm->nh, nb);
}

/**
 * gunyah_rm_map_virq() - map a resource interrupt from the RM
 * @rm: the Resource Manager
 * @virq: GIC INTID the RM reported for a resource
 *
 * Return: a Linux IRQ number, or a negative errno.
 */
int gunyah_rm_map_virq(struct gunyah_rm *rm, u32 virq)
{
	struct irq_fwspec fwspec = { .fwnode = rm->parent_fwnode };
	int ret;

	ret = arch_gunyah_fill_irq_fwspec_params(virq, &fwspec);
	if (ret) {
		dev_err_ratelimited(rm->dev, "RM reported unusable interrupt %u\n", virq);
		return ret;
	}
	ret = irq_create_fwspec_mapping(&fwspec);
	return ret ? ret : -ENXIO;
}

static void gunyah_rm_record(struct gunyah_rm *rm, u32 msg_id, u64 ns, int ret)
{
	struct gunyah_rm_stats *s = NULL;
	int i;

	mutex_lock(&rm->stats_lock);
	for (i = 0; i < RM_STATS_IDS; i++) {
		if (rm->stats[i].msg_id == msg_id || !rm->stats[i].msg_id) {
			s = &rm->stats[i];
			break;
		}
	}
	if (s) {
		s->msg_id = msg_id;
		s->calls++;
		s->errors += ret != 0;
		s->samples_ns[s->next] = min_t(u64, ns, U32_MAX);
		s->next = (s->next + 1) % RM_STATS_SAMPLES;
		s->filled = min(s->filled + 1, (u32)RM_STATS_SAMPLES);
	}
	mutex_unlock(&rm->stats_lock);
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static int gunyah_rm_stats_show(struct seq_file *m, void *unused)
{
	struct gunyah_rm *rm = m->private;
	u32 *sorted;
	int i;

	sorted = kmalloc_array(RM_STATS_SAMPLES, sizeof(*sorted), GFP_KERNEL);
	if (!sorted)
		return -ENOMEM;
	seq_puts(m, "# msg_id calls errors median_us min_us max_us (last samples)\n");
	mutex_lock(&rm->stats_lock);
	for (i = 0; i < RM_STATS_IDS && rm->stats[i].msg_id; i++) {
		struct gunyah_rm_stats *s = &rm->stats[i];

		memcpy(sorted, s->samples_ns, s->filled * sizeof(*sorted));
		sort(sorted, s->filled, sizeof(*sorted), cmp_u32, NULL);
		seq_printf(m, "%#010x %llu %llu %u %u %u\n", s->msg_id, s->calls, s->errors,
			   sorted[s->filled / 2] / 1000, sorted[0] / 1000,
			   sorted[s->filled - 1] / 1000);
	}
	mutex_unlock(&rm->stats_lock);
	kfree(sorted);
	seq_printf(m, "# RX interrupts %ld, left to callers reading the queue %ld\n",
		   atomic_long_read(&rm->rx_irqs), atomic_long_read(&rm->rx_parked));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gunyah_rm_stats);

/* Under rx_lock: hand the notification received whole to its receiver. */
static void gunyah_rm_notify(struct gunyah_rm *rm)
{
	struct gunyah_rm_message *message;
	struct gunyah_rm_notification n;
	int ret;

	lockdep_assert_held(&rm->rx_lock);
	message = rm->notif_ready;
	rm->notif_ready = NULL;
	if (!message)
		return;
	n = (struct gunyah_rm_notification){ .payload = message->payload, .size = message->len };
	ret = blocking_notifier_call_chain(&rm->nh, message->msg_id, &n);
	if (!(ret & NOTIFY_STOP_MASK))
		dev_info_ratelimited(rm->dev, "ignored notification %#x (%zu bytes): no receiver\n",
				     message->msg_id, message->len);
	kfree(message->payload);
	kfree(message);
}

/* Under the calls lock: finish the message being reassembled. */
static void gunyah_rm_finish_active(struct gunyah_rm *rm, int ret)
{
	struct gunyah_rm_message *message = rm->active_rx;

	rm->active_rx = NULL;
	if (message->type == RM_RPC_TYPE_REPLY) {
		message->reply.ret = ret;
		complete(&message->reply.done);
	} else if (ret) {
		kfree(message->payload);
		kfree(message);
	} else {
		/* Delivered by the reader once the fragment is handled. */
		WARN_ON_ONCE(rm->notif_ready);
		rm->notif_ready = message;
	}
}

static void gunyah_rm_abort_active(struct gunyah_rm *rm, const char *why)
{
	xa_lock(&rm->calls);
	if (rm->active_rx) {
		dev_err_ratelimited(rm->dev, "dropping RM message %#x: %s\n",
				    rm->active_rx->msg_id, why);
		gunyah_rm_finish_active(rm, -EIO);
	}
	xa_unlock(&rm->calls);
}

/* A reply or notification starts. */
static void gunyah_rm_rx_start(struct gunyah_rm *rm, const struct gunyah_rm_rpc_hdr *hdr,
			       const u8 *data, size_t len)
{
	u8 type = FIELD_GET(RM_RPC_TYPE_MASK, hdr->type);
	u8 frags = FIELD_GET(RM_RPC_FRAGMENTS_MASK, hdr->type);
	u32 msg_id = le32_to_cpu(hdr->msg_id);
	struct gunyah_rm_message *message, *notif;
	int err = 0;
	void *payload;
	size_t size;

	if (rm->active_rx)
		gunyah_rm_abort_active(rm, "a new message started before it was complete");

	if (type == RM_RPC_TYPE_REPLY) {
		if (len < sizeof(__le32)) {
			dev_err_ratelimited(rm->dev, "reply to %#x too short (%zu bytes)\n",
					    msg_id, len + sizeof(*hdr));
			err = -EBADMSG;
		} else {
			err = gunyah_rm_error_remap(le32_to_cpup((const __le32 *)data));
			data += sizeof(__le32);
			len -= sizeof(__le32);
		}
	}
	if (frags > RM_MAX_CONTINUATIONS) {
		dev_err_ratelimited(rm->dev, "RM message %#x announces %u fragments\n", msg_id,
				    frags);
		err = -EBADMSG;
	}
	/* An error reply completes now; its payload, if any, is ignored. */
	if (err)
		frags = 0;
	size = err ? 0 : len + frags * RM_PAYLOAD_SIZE;
	payload = size ? kzalloc(size, GFP_KERNEL) : NULL;
	if (size && !payload)
		err = -ENOMEM;
	notif = type == RM_RPC_TYPE_NOTIF && !err ? kzalloc(sizeof(*notif), GFP_KERNEL) : NULL;

	xa_lock(&rm->calls);
	if (type == RM_RPC_TYPE_REPLY) {
		message = xa_load(&rm->calls, le16_to_cpu(hdr->seq));
		if (!message || message->msg_id != msg_id) {
			xa_unlock(&rm->calls);
			dev_err_ratelimited(rm->dev, "unexpected reply to %#x, sequence %u\n",
					    msg_id, le16_to_cpu(hdr->seq));
			kfree(payload);
			return;
		}
		__xa_erase(&rm->calls, message->reply.seq);
	} else {
		message = notif;
		if (!message) {
			xa_unlock(&rm->calls);
			kfree(payload);
			return;
		}
		message->type = RM_RPC_TYPE_NOTIF;
		message->msg_id = msg_id;
	}
	message->payload = payload;
	message->size = size;
	message->len = err ? 0 : len;
	if (!err && len)
		memcpy(payload, data, len);
	message->num_fragments = frags;
	message->fragments_received = 0;
	rm->active_rx = message;
	if (err || !frags)
		gunyah_rm_finish_active(rm, err);
	xa_unlock(&rm->calls);
}

static void gunyah_rm_rx_continuation(struct gunyah_rm *rm, const struct gunyah_rm_rpc_hdr *hdr,
				      const u8 *data, size_t len)
{
	struct gunyah_rm_message *message;

	xa_lock(&rm->calls);
	message = rm->active_rx;
	if (!message) {
		xa_unlock(&rm->calls);
		dev_err_ratelimited(rm->dev, "stray continuation of %#x\n",
				    le32_to_cpu(hdr->msg_id));
		return;
	}
	if (message->msg_id != le32_to_cpu(hdr->msg_id) ||
	    message->num_fragments != FIELD_GET(RM_RPC_FRAGMENTS_MASK, hdr->type) ||
	    message->len + len > message->size) {
		dev_err_ratelimited(rm->dev, "continuation does not match RM message %#x\n",
				    message->msg_id);
		gunyah_rm_finish_active(rm, -EIO);
		xa_unlock(&rm->calls);
		return;
	}
	memcpy(message->payload + message->len, data, len);
	message->len += len;
	if (++message->fragments_received == message->num_fragments)
		gunyah_rm_finish_active(rm, 0);
	xa_unlock(&rm->calls);
}

static void gunyah_rm_rx_fragment(struct gunyah_rm *rm, const u8 *msg, size_t size)
{
	const struct gunyah_rm_rpc_hdr *hdr = (const void *)msg;
	const u8 *data = msg + sizeof(*hdr);
	size_t len;

	if (size < sizeof(*hdr)) {
		dev_err_ratelimited(rm->dev, "RM message too short (%zu bytes)\n", size);
		return;
	}
	if (hdr->api != RM_RPC_API_BYTE) {
		dev_err_ratelimited(rm->dev, "unknown RM RPC header %#x\n", hdr->api);
		return;
	}
	len = size - sizeof(*hdr);

	switch (FIELD_GET(RM_RPC_TYPE_MASK, hdr->type)) {
	case RM_RPC_TYPE_REPLY:
	case RM_RPC_TYPE_NOTIF:
		gunyah_rm_rx_start(rm, hdr, data, len);
		break;
	case RM_RPC_TYPE_CONTINUATION:
		gunyah_rm_rx_continuation(rm, hdr, data, len);
		break;
	default:
		dev_err_ratelimited(rm->dev, "unexpected RM message type %lu for %#x\n",
				    FIELD_GET(RM_RPC_TYPE_MASK, hdr->type),
				    le32_to_cpu(hdr->msg_id));
		break;
	}
}

/* Read the RX queue until it is empty; under rm->rx_lock. */
static void gunyah_rm_drain(struct gunyah_rm *rm)
{
	bool ready = true;
	size_t len;
	int ret;

	lockdep_assert_held(&rm->rx_lock);
	while (ready) {
		ret = gunyah_hypercall_msgq_recv(rm->rx_cap, rm->recv_buf, sizeof(rm->recv_buf),
						 &len, &ready);
		if (ret) {
			if (ret != -EIO)	/* MSGQUEUE_EMPTY: nothing (more) to do */
				dev_err_ratelimited(rm->dev, "msgq_recv failed: %d\n", ret);
			break;
		}
		if (len > sizeof(rm->recv_buf)) {
			dev_err_ratelimited(rm->dev, "msgq_recv claims %zu bytes\n", len);
			continue;
		}
		gunyah_rm_rx_fragment(rm, rm->recv_buf, len);
		gunyah_rm_notify(rm);
	}
}

static void gunyah_rm_read(struct gunyah_rm *rm)
{
	mutex_lock(&rm->rx_lock);
	gunyah_rm_drain(rm);
	mutex_unlock(&rm->rx_lock);
}

/*
 * Unmask the RX interrupt if the collectors had it parked, after reading
 * what came since it was; returns whether it was parked.  Whoever clears
 * RM_RX_PARKED balances the disable_irq_nosync() of gunyah_rm_rx_irq().
 */
static bool gunyah_rm_unpark(struct gunyah_rm *rm)
{
	if (!test_and_clear_bit(RM_RX_PARKED, &rm->rx_flags))
		return false;
	gunyah_rm_read(rm);
	enable_irq(rm->rx_irq);
	return true;
}

/*
 * The RX interrupt's hard handler: with a caller about to read the queue,
 * park the interrupt for it (see the top of this file); else wake the
 * thread.
 */
static irqreturn_t gunyah_rm_rx_irq(int irq, void *data)
{
	struct gunyah_rm *rm = data;

	atomic_long_inc(&rm->rx_irqs);
	if (!atomic_read(&rm->collectors))
		return IRQ_WAKE_THREAD;
	atomic_long_inc(&rm->rx_parked);
	disable_irq_nosync(irq);
	set_bit(RM_RX_PARKED, &rm->rx_flags);
	/*
	 * Pairs with the full barrier of atomic_dec_and_test() in
	 * gunyah_rm_collect(): either the last collector sees the bit, or
	 * this sees it gone and the thread unparks.
	 */
	smp_mb__after_atomic();
	return atomic_read(&rm->collectors) ? IRQ_HANDLED : IRQ_WAKE_THREAD;
}

static irqreturn_t gunyah_rm_rx(int irq, void *data)
{
	struct gunyah_rm *rm = data;

	/* Parked when the last collector had just left: unparking reads. */
	if (!gunyah_rm_unpark(rm))
		gunyah_rm_read(rm);
	return IRQ_HANDLED;
}

/* A caller counted in rm->collectors reads the queue, and leaves. */
static void gunyah_rm_collect(struct gunyah_rm *rm)
{
	gunyah_rm_read(rm);
	if (atomic_dec_and_test(&rm->collectors))
		gunyah_rm_unpark(rm);
}

static irqreturn_t gunyah_rm_tx(int irq, void *data)
{
	struct gunyah_rm *rm = data;

	complete(&rm->send_ready);
	return IRQ_HANDLED;
}

/**
 * gunyah_rm_timeout() - how long the host waits for the Resource Manager
 *
 * Return: rpc_timeout_ms in jiffies, MAX_SCHEDULE_TIMEOUT for 0 (forever).
 */
long gunyah_rm_timeout(void)
{
	return rpc_timeout_ms ? msecs_to_jiffies(rpc_timeout_ms) : MAX_SCHEDULE_TIMEOUT;
}

/*
 * Wait for the RM: a fatal signal does not end the wait at once, it only
 * shortens it to RM_KILLED_GRACE_MS (see the top of this file).
 * Returns > 0 when @done completed, 0 on timeout, -EINTR when the caller
 * was killed and the RM stayed silent through the grace period.
 */
static long gunyah_rm_wait(struct completion *done)
{
	long left = wait_for_completion_killable_timeout(done, gunyah_rm_timeout());

	if (left >= 0)
		return left;
	left = wait_for_completion_timeout(done, msecs_to_jiffies(RM_KILLED_GRACE_MS));
	return left ? left : -EINTR;
}

/*
 * Send one request.  Returns 0 once its last fragment went out, the caller
 * then counted in rm->collectors: it must gunyah_rm_collect().
 */
static int gunyah_rm_send(struct gunyah_rm *rm, u32 msg_id, u16 seq, const void *req_buf,
			  size_t req_size)
{
	struct gunyah_rm_rpc_hdr *hdr = (void *)rm->send_buf;
	size_t frags = req_size ? DIV_ROUND_UP(req_size, RM_PAYLOAD_SIZE) - 1 : 0;
	const u8 *src = req_buf;
	size_t i;
	int ret;

	if (req_size > GUNYAH_RM_MAX_REQ_SIZE)
		return -E2BIG;

	/* Not killable: a dying task's teardown requests must go out. */
	mutex_lock(&rm->send_lock);
	for (i = 0; i <= frags; i++) {
		size_t chunk = min_t(size_t, req_size, RM_PAYLOAD_SIZE);
		bool ready;
		long left;

		if (!rm->tx_ready) {
			left = gunyah_rm_wait(&rm->send_ready);
			if (left <= 0) {
				ret = left ? -EINTR : -ETIMEDOUT;
				dev_err(rm->dev, "RM TX queue stays full%s\n",
					left ? " (the caller was killed)" : "");
				break;
			}
			rm->tx_ready = true;
		}
		hdr->api = RM_RPC_API_BYTE;
		hdr->type = FIELD_PREP(RM_RPC_TYPE_MASK, i ? RM_RPC_TYPE_CONTINUATION :
							     RM_RPC_TYPE_REQUEST) |
			    FIELD_PREP(RM_RPC_FRAGMENTS_MASK, frags);
		hdr->seq = cpu_to_le16(seq);
		hdr->msg_id = cpu_to_le32(msg_id);
		memcpy(rm->send_buf + sizeof(*hdr), src, chunk);
		src += chunk;
		req_size -= chunk;

		reinit_completion(&rm->send_ready);
		/*
		 * Only the last fragment wakes the RM up; its reply may come
		 * before the hypercall returns, and the caller collects it.
		 */
		if (i == frags)
			atomic_inc(&rm->collectors);
		ret = gunyah_hypercall_msgq_send(rm->tx_cap, sizeof(*hdr) + chunk, rm->send_buf,
						 i == frags ? GUNYAH_HYPERCALL_MSGQ_TX_FLAGS_PUSH :
							      0, &ready);
		if (ret) {
			if (i == frags)
				gunyah_rm_collect(rm);
			dev_err_ratelimited(rm->dev, "msgq_send of %#x failed: %d\n", msg_id, ret);
			break;
		}
		rm->tx_ready = ready;
	}
	mutex_unlock(&rm->send_lock);
	return ret;
}

/**
 * gunyah_rm_call() - make an RPC to the Resource Manager
 * @rm: the Resource Manager
 * @message_id: RPC function ID
 * @req_buf: request payload
 * @req_buf_size: its size (at most GUNYAH_RM_MAX_REQ_SIZE)
 * @resp_buf: on success, a kmalloc'd copy of the reply payload, or NULL
 * @resp_buf_size: on success, the reply payload's size
 *
 * Sleeps until the reply arrives, and gives up after rpc_timeout_ms.  A
 * fatal signal does not abandon the reply: the caller waits for it a
 * little longer and gets it (see the top of this file).  The RM's error
 * code is returned as an errno.
 *
 * Return: 0, the RM's error as an errno, -ETIMEDOUT, -EINTR if killed and
 * the RM did not answer within the grace period, or another negative
 * errno for transport failures.
 */
int gunyah_rm_call(struct gunyah_rm *rm, u32 message_id, const void *req_buf, size_t req_buf_size,
		   void **resp_buf, size_t *resp_buf_size)
{
	struct gunyah_rm_message *message;
	ktime_t start = ktime_get();
	u32 seq;
	long left;
	int ret;

	if (!message_id)
		return -EINVAL;

	message = kzalloc(sizeof(*message), GFP_KERNEL);
	if (!message)
		return -ENOMEM;
	message->type = RM_RPC_TYPE_REPLY;
	message->msg_id = message_id;
	init_completion(&message->reply.done);

	ret = xa_alloc_cyclic(&rm->calls, &seq, message, XA_LIMIT(0, U16_MAX), &rm->next_seq,
			      GFP_KERNEL);
	if (ret < 0) {
		kfree(message);
		return ret;
	}
	message->reply.seq = seq;

	ret = gunyah_rm_send(rm, message_id, seq, req_buf, req_buf_size);
	if (!ret) {
		/* The reply may be in already: collect it without a wake-up. */
		gunyah_rm_collect(rm);
		left = gunyah_rm_wait(&message->reply.done);
		ret = left > 0 ? 0 : left ? -EINTR : -ETIMEDOUT;
	}

	if (ret) {
		/* Give up: take the call back from whoever holds it. */
		xa_lock(&rm->calls);
		if (xa_load(&rm->calls, seq) == message)
			__xa_erase(&rm->calls, seq);
		else if (rm->active_rx == message)
			rm->active_rx = NULL;
		else if (completion_done(&message->reply.done))
			ret = 0;	/* the reply made it after all */
		xa_unlock(&rm->calls);
		if (ret == -ETIMEDOUT)
			dev_err(rm->dev, "no reply from the RM to %#x within %u ms\n", message_id,
				rpc_timeout_ms);
		else if (ret == -EINTR)
			dev_err(rm->dev, "no reply from the RM to %#x within %u ms of the caller's death\n",
				message_id, RM_KILLED_GRACE_MS);
	}
	if (!ret)
		ret = message->reply.ret;

	if (!ret) {
		*resp_buf = message->len ? message->payload : NULL;
		*resp_buf_size = message->len;
		if (!message->len)
			kfree(message->payload);
	} else {
		kfree(message->payload);
	}
	gunyah_rm_record(rm, message_id, ktime_to_ns(ktime_sub(ktime_get(), start)), ret);
	kfree(message);
	return ret;
}

static void gunyah_rm_remove_debugfs(void *data)
{
	struct gunyah_rm *rm = data;

	debugfs_remove_recursive(rm->debugfs);
}

static void gunyah_rm_destroy_vm_mgr(void *data)
{
	struct gunyah_rm *rm = data;

	gunyah_vm_mgr_destroy(rm->vm_mgr);
}

static int gunyah_rm_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct device_node *parent;
	struct irq_domain *domain;
	struct gunyah_rm *rm;
	int ret;

	if (!gunyah_hypervisor_ready())
		return -EPROBE_DEFER;
	if (!gunyah_api_has_feature(GUNYAH_FEATURE_MSGQUEUE))
		return dev_err_probe(dev, -ENODEV, "the hypervisor has no message queues\n");

	rm = devm_kzalloc(dev, sizeof(*rm), GFP_KERNEL);
	if (!rm)
		return -ENOMEM;
	rm->dev = dev;
	platform_set_drvdata(pdev, rm);

	if (of_property_read_u64_index(dev->of_node, "reg", 0, &rm->tx_cap) ||
	    of_property_read_u64_index(dev->of_node, "reg", 1, &rm->rx_cap))
		return dev_err_probe(dev, -EINVAL, "no message queue capabilities in \"reg\"\n");

	rm->tx_irq = platform_get_irq(pdev, 0);
	if (rm->tx_irq < 0)
		return rm->tx_irq;
	rm->rx_irq = platform_get_irq(pdev, 1);
	if (rm->rx_irq < 0)
		return rm->rx_irq;

	parent = of_irq_find_parent(dev->of_node);
	if (!parent)
		return dev_err_probe(dev, -ENODEV, "no interrupt parent\n");
	domain = irq_find_host(parent);
	of_node_put(parent);
	if (!domain)
		return -EPROBE_DEFER;
	rm->parent_fwnode = domain->fwnode;

	mutex_init(&rm->send_lock);
	mutex_init(&rm->rx_lock);
	init_completion(&rm->send_ready);
	rm->host_vmid = GUNYAH_VMID_INVAL;
	rm->tx_ready = true;
	xa_init_flags(&rm->calls, XA_FLAGS_ALLOC);
	BLOCKING_INIT_NOTIFIER_HEAD(&rm->nh);
	mutex_init(&rm->stats_lock);

	ret = devm_request_irq(dev, rm->tx_irq, gunyah_rm_tx, 0, "gunyah_rm_tx", rm);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request the TX interrupt\n");
	ret = devm_request_threaded_irq(dev, rm->rx_irq, gunyah_rm_rx_irq, gunyah_rm_rx,
					IRQF_ONESHOT, "gunyah_rm_rx", rm);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request the RX interrupt\n");

	rm->debugfs = debugfs_create_dir("gunyah_rm", NULL);
	debugfs_create_file("rpc_stats", 0444, rm->debugfs, rm, &gunyah_rm_stats_fops);
	debugfs_create_u32("demand_paging", 0644, rm->debugfs, &rm->demand_paging);
	debugfs_create_u16("host_vmid", 0644, rm->debugfs, &rm->host_vmid);
	ret = devm_add_action_or_reset(dev, gunyah_rm_remove_debugfs, rm);
	if (ret)
		return ret;

	rm->vm_mgr = gunyah_vm_mgr_create(rm);
	if (IS_ERR(rm->vm_mgr))
		return dev_err_probe(dev, PTR_ERR(rm->vm_mgr), "cannot register /dev/gunyah\n");
	ret = devm_add_action_or_reset(dev, gunyah_rm_destroy_vm_mgr, rm);
	if (ret)
		return ret;

	dev_info(dev, "Resource Manager channel ready (TX %#llx, RX %#llx)\n", rm->tx_cap,
		 rm->rx_cap);
	return 0;
}

static const struct of_device_id gunyah_rm_of_match[] = {
	{ .compatible = "gunyah-resource-manager" },
	{}
};
MODULE_DEVICE_TABLE(of, gunyah_rm_of_match);

static struct platform_driver gunyah_rm_driver = {
	.probe = gunyah_rm_probe,
	.driver = {
		.name = "gunyah_rsc_mgr",
		.of_match_table = gunyah_rm_of_match,
		/* VM files outlive nothing: no unbinding under them. */
		.suppress_bind_attrs = true,
	},
};

static int __init gunyah_rm_init(void)
{
	int ret = gunyah_gmem_init();

	if (ret)
		return ret;
	ret = platform_driver_register(&gunyah_rm_driver);
	if (ret)
		gunyah_gmem_exit();
	return ret;
}
module_init(gunyah_rm_init);

static void __exit gunyah_rm_exit(void)
{
	platform_driver_unregister(&gunyah_rm_driver);
	gunyah_gmem_exit();
}
module_exit(gunyah_rm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah Resource Manager RPC and VM manager");
