// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// fpmath: floating point through the C library, to be compared natively
// and under gemu (built with musl and, by the harness, with glibc):
//   - long double printf (%La %Lg %Le %Lf with many precisions) of edge and
//     fixed-seed random 80-bit values, and long double arithmetic (+ - * /
//     sqrt, conversions to and from double and integers, compares);
//   - libm for double: sin, cos, exp, log, pow, fmod, lgamma, erf, cbrt
//     (and tan, atan, atan2, exp2, log2, sinh, tanh, expm1, log1p, hypot)
//     over 6 000 arguments each from several ranges;
//   - strtod/printf round trips of 10 000 random doubles (%.17g and %a
//     back through strtod; %.40e, %g and %f of some of them), and strtof;
// printing per section a count, the number of failed round trips and a
// hash of every result's bits (plus a few sample lines), so the output
// stays small. The output must be identical natively and under gemu.
//
// glibc picks libm variants by CPUID: on a host with FMA and AVX2 its sin,
// cos, exp, log, pow (and tan, atan, atan2, log2, expm1, log1p) are the
// FMA builds, under gemu (no FMA advertised) the SSE2 ones, and the two
// differ in the last bit for about one argument in 2 000. The glibc build
// therefore calls the SSE2 variants by name, so that both runs execute the
// same code; the musl build calls the ordinary functions. glibc's lgamma,
// erf, sinh and tanh call its log, sin, cos, exp and expm1 internally,
// through the CPUID choice, so the glibc build leaves them out here. The
// argument "public" prints only the double libm part, through the ordinary
// names in every build: testguests' TestFPMathGlibc runs a glibc build so
// natively with GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2 (which makes
// glibc pick the variants gemu's CPUID makes it pick) and compares.
//
// With the argument "ldbl" it instead prints, one line per result
// ("L function index SEXP:MANTISSA"), the long double libm functions over
// 200 arguments each; glibc computes several of them with the x87
// transcendental instructions, so testguests' TestLongDoubleLibm compares
// these lines within 1 ulp and counts the identical ones.
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

#ifdef __GLIBC__
double __sin_sse2(double);
double __cos_sse2(double);
double __tan_sse2(double);
double __atan_sse2(double);
double __ieee754_exp_sse2(double);
double __ieee754_log_sse2(double);
double __ieee754_pow_sse2(double, double);
double __ieee754_atan2_sse2(double, double);
double __log2_sse2(double);
double __expm1_sse2(double);
double __log1p_sse2(double);
#define SIN __sin_sse2
#define COS __cos_sse2
#define TAN __tan_sse2
#define ATAN __atan_sse2
#define EXP __ieee754_exp_sse2
#define LOG __ieee754_log_sse2
#define POW __ieee754_pow_sse2
#define ATAN2 __ieee754_atan2_sse2
#define LOG2 __log2_sse2
#define EXPM1 __expm1_sse2
#define LOG1P __log1p_sse2
#else
#define SIN sin
#define COS cos
#define TAN tan
#define ATAN atan
#define EXP exp
#define LOG log
#define POW pow
#define ATAN2 atan2
#define LOG2 log2
#define EXPM1 expm1
#define LOG1P log1p
#endif

#define NLIBM 6000  // arguments per double libm function
#define NARITH 6000 // operand pairs per long double operation

static lcg rng = {0x853c49e6748fea9bULL};
static uint64_t r64(void) { return (uint64_t)lcg_next(&rng) << 32 | lcg_next(&rng); }

typedef struct {
	uint64_t m;
	uint16_t se;
} __attribute__((packed)) f80;

static long double ld(uint64_t m, uint16_t se) {
	long double v = 0;
	f80 f = {m, se};
	memcpy(&v, &f, 10);
	return v;
}

static f80 bits80(long double v) {
	f80 f;
	memcpy(&f, &v, 10);
	return f;
}

static void hash_ld(hash64 *h, long double v) {
	f80 f = bits80(v);
	hash_u64(h, f.m);
	hash_u64(h, f.se);
}

static void hash_d(hash64 *h, double v) {
	uint64_t b;
	memcpy(&b, &v, 8);
	hash_u64(h, b);
}

