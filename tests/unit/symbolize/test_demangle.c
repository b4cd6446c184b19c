// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_demangle.c - short names (symbolize/demangle.h) of real demangler output: the mangled
 * names below came out of g++ 12 and clang++ 14 builds (nm) of small programs with templates,
 * operators, lambdas, std::function, sort, shared_ptr, functions returning function pointers,
 * thunks, ABI tags and GCC clones; the test demangles them with the same __cxa_demangle the
 * symbolizer uses, so the input is what a profile would show. Then C names, garbage, truncation.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "symbolize/demangle.h"

char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

static const char *const mangled[][2] = {
	/* templates: arguments elided, return types dropped */
	{ "_Z2tfIdET_S0_", "tf<...>" },
	{ "_ZN3ArrILi2EE1fEv", "Arr<...>::f" },
	{ "_ZN2BoILb1EE1fEv", "Bo<...>::f" },
	{ "_ZNK3BoxIiE4convIlEET_S2_", "Box<...>::conv<...>" },
	{ "_ZNSt16_Sp_counted_baseILN9__gnu_cxx12_Lock_policyE2EE10_M_releaseEv",
	  "std::_Sp_counted_base<...>::_M_release" },
	{ "_ZNKSt9_Any_data9_M_accessIZ4mainEUliE_EERKT_v", "std::_Any_data::_M_access<...>" },
	{ "_ZSt16__introsort_loopIN9__gnu_cxx17__normal_iteratorIPNSt7__cxx1112basic_stringIcSt11"
	  "char_traitsIcESaIcEEESt6vectorIS7_SaIS7_EEEElNS0_5__ops15_Iter_less_iterEEvT_SF_T0_T1_"
	  ".isra.0",
	  "std::__introsort_loop<...>" },
	{ "_Z3addIilEDTplfp_fp0_ET_T0_", "add<...>" },
	/* std::function: "int (int)" inside the template arguments */
	{ "_ZNKSt8functionIFiiEEclEi", "std::function<...>::operator()" },
	{ "_ZNSt17_Function_handlerIFiiEZ4mainEUliE_E9_M_invokeERKSt9_Any_dataOi",
	  "std::_Function_handler<...>::_M_invoke" },
	{ "_ZNSt8functionIFiiEEC1IZ4mainEUliE_vEEOT_", "std::function<...>::function<...>" },
	{ "_ZNSt8functionIFiiEED1Ev", "std::function<...>::~function" },
	/* operators stay whole */
	{ "_ZN3BoxIiEclEi", "Box<...>::operator()" },
	{ "_ZNK3BoxIiEltERKS0_", "Box<...>::operator<" },
	{ "_ZN3BoxIiElsEi", "Box<...>::operator<<" },
	{ "_ZN3BoxIiEpmEi", "Box<...>::operator->*" },
	{ "_ZN3BoxIiEnaEm", "Box<...>::operator new[]" },
	{ "_ZN3BoxIiEdaEPv", "Box<...>::operator delete[]" },
	{ "_ZNK3BoxIiEcvPKcEv", "Box<...>::operator char const*" },
	{ "_ZNK3BoxIiEcvSt6vectorIiSaIiEEEv", "Box<...>::operator std::vector<...>" },
	{ "_ZN9__gnu_cxxeqIPNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEESt6vectorIS6_SaIS6_"
	  "EEEEbRKNS_17__normal_iteratorIT_T0_EESG_",
	  "__gnu_cxx::operator==<...>" },
	{ "_ZN9__gnu_cxxltIPNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEESt6vectorIS6_SaIS6_"
	  "EEEEbRKNS_17__normal_iteratorIT_T0_EESG_",
	  "__gnu_cxx::operator< <...>" },
	{ "_ZN9__gnu_cxxmiIPNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEESt6vectorIS6_SaIS6_"
	  "EEEENS_17__normal_iteratorIT_T0_E15difference_typeERKSE_SH_",
	  "__gnu_cxx::operator-<...>" },
	{ "_ZNK3CmpIiEclEii", "Cmp<...>::operator()" },
	/* functions returning function pointers: the name is inside the parentheses */
	{ "_Z3tfpIiEPFidET_", "tfp<...>" },
	{ "_Z4nestIiEPFPFilEcET_", "nest<...>" },
	{ "_ZNK1WIiE3getIdEEPFviET_", "W<...>::get<...>" },
	{ "_Z3selIiEiPFT_iE", "sel<...>" },
	/* lambdas, local classes, anonymous namespaces */
	{ "_ZZ4mainENKUliE_clEi", "main::{lambda#1}::operator()" },
	{ "_ZZ5localiENKUldE0_clEd", "local::{lambda#2}::operator()" },
	{ "_ZZ5localiEN1L1gEi", "local::L::g" },
	{ "_Z4callIZ4mainEUliE0_EiT_", "call<...>" },
	{ "_ZZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE12_M_constructIPKcEEvT_S8_St20"
	  "forward_iterator_tagEN6_GuardD1Ev",
	  "std::__cxx11::basic_string<...>::_M_construct<...>::_Guard::~_Guard" },
	{ "_ZNK12_GLOBAL__N_14Anon1fEi", "(anonymous namespace)::Anon::f" },
	/* ABI tags, thunks, clones */
	{ "_Z3tagB5cxx11v", "tag" },
	{ "_ZNSt7__cxx119to_stringEi", "std::__cxx11::to_string" },
	{ "_ZThn8_N1D1hEv", "D::h" },
	{ "_ZN3Foo3barEi.part.0", "Foo::bar" },
	{ "_ZN3Foo3barEi.cold", "Foo::bar" },
	{ "_ZN3Foo3barEi.constprop.0.isra.0", "Foo::bar" },
};

