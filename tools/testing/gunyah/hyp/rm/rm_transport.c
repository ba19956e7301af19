// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: Resource Manager RPC transport.
 *
 * Every message-queue message is one fragment: an 8-byte header (API byte,
 * type and continuation count, sequence number, function ID) and up to 232
 * payload bytes.  Requests are reassembled here and dispatched; replies and
 * notifications are cut into fragments and kept in an outbox that feeds
 * the RM-to-host queue whenever it has room, so that a reply of up to 63
 * fragments goes through a queue of depth 8.
 */
#include "fault.h"
#include "rm.h"
#include "spinlock.h"

#define OUTBOX_FRAGS	256

static struct spinlock rm_spinlock;
static struct msgq rm_tx;	/* host -> RM */
static struct msgq rm_rx;	/* RM -> host */

static struct {
	bool active;
	u8 continuations;
	u8 received;
	u16 seq;
	u32 fn;
	size_t len;
	u8 buf[RM_MAX_MSG];
} asm_req;

static struct {
	u32 head;
	u32 count;
	struct {
		u16 len;
		u8 data[RM_MSG_SIZE];
	} frags[OUTBOX_FRAGS];
} outbox;

static u16 notify_seq;
static unsigned long dropped;

void rm_lock(void)
{
	spin_lock(&rm_spinlock);
}

void rm_unlock(void)
{
	spin_unlock(&rm_spinlock);
}

bool rm_oss_profile(void)
{
	return bootcfg->rm_profile == BOOTCFG_RM_OSS;
}

struct msgq *rm_host_queue(u64 capid, bool *host_sends)
{
	if (capid == bootcfg->rm_tx_cap) {
		*host_sends = true;
		return &rm_tx;
	}
	if (capid == bootcfg->rm_rx_cap) {
		*host_sends = false;
		return &rm_rx;
	}
	return NULL;
}

/* Move outbox fragments into the RM-to-host queue while it has room. */
static void outbox_pump(struct msgq *q)
{
	while (outbox.count && msgq_has_room(&rm_rx)) {
		bool not_full;

		msgq_send(&rm_rx, outbox.frags[outbox.head].data, outbox.frags[outbox.head].len,
			  true, &not_full);
		outbox.head = (outbox.head + 1) % OUTBOX_FRAGS;
		outbox.count--;
	}
}

static void put_header(u8 *p, u8 type, u8 continuations, u16 seq, u32 fn)
{
	p[0] = RM_API_BYTE;
	p[1] = (u8)(type | continuations << 2);
	put_le16(p + 2, seq);
	put_le32(p + 4, fn);
}

static u8 *outbox_slot(size_t len)
{
	u32 slot = (outbox.head + outbox.count) % OUTBOX_FRAGS;

	outbox.frags[slot].len = (u16)len;
	outbox.count++;
	return outbox.frags[slot].data;
}

/*
 * Queue one message: @pre (the reply's error word, if any) then @payload.
 * @claimed overrides the continuation count written in the headers.
 */
static void send_message(u8 type, u16 seq, u32 fn, const u8 *pre, size_t pre_len,
			 const u8 *payload, size_t len, int claimed)
{
	size_t total = pre_len + len, off = 0;
	u32 frags = total ? (u32)((total + RM_FRAG_PAYLOAD - 1) / RM_FRAG_PAYLOAD) : 1;
	u8 cont = (u8)(claimed >= 0 ? claimed : (int)frags - 1);

	if (frags - 1 > RM_MAX_CONTINUATIONS || outbox.count + frags > OUTBOX_FRAGS) {
		dropped++;
		printf("RM: dropping a %lu-byte message %x (outbox %u/%u)\n", total, fn,
		       outbox.count, OUTBOX_FRAGS);
		return;
	}
	for (u32 i = 0; i < frags; i++) {
		size_t chunk = total - off < RM_FRAG_PAYLOAD ? total - off : RM_FRAG_PAYLOAD;
		u8 *p = outbox_slot(RM_HDR_SIZE + chunk);

		put_header(p, i ? RM_TYPE_CONTINUATION : type, cont, seq, fn);
		for (size_t b = 0; b < chunk; b++, off++)
			p[RM_HDR_SIZE + b] = off < pre_len ? pre[off] : payload[off - pre_len];
	}
	outbox_pump(&rm_rx);
}

/* Fault injection applies to the reply of the request being answered. */
static struct fault reply_fault;
static bool reply_fault_armed;

/* A reply held back by FAULT_RPC_LATE_REPLY. */
static struct {
	bool held;
	u16 seq;
	u32 fn;
	u8 ew[4];
	size_t len;
	u8 payload[RM_MAX_MSG];
} late;

/*
 * The host has read the RM-to-host queue (msgq_recv, whatever it found): a
 * reply held back goes out now, after that read, as from an RM that
 * answers after the host has looked.  Called with rm_lock held.
 */
void rm_rx_after_recv(void)
{
	if (!late.held)
		return;
	late.held = false;
	send_message(RM_TYPE_REPLY, late.seq, late.fn, late.ew, 4, late.payload, late.len, -1);
}