// A random finite double from one of several ranges: small, moderate,
// large, any bit pattern, near integers, tiny.
static double rdouble(unsigned k) {
	uint64_t r = r64();
	double x;
	switch (k % 6) {
	case 0: return (double)(int64_t)r / 9.2233720368547758e18 * 4;
	case 1: return (double)(int64_t)r / 9.2233720368547758e18 * 800;
	case 2: return ldexp((double)(r >> 11), (int)(lcg_next(&rng) % 120) - 60);
	case 3:
		memcpy(&x, &r, 8);
		return isnan(x) || isinf(x) ? 1.5 : x;
	case 4: return (double)(int64_t)(r % 2000) - 1000 + ldexp((double)(lcg_next(&rng) % 1024), -10);
	default: return ldexp((double)(r >> 11), -(int)(lcg_next(&rng) % 1100));
	}
}

// A random long double: edge patterns or normal numbers of moderate range.
static long double rldouble(unsigned k) {
	uint64_t m = r64() | 1ULL << 63;
	switch (k % 4) {
	case 0: return ld(m, (uint16_t)((0x3fff - 8 + lcg_next(&rng) % 16) | (lcg_next(&rng) & 0x8000)));
	case 1: return ld(m, (uint16_t)((0x3fff - 64 + lcg_next(&rng) % 128) | (lcg_next(&rng) & 0x8000)));
	case 2: return ld(m, (uint16_t)((1 + lcg_next(&rng) % 0x7ffe) | (lcg_next(&rng) & 0x8000)));
	default: return (long double)rdouble(k);
	}
}

// ---------------------------------------------------------------------------

static void ldbl_printf(void) {
	static const char *fmts[] = {"%La", "%.25Lg", "%.40Le", "%.0Le", "%.3Lf", "%Lg", "%.18Lg", "%.21Le", "%.70Lf"};
	long double vals[300];
	int n = 0;
	static const long double fixed[] = {0.0L, -0.0L, 1.0L, -1.0L, 0.1L, 1.0L / 3, 2.5L, 1e4000L, 1e-4000L,
					    LDBL_MAX, LDBL_MIN, LDBL_TRUE_MIN, LDBL_EPSILON, 123456789012345678901234.0L,
					    0.5L, 9.999999999999999999e17L};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		vals[n++] = fixed[i];
	vals[n++] = ld(0x8000000000000001ULL, 0x0000); // pseudo-denormal
	vals[n++] = ld(0x0000000000000001ULL, 0x0000); // smallest denormal
	// Mostly moderate exponents: a value near 1e±4900 costs musl's and
	// glibc's printf thousands of limbs of decimal arithmetic.
	while (n < 300)
		vals[n] = rldouble(n % 60 == 0 ? 2 : (unsigned)n % 2), n++;
	for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
		hash64 h;
		hash_init(&h);
		char buf[6000];
		for (int i = 0; i < n; i++) {
			if (f == 8 && !(fabsl(vals[i]) < 1e30L))
				continue;
			int len = snprintf(buf, sizeof buf, fmts[f], vals[i]);
			hash_bytes(&h, buf, (size_t)len);
			if (i % 97 == 3)
				printf("ldbl printf %s: %.120s\n", fmts[f], buf);
		}
		printf("ldbl printf %s: %d values hash %016llx\n", fmts[f], n, (unsigned long long)h.h);
	}
	// strtold of printed values comes back exactly.
	int bad = 0;
	for (int i = 0; i < n; i++) {
		char buf[200];
		snprintf(buf, sizeof buf, "%.21Le", vals[i]);
		long double back = strtold(buf, NULL);
		if (memcmp(&back, &vals[i], 10) != 0 && !(vals[i] == 0 && back == 0))
			bad++;
	}
	printf("ldbl strtold(%%.21Le) round trips: %d values, %d wrong\n", n, bad);
}

