// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: access to host memory named by host addresses.
 *
 * Hypercalls such as msgq_send pass kernel virtual addresses.  They are
 * translated page by page with the AT instruction through the host's own
 * stage-1 and its stage-2, then reached through the hypervisor's identity
 * map.  Only host RAM is accepted: never the hypervisor's memory, never
 * devices.
 */
#include "host_mem.h"

bool host_ram_range(u64 pa, u64 len)
{
	u64 start = PLAT_HYP_BASE + PLAT_HYP_SIZE;

	return len && pa >= start && pa + len > pa && pa + len <= bootcfg->host_ram_end;
}

static bool host_va_to_pa(u64 va, bool write, u64 *pa)
{
	u64 saved = read_sysreg(par_el1), par;

	if (write)
		asm volatile("at s12e1w, %0" : : "r"(va));
	else
		asm volatile("at s12e1r, %0" : : "r"(va));
	isb();
	par = read_sysreg(par_el1);
	write_sysreg(saved, par_el1);
	if (par & 1)
		return false;
	*pa = (par & 0x0000fffffffff000UL) | (va & 0xfff);
	return true;
}

static bool host_copy(u64 va, void *buf, size_t len, bool to_host)
{
	u8 *p = buf;

	while (len) {
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		u64 pa;

		if (chunk > len)
			chunk = len;
		if (!host_va_to_pa(va, to_host, &pa) || !host_ram_range(pa, chunk))
			return false;
		if (to_host)
			memcpy((void *)pa, p, chunk);
		else
			memcpy(p, (void *)pa, chunk);
		va += chunk;
		p += chunk;
		len -= chunk;
	}
	return true;
}

bool host_copy_from_va(void *dst, u64 va, size_t len)
{
	return host_copy(va, dst, len, false);
}

bool host_copy_to_va(u64 va, const void *src, size_t len)
{
	return host_copy(va, (void *)src, len, true);
}