void rm_reply(const struct rm_request *req, u32 err, const void *payload, size_t len)
{
	static u8 junk[RM_MAX_MSG];
	u8 ew[4];
	u16 seq = req->seq;
	int claimed = -1;

	put_le32(ew, err);
	if (reply_fault_armed) {
		reply_fault_armed = false;
		switch (reply_fault.kind) {
		case FAULT_RPC_TRUNCATE: {
			u8 *p = outbox_slot(RM_HDR_SIZE + 2);

			put_header(p, RM_TYPE_REPLY, 0, seq, req->fn);
			p[8] = 0;
			p[9] = 0;
			outbox_pump(&rm_rx);
			return;
		}
		case FAULT_RPC_OVERSIZE: {
			size_t extra = reply_fault.value;

			if (len + extra > RM_MAX_MSG - 4)
				extra = RM_MAX_MSG - 4 - len;
			memcpy(junk, payload, len);
			memset(junk + len, 0xa5, extra);
			payload = junk;
			len += extra;
			break;
		}
		case FAULT_RPC_BAD_SEQ:
			seq++;
			break;
		case FAULT_RPC_NO_REPLY:
			return;
		case FAULT_RPC_LATE_REPLY:
			if (late.held || len > sizeof(late.payload))
				break;
			late.held = true;
			late.seq = seq;
			late.fn = req->fn;
			memcpy(late.ew, ew, 4);
			memcpy(late.payload, payload, len);
			late.len = len;
			return;
		case FAULT_RPC_BAD_HEADER: {
			u8 *p = outbox_slot(RM_HDR_SIZE + 4);

			put_header(p, RM_TYPE_REPLY, 0, seq, req->fn);
			p[0] = 0x31;
			memcpy(p + RM_HDR_SIZE, ew, 4);
			outbox_pump(&rm_rx);
			return;
		}
		case FAULT_RPC_JUNK_FIRST:
			send_message(RM_TYPE_CONTINUATION, seq, req->fn, NULL, 0, ew, 4, 1);
			send_message(RM_TYPE_REQUEST, seq, req->fn, NULL, 0, ew, 4, -1);
			break;
		case FAULT_RPC_TOO_MANY_FRAGS:
			claimed = RM_MAX_CONTINUATIONS + 1;
			len = 0;
			break;
		case FAULT_RPC_NOTIFY_BAD_VM: {
			u8 n[12] = { 0 };

			send_message(RM_TYPE_REPLY, seq, req->fn, ew, 4, payload, len, -1);
			put_le16(n, 0x7fff);
			put_le16(n + 2, 1);
			rm_notify(RM_NOTIF_VM_EXITED, n, 8);
			n[4] = VM_STATUS_RESET;
			rm_notify(RM_NOTIF_VM_STATUS, n, 8);
			return;
		}
		default:
			break;
		}
	}
	send_message(RM_TYPE_REPLY, seq, req->fn, ew, 4, payload, len, claimed);
}

void rm_notify(u32 fn, const void *payload, size_t len)
{
	send_message(RM_TYPE_NOTIFICATION, notify_seq++, fn, NULL, 0, payload, len, -1);
}

static void dispatch(void)
{
	struct rm_request req = {
		.seq = asm_req.seq, .fn = asm_req.fn, .payload = asm_req.buf, .len = asm_req.len,
	};
	struct fault f;

	asm_req.active = false;
	if (fault_check_rpc(req.fn, &f)) {
		if (f.kind == FAULT_RPC_ERROR) {
			rm_vm_refused(&req, (u32)f.value);
			rm_reply(&req, (u32)f.value, NULL, 0);
			return;
		}
		reply_fault = f;
		reply_fault_armed = true;
	}
	if (!rm_vm_request(&req) && !rm_mem_request(&req))
		rm_reply(&req, RM_ERROR_UNIMPLEMENTED, NULL, 0);
	reply_fault_armed = false;
}

static void rx_fragment(const u8 *msg, size_t len)
{
	u8 type, cont;
	size_t n = len - RM_HDR_SIZE;

	if (len < RM_HDR_SIZE || msg[0] != RM_API_BYTE)
		return;
	type = msg[1] & 3;
	cont = msg[1] >> 2;
	if (type == RM_TYPE_REQUEST) {
		if (cont > RM_MAX_CONTINUATIONS)
			return;
		asm_req.active = true;
		asm_req.continuations = cont;
		asm_req.received = 0;
		asm_req.seq = get_le16(msg + 2);
		asm_req.fn = get_le32(msg + 4);
		memcpy(asm_req.buf, msg + RM_HDR_SIZE, n);
		asm_req.len = n;
	} else if (type == RM_TYPE_CONTINUATION) {
		if (!asm_req.active || cont != asm_req.continuations ||
		    get_le16(msg + 2) != asm_req.seq || get_le32(msg + 4) != asm_req.fn) {
			asm_req.active = false;
			return;
		}
		memcpy(asm_req.buf + asm_req.len, msg + RM_HDR_SIZE, n);
		asm_req.len += n;
		asm_req.received++;
	} else {
		return;		/* the host sends no replies or notifications */
	}
	if (asm_req.received == asm_req.continuations)
		dispatch();
}

/* The host pushed requests: consume everything queued. */
static void rm_tx_notify(struct msgq *q)
{
	const u8 *msg;
	size_t len;

	while ((msg = msgq_peek(q, &len))) {
		static u8 frag[RM_MSG_SIZE];

		memcpy(frag, msg, len);
		msgq_consume(q, NULL);
		rx_fragment(frag, len);
	}
}

void rm_init(void)
{
	msgq_init(&rm_tx, MSGQ_MAX_DEPTH, RM_MSG_SIZE);
	msgq_init(&rm_rx, MSGQ_MAX_DEPTH, RM_MSG_SIZE);
	rm_tx.notfull_virq = bootcfg->rm_tx_virq;
	rm_tx.receiver_notify = rm_tx_notify;
	rm_rx.notempty_virq = bootcfg->rm_rx_virq;
	rm_rx.sender_notify = outbox_pump;
}