static void ldbl_arith(void) {
	hash64 h[12];
	for (int i = 0; i < 12; i++)
		hash_init(&h[i]);
	for (unsigned k = 0; k < NARITH; k++) {
		long double a = rldouble(k), b = rldouble(k / 3);
		hash_ld(&h[0], a + b);
		hash_ld(&h[1], a - b);
		hash_ld(&h[2], a * b);
		hash_ld(&h[3], a / b);
		hash_ld(&h[4], sqrtl(fabsl(a)));
		hash_d(&h[5], (double)a);
		hash_ld(&h[6], (long double)(double)b);
		hash_u64(&h[7], (uint64_t)(int64_t)(fabsl(a) < 9e18L ? a : 0));
		hash_u64(&h[8], (uint64_t)(fabsl(b) < 1.8e19L ? fabsl(b) : 0));
		hash_ld(&h[9], (long double)(int64_t)r64() + (long double)r64());
		hash_u64(&h[10], (uint64_t)(a < b) | (uint64_t)(a == b) << 1 | (uint64_t)(a > b) << 2);
		hash_ld(&h[11], fmal(a, b, a));
	}
	static const char *names[] = {"add", "sub", "mul", "div", "sqrt", "to double", "from double", "to int64",
				      "to uint64", "from int64", "compare", "fma"};
	for (int i = 0; i < 12; i++)
		printf("ldbl %-11s %d hash %016llx\n", names[i], NARITH, (unsigned long long)h[i].h);
}

// double_libm runs the double functions; public uses the ordinary names
// in every build (see the top of the file).
static void double_libm(int public) {
	static const char *names[] = {"sin", "cos", "exp", "log", "pow", "fmod", "lgamma", "erf", "cbrt",
				      "tan", "atan", "atan2", "exp2", "log2", "sinh", "tanh", "expm1", "log1p", "hypot"};
	int nf = sizeof names / sizeof names[0];
	for (int f = 0; f < nf; f++) {
		hash64 h;
		hash_init(&h);
#ifdef __GLIBC__
		if (!public && (f == 6 || f == 7 || f == 14 || f == 15)) {
			// glibc's lgamma, erf, sinh and tanh call its log, sin,
			// cos, exp and expm1 internally, through the CPUID choice.
			printf("libm %-6s skipped: glibc calls its FMA or SSE2 variants by CPUID\n", names[f]);
			continue;
		}
#endif
		for (unsigned i = 0; i < NLIBM; i++) {
			double x = rdouble(i), y = rdouble(i + 1), r;
			if (public) {
				switch (f) {
				case 0: r = sin(x); break;
				case 1: r = cos(x); break;
				case 2: r = exp(x / 16); break;
				case 3: r = log(fabs(x)); break;
				case 4: r = pow(fabs(x), y / 64); break;
				case 9: r = tan(x); break;
				case 10: r = atan(x); break;
				case 11: r = atan2(x, y); break;
				case 13: r = log2(fabs(x)); break;
				case 16: r = expm1(x / 16); break;
				case 17: r = log1p(fabs(x)); break;
				default: goto common;
				}
				goto done;
			}
		common:
			switch (f) {
			case 0: r = SIN(x); break;
			case 1: r = COS(x); break;
			case 2: r = EXP(x / 16); break;
			case 3: r = LOG(fabs(x)); break;
			case 4: r = POW(fabs(x), y / 64); break;
			case 5: r = fmod(x, y); break;
			case 6: r = lgamma(x / 8); break;
			case 7: r = erf(x / 8); break;
			case 8: r = cbrt(x); break;
			case 9: r = TAN(x); break;
			case 10: r = ATAN(x); break;
			case 11: r = ATAN2(x, y); break;
			case 12: r = exp2(x / 16); break;
			case 13: r = LOG2(fabs(x)); break;
			case 14: r = sinh(x / 32); break;
			case 15: r = tanh(x / 8); break;
			case 16: r = EXPM1(x / 16); break;
			case 17: r = LOG1P(fabs(x)); break;
			default: r = hypot(x, y); break;
			}
		done:
			hash_d(&h, r);
			if (i % 1201 == 7)
				printf("%s(%a) = %a\n", names[f], x, r);
		}
		printf("libm %-6s %d hash %016llx\n", names[f], NLIBM, (unsigned long long)h.h);
	}
}

