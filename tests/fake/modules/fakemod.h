/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Minimal stand-ins for the kernel's module macros: enough for depmod,
 * modinfo, modprobe and the fake kernel (tests/fake/fakestate.c).  Each
 * fixture module is compiled with "$CC -c" into a relocatable ELF file
 * with a .modinfo section, __ksymtab_strings for its exports (what kmod's
 * depmod reads) and undefined symbols for what it uses.
 */
#ifndef FAKEMOD_H
#define FAKEMOD_H

#ifndef FK_RELEASE
#define FK_RELEASE "6.1.0-fake"
#endif

#define FK_CAT2(a, b) a##b
#define FK_CAT(a, b) FK_CAT2(a, b)

#define MODULE_INFO(tag, val)                                                \
	static const char FK_CAT(__modinfo_, __COUNTER__)[]                  \
	__attribute__((section(".modinfo"), used, aligned(1))) = #tag "=" val

#define MODULE_LICENSE(l) MODULE_INFO(license, l)
#define MODULE_AUTHOR(a) MODULE_INFO(author, a)
#define MODULE_DESCRIPTION(d) MODULE_INFO(description, d)
#define MODULE_ALIAS(a) MODULE_INFO(alias, a)
#define MODULE_VERSION(v) MODULE_INFO(version, v)
#define MODULE_SOFTDEP(s) MODULE_INFO(softdep, s)
#define MODULE_PARM_DESC(p, d) MODULE_INFO(parm, #p ":" d)
#define module_param(name, type, perm) MODULE_INFO(parmtype, #name ":" #type)

/* what modpost adds in NAME.mod.c */
#define MODULE_FAKE_MODPOST(modname, deps)                                   \
	MODULE_INFO(name, modname);                                          \
	MODULE_INFO(depends, deps);                                          \
	MODULE_INFO(retpoline, "Y");                                         \
	MODULE_INFO(vermagic, FK_RELEASE " SMP preempt mod_unload modversions ")
#define MODULE_INTREE() MODULE_INFO(intree, "Y")

#define EXPORT_SYMBOL(sym)                                                   \
	static const char FK_CAT(__kstrtab_, sym)[]                          \
	__attribute__((section("__ksymtab_strings"), used, aligned(1))) = #sym
#define EXPORT_SYMBOL_GPL(sym) EXPORT_SYMBOL(sym)

#define module_init(fn) int init_module(void) __attribute__((alias(#fn)))
#define module_exit(fn) void cleanup_module(void) __attribute__((alias(#fn)))

#endif
