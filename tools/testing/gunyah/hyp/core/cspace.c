// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: the host's capability space.
 */
#include "cspace.h"
#include "hypercalls.h"
#include "spinlock.h"

struct cap {
	u64 id;
	enum cap_type type;
	u32 rights;
	void *obj;
};

static struct cap caps[CSPACE_SIZE];
static struct spinlock cspace_lock;
static u64 cap_counter;

/* A bijective scramble of a counter: unique, non-sequential IDs. */
static u64 scramble(u64 x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	x ^= x >> 33;
	return x;
}

static struct cap *find(u64 id)
{
	for (unsigned int i = 0; i < CSPACE_SIZE; i++)
		if (caps[i].type != CAP_TYPE_NONE && caps[i].id == id)
			return &caps[i];
	return NULL;
}

static struct cap *free_slot(void)
{
	for (unsigned int i = 0; i < CSPACE_SIZE; i++)
		if (caps[i].type == CAP_TYPE_NONE)
			return &caps[i];
	return NULL;
}

int cspace_install(u64 id, enum cap_type type, u32 rights, void *obj)
{
	struct cap *c;
	int ret = -1;

	spin_lock(&cspace_lock);
	c = find(id) ? NULL : free_slot();
	if (c) {
		*c = (struct cap){ .id = id, .type = type, .rights = rights, .obj = obj };
		ret = 0;
	}
	spin_unlock(&cspace_lock);
	return ret;
}

u64 cspace_create(enum cap_type type, u32 rights, void *obj, s64 *err)
{
	struct cap *c;
	u64 id = 0;

	spin_lock(&cspace_lock);
	c = free_slot();
	if (c) {
		do {
			id = scramble(++cap_counter ^ 0x6775e7a4c0ffee00ULL);
		} while (id == 0 || id == ~0ULL || find(id));
		*c = (struct cap){ .id = id, .type = type, .rights = rights, .obj = obj };
	} else {
		*err = GH_ERROR_CSPACE_FULL;
	}
	spin_unlock(&cspace_lock);
	return id;
}

void cspace_delete(u64 id)
{
	struct cap *c;

	spin_lock(&cspace_lock);
	c = find(id);
	if (c)
		c->type = CAP_TYPE_NONE;
	spin_unlock(&cspace_lock);
}

void *cspace_lookup(u64 id, enum cap_type type, u32 rights, s64 *err)
{
	struct cap *c;
	void *obj = NULL;

	spin_lock(&cspace_lock);
	c = find(id);
	if (!c)
		*err = GH_ERROR_CSPACE_CAP_NULL;
	else if (c->type != type)
		*err = GH_ERROR_CSPACE_WRONG_OBJ_TYPE;
	else if ((c->rights & rights) != rights)
		*err = GH_ERROR_CSPACE_INSUF_RIGHTS;
	else
		obj = c->obj;
	spin_unlock(&cspace_lock);
	return obj;
}

unsigned int cspace_count(void)
{
	unsigned int n = 0;

	spin_lock(&cspace_lock);
	for (unsigned int i = 0; i < CSPACE_SIZE; i++)
		n += caps[i].type != CAP_TYPE_NONE;
	spin_unlock(&cspace_lock);
	return n;
}