/* Names as they come, not from the demangler: C names, odd and broken ones. */
static const char *const direct[][2] = {
	{ "main", "main" },
	{ "main.cold", "main" },
	{ "init_cpu_features.constprop.0", "init_cpu_features" },
	{ "foo.isra.0.cold", "foo" },
	{ "foo.lto_priv.0", "foo" },
	{ "bar.llvm.1234567", "bar" },
	{ "version.c.1", "version.c.1" }, /* not a clone suffix */
	{ "", "" },
	{ "operator", "operator" },
	{ "{lambda()#3}", "{lambda#3}" },
	{ "Foo<(1>2)>::x(int)", "Foo<...>::x" }, /* '>' inside parentheses */
	{ "Foo::operator std::vector<int, std::allocator<int> > const&() const",
	  "Foo::operator std::vector<...> const&" },
	{ "Foo::bar() const::{lambda()#1}::operator()() const",
	  "Foo::bar::{lambda#1}::operator()" },
	{ "((((", "((((" },
	{ "<<<<", "<...>" },
	{ "f(int", "f" },
	{ "x))))", "x))))" },
};

static void test_mangled(void)
{
	char out[512], desc[700];
	size_t i;

	for (i = 0; i < sizeof(mangled) / sizeof(mangled[0]); i++) {
		int status = -1;
		char *full = __cxa_demangle(mangled[i][0], NULL, NULL, &status);

		if (!check(full && !status, "__cxa_demangle %s", mangled[i][0]))
			continue;
		demangle__short(full, out, sizeof(out));
		snprintf(desc, sizeof(desc), "%.300s -> %s", full, mangled[i][1]);
		check_str(out, mangled[i][1], desc);
		free(full);
	}
}

static void test_direct(void)
{
	char out[512], desc[700];
	size_t i;

	for (i = 0; i < sizeof(direct) / sizeof(direct[0]); i++) {
		size_t n = demangle__short(direct[i][0], out, sizeof(out));

		snprintf(desc, sizeof(desc), "'%s' -> '%s'", direct[i][0], direct[i][1]);
		check_str(out, direct[i][1], desc);
		check_int(n, strlen(direct[i][1]), "the length returned is the short name's");
	}
}

static void test_truncation(void)
{
	const char *full = "std::vector<int, std::allocator<int> >::push_back(int const&)";
	char out[16];
	size_t n;

	memset(out, 'x', sizeof(out));
	n = demangle__short(full, out, 8);
	check_str(out, "std::ve", "truncated to the buffer, NUL included");
	check_int(n, strlen("std::vector<...>::push_back"), "returns the full short length");
	check(out[8] == 'x', "nothing written past len");
	check_int(demangle__short(full, out, 0), strlen("std::vector<...>::push_back"),
		  "len 0: only the length");
}

/* Every prefix of every real name, and random bytes: some output, NUL-terminated, no crash. */
static void test_prefixes_and_noise(void)
{
	char out[64], in[400];
	size_t i, j, bad = 0, runs = 0;

	for (i = 0; i < sizeof(mangled) / sizeof(mangled[0]); i++) {
		int status = -1;
		char *full = __cxa_demangle(mangled[i][0], NULL, NULL, &status);

		for (j = 0; full && j <= strlen(full) && j < sizeof(in); j++, runs++) {
			snprintf(in, sizeof(in), "%.*s", (int)j, full);
			demangle__short(in, out, sizeof(out));
			bad += strlen(out) >= sizeof(out) || (j && !out[0]);
		}
		free(full);
	}
	srand(7);
	for (i = 0; i < 20000; i++, runs++) {
		static const char alphabet[] = "<>(){}[]:: *&,~operator#lambda-.0x";
		size_t n = rand() % 40;

		for (j = 0; j < n; j++)
			in[j] = alphabet[rand() % (sizeof(alphabet) - 1)];
		in[n] = '\0';
		demangle__short(in, out, sizeof(out));
		bad += strlen(out) >= sizeof(out) || (n && !out[0]);
	}
	check(bad == 0, "%zu prefixes of real names and random strings: %zu gave no name", runs,
	      bad);
}

int main(void)
{
	test_mangled();
	test_direct();
	test_truncation();
	test_prefixes_and_noise();
	return check_done();
}
