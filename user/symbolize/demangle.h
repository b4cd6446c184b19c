/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/demangle.h - the short form of a function name, as perf shows C++: scope and name,
 * nothing a reader has to decode to find the function.
 *
 * From a demangled C++ name (what __cxa_demangle returns) this keeps the scopes and the name and
 * drops the rest:
 *   - template arguments become "<...>":     std::vector<int, std::allocator<int> >::push_back
 *                                              -> std::vector<...>::push_back
 *   - the parameter list, return type, cv- and ref-qualifiers, ABI tags ("[abi:cxx11]") and
 *     clone suffixes ("[clone .part.0]", "[clone .cold]") go;
 *   - a function returning a function pointer, "void (*Foo::get(int))(int)", is Foo::get;
 *   - an enclosing function's parameters go from a local scope: "f(int)::{lambda(int)#1}::
 *     operator()(int) const" -> "f::{lambda#1}::operator()";
 *   - lambdas are "{lambda#N}" (their parameters dropped, the number kept: two lambdas of one
 *     function stay apart), "(anonymous namespace)" and "{unnamed type#N}" stay;
 *   - operator names stay whole: operator(), operator<, operator<<, operator->*, operator new[],
 *     conversions ("operator std::vector<...>", "operator char const*").
 * A C name loses the suffixes GCC and LLVM give clones (".part.0", ".isra.0", ".constprop.0",
 * ".cold", ".lto_priv.0", ".localalias", ".llvm.123"), so foo.cold counts as foo.
 */
#ifndef BPFPROF_DEMANGLE_H
#define BPFPROF_DEMANGLE_H

#include <stddef.h>

/*
 * Write the short form of full (a demangled name, or a C name) to out, len bytes with the NUL;
 * truncated to fit. Returns the short form's length, as snprintf. Pure: no allocation survives
 * the call, any input (unbalanced brackets, garbage) gives some output and never reads past
 * full's NUL.
 */
size_t demangle__short(const char *full, char *out, size_t len);

#endif /* BPFPROF_DEMANGLE_H */