static void roundtrips(void) {
	int bad17 = 0, bada = 0, badf = 0;
	hash64 he, hg, hf;
	hash_init(&he);
	hash_init(&hg);
	hash_init(&hf);
	char buf[2000];
	for (unsigned i = 0; i < 10000; i++) {
		double x = i % 2 ? rdouble(i) : rdouble(3);
		if (i % 3 == 0) {
			uint64_t b = r64();
			memcpy(&x, &b, 8);
			if (isnan(x))
				x = -0.0;
		}
		snprintf(buf, sizeof buf, "%.17g", x);
		double y = strtod(buf, NULL);
		if (memcmp(&x, &y, 8) != 0)
			bad17++;
		snprintf(buf, sizeof buf, "%a", x);
		y = strtod(buf, NULL);
		if (memcmp(&x, &y, 8) != 0)
			bada++;
		int n;
		if (i % 4 == 0) {
			n = snprintf(buf, sizeof buf, "%.40e", x);
			hash_bytes(&he, buf, (size_t)n);
		}
		if (i % 2 == 0) {
			n = snprintf(buf, sizeof buf, "%g|%.3g|%.0f", x, x, fabs(x) < 1e30 ? x : 0.0);
			hash_bytes(&hg, buf, (size_t)n);
		}
		float fx = (float)x;
		snprintf(buf, sizeof buf, "%.9g", fx);
		float fy = strtof(buf, NULL);
		if (memcmp(&fx, &fy, 4) != 0)
			badf++;
		hash_bytes(&hf, &fy, 4);
		if (i % 1999 == 5)
			printf("roundtrip %.17g %a %.25e\n", x, x, x);
	}
	printf("strtod(%%.17g) round trips: 10000, %d wrong\n", bad17);
	printf("strtod(%%a) round trips: 10000, %d wrong\n", bada);
	printf("strtof(%%.9g) round trips: 10000, %d wrong, hash %016llx\n", badf, (unsigned long long)hf.h);
	printf("printf %%.40e (every 4th) hash %016llx; %%g|%%.3g|%%.0f (every 2nd) hash %016llx\n", (unsigned long long)he.h,
	       (unsigned long long)hg.h);
	static const char *tricky[] = {"2.2250738585072011e-308", "4.9406564584124654e-324", "1e23", "8.9e-324",
				       "0x1.fffffffffffffp+1023", "1.7976931348623158e308", "1.7976931348623159e308",
				       "2.4703282292062327e-324", "2.4703282292062328e-324", "9007199254740993",
				       "0.1e-99999", "nan(123)", "-inf", "1e-400", "123.456e-2x"};
	for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
		char *end;
		errno = 0;
		double v = strtod(tricky[i], &end);
		printf("strtod(%s) = %a errno=%s end=%d\n", tricky[i], v, errno_name(errno), (int)(end - tricky[i]));
	}
}

static void ldbl_libm(void) {
	static const char *names[] = {"sinl", "cosl", "tanl", "expl", "exp2l", "expm1l", "logl", "log2l", "log10l",
				      "log1pl", "powl", "atanl", "atan2l", "asinl", "acosl", "sinhl", "coshl", "tanhl",
				      "cbrtl", "lgammal", "erfl", "fmodl", "sqrtl", "hypotl"};
	int nf = sizeof names / sizeof names[0];
	for (int f = 0; f < nf; f++) {
		for (unsigned i = 0; i < 200; i++) {
			long double x = rldouble(i), y = rldouble(i + 1), r;
			switch (f) {
			case 0: r = sinl(x); break;
			case 1: r = cosl(x); break;
			case 2: r = tanl(x); break;
			case 3: r = expl(x / 16); break;
			case 4: r = exp2l(x / 16); break;
			case 5: r = expm1l(x / 16); break;
			case 6: r = logl(fabsl(x)); break;
			case 7: r = log2l(fabsl(x)); break;
			case 8: r = log10l(fabsl(x)); break;
			case 9: r = log1pl(fabsl(x)); break;
			case 10: r = powl(fabsl(x), y / 64); break;
			case 11: r = atanl(x); break;
			case 12: r = atan2l(x, y); break;
			case 13: r = asinl(fmodl(x, 1)); break;
			case 14: r = acosl(fmodl(x, 1)); break;
			case 15: r = sinhl(x / 32); break;
			case 16: r = coshl(x / 32); break;
			case 17: r = tanhl(x / 8); break;
			case 18: r = cbrtl(x); break;
			case 19: r = lgammal(x / 8); break;
			case 20: r = erfl(x / 8); break;
			case 21: r = fmodl(x, y); break;
			case 22: r = sqrtl(fabsl(x)); break;
			default: r = hypotl(x, y); break;
			}
			f80 b = bits80(r);
			printf("L %s %u %04x:%016llx\n", names[f], i, b.se, (unsigned long long)b.m);
		}
	}
}

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "ldbl") == 0) {
		ldbl_libm();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "public") == 0) {
		double_libm(1);
		return 0;
	}
	ldbl_printf();
	ldbl_arith();
	double_libm(0);
	roundtrips();
	return 0;
}
