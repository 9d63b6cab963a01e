// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// floats: floating point through libc and the compiler. snprintf of doubles
// with %f %e %g %a at several precisions and flags (musl formats through
// long double, so this also exercises x87), strtod/strtof of tricky strings
// (subnormals, halfway cases, huge exponents, inf, nan, hex floats) with
// errno and the end pointer, float<->int conversions, a few libm results,
// the four rounding modes and the IEEE exception flags.
#define _GNU_SOURCE
#include <errno.h>
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

static volatile double vzero = 0.0, vone = 1.0, vthree = 3.0;

static uint64_t bits(double d) {
	uint64_t u;
	memcpy(&u, &d, 8);
	return u;
}

static uint32_t fbits(float f) {
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static void formats(void) {
	volatile double vals[] = {
		0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 2.0 / 3.0, 0.5, 1.5, 2.5, -2.5, 0.125, 1e-5,
		123456789.125, 1e15 + 0.3, 1e21, 1e22, 9007199254740993.0, 1e300, 1.7976931348623157e308,
		2.2250738585072014e-308, 4.9406564584124654e-324, 1e-310, 6.02214076e23, -1.25e-7,
		M_PI, M_E,
	};
	static const char *const fmts[] = {
		"%f", "%.0f", "%.1f", "%.3f", "%.17f", "%e", "%.0e", "%.3e", "%.17e", "%g",
		"%.0g", "%.3g", "%.17g", "%#g", "%a", "%.0a", "%.3a", "%+08.2f", "%-12.4e|", "% .5g", "%#.0f",
	};
	char buf[512];
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		double d = vals[i];
		printf("[%016llx]", (unsigned long long)bits(d));
		for (size_t j = 0; j < sizeof fmts / sizeof fmts[0]; j++) {
			snprintf(buf, sizeof buf, fmts[j], d);
			if (strlen(buf) > 60) {
				hash64 h;
				hash_init(&h);
				hash_bytes(&h, buf, strlen(buf));
				printf(" %s=<%zu chars fnv=%016llx>", fmts[j], strlen(buf), (unsigned long long)h.h);
			} else {
				printf(" %s=%s", fmts[j], buf);
			}
		}
		putchar('\n');
	}
	double inf = vone / vzero, nan_ = vzero / vzero;
	printf("inf: %f %e %g %a %F\n", inf, -inf, inf, inf, inf);
	printf("0/0 sign bit: %d\n", (int)(bits(nan_) >> 63));
	printf("nan: %f %e %g %F (sign stripped: %f)\n", nan_, nan_, nan_, nan_, fabs(nan_));
	printf("width: [%10.3f] [%-10.3f] [%010.3f] [%+.2e] [%5.1g]\n", M_PI, M_PI, -M_PI, 12345.678, 0.0001234);
	printf("float args: %f %g %a\n", (double)1.1f, (double)FLT_MAX, (double)FLT_MIN);
	long double ld = (long double)vone / (long double)vthree;
	printf("long double: %.20Lf %.25Lg %La\n", ld, ld * 1e100L, ld);
	printf("long double sqrt(2): %.25Lg\n", sqrtl(2.0L * (long double)vone));
}

static void parsing(void) {
	static const char *const in[] = {
		"0", "-0", "1", "0.1", "  +12.5e+2xyz", "-.5e-3", "1e23", "8.589973e9",
		"9007199254740993", "9007199254740995",
		"1.00000000000000011102230246251565404236316680908203125",
		"1.00000000000000011102230246251565404236316680908203126",
		"2.2250738585072011e-308", "2.2250738585072012e-308",
		"4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
		"1e-400", "1e309", "-1e309", "1.7976931348623157e308", "1.7976931348623158e308",
		"1.7976931348623159e308", "123456789012345678901234567890",
		"0.000000000000000000000000000000000000000000001e45",
		"0x1p-1074", "0x1p-1075", "0x1.8p1", "0x1.fffffffffffffp1023", "0x1.fffffffffffff8p1023",
		"0X.8P+1", "0x1.000000000000080000001p0", "0x", "0x.p1",
		"inf", "-INF", "infinity", "infinit", "nan", "-nan", "NAN(123)", "nan(",
		"", ".", "e5", "1e", "1e+", "--1", "0.0e99999999999",
		"1234567890123456789e-30", "3.14159265358979323846264338327950288",
	};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		char *end;
		errno = 0;
		double d = strtod(in[i], &end);
		int e = errno;
		errno = 0;
		float f = strtof(in[i], NULL);
		int fe = errno;
		int nan_ = isnan(d);
		printf("strtod(\"%s\") = %s%016llx %s end=+%d errno=%s; strtof %08lx %s\n", in[i],
		       nan_ ? "nan:" : "", (unsigned long long)(nan_ ? bits(d) >> 63 : bits(d)), nan_ ? "" : "",
		       (int)(end - in[i]), errno_name(e), isnan(f) ? 0x7fc00000ul : (unsigned long)fbits(f),
		       errno_name(fe));
		if (!nan_)
			printf("  = %.17g = %a\n", d, d);
	}
	printf("atof(\"2.5\")=%g strtold(\"0.1\")=%.21Lg\n", atof("2.5"), strtold("0.1", NULL));
}

static void conversions(void) {
	volatile double dv[] = {0.0, -0.0, 0.4, 0.5, 0.6, 1.5, 2.5, -0.5, -1.5, -2.5, 1e9, -1e9, 2147483647.9,
				-2147483648.9, 4294967295.5, 9.2233720368547748e18, -9.2233720368547758e18,
				1.8446744073709550e19, 123456.789};
	for (size_t i = 0; i < sizeof dv / sizeof dv[0]; i++) {
		double d = dv[i];
		printf("%.17g:", d);
		if (d > -2147483649.0 && d < 2147483648.0)
			printf(" int=%d", (int)d);
		if (d > -1.0 && d < 4294967296.0)
			printf(" uint=%u", (unsigned)d);
		if (d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)
			printf(" i64=%lld lrint=%ld llround=%lld", (long long)d, lrint(d), llround(d));
		if (d > -1.0 && d < 1.8446744073709552e19)
			printf(" u64=%llu", (unsigned long long)d);
		printf(" f=%08lx", (unsigned long)fbits((float)d));
		printf(" floor=%g ceil=%g trunc=%g round=%g rint=%g nearbyint=%g\n", floor(d), ceil(d), trunc(d),
		       round(d), rint(d), nearbyint(d));
	}
	volatile uint64_t uv[] = {0, 1, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000401,
				  0xfffffffffffff800, 0xfffffffffffffc00, 0xffffffffffffffff, 9007199254740993};
	for (size_t i = 0; i < sizeof uv / sizeof uv[0]; i++) {
		uint64_t u = uv[i];
		printf("u64 %llu -> double %016llx float %08lx; i64 -> double %016llx; u32 -> double %.17g\n",
		       (unsigned long long)u, (unsigned long long)bits((double)u), (unsigned long)fbits((float)u),
		       (unsigned long long)bits((double)(int64_t)u), (double)(uint32_t)u);
	}
	volatile float fv[] = {0.1f, 16777217.0f, 3.4028235e38f, 1.17549435e-38f, 1e-45f};
	for (size_t i = 0; i < sizeof fv / sizeof fv[0]; i++)
		printf("float %08lx -> double %016llx = %.9g\n", (unsigned long)fbits(fv[i]),
		       (unsigned long long)bits((double)fv[i]), (double)fv[i]);
}

static void libm(void) {
	volatile double xs[] = {0.0, -0.0, 1.0, 2.0, 0.5, 1e-300, 1e300, 4.9406564584124654e-324, -1.0, 12.375, -7.5};
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		double x = xs[i];
		double s = sqrt(x);
		printf("x=%a sqrt=%s%a fabs=%a floor=%a ceil=%a sqrtf=%a fmod(x,0.75)=%a\n", x, isnan(s) ? "nan:" : "",
		       isnan(s) ? 0.0 : s, fabs(x), floor(x), ceil(x), (double)sqrtf((float)x),
		       isnan(fmod(x, 0.75)) ? 0.0 : fmod(x, 0.75));
	}
	int ex;
	double m = frexp(1e-310, &ex);
	double ip;
	double fp = modf(-3.75, &ip);
	printf("frexp(1e-310)=%a,%d ldexp(1,-1074)=%a ldexp(1,1024)=%g modf(-3.75)=%g,%g copysign=%g\n", m, ex,
	       ldexp(1.0, -1074), ldexp(1.0, 1024), fp, ip, copysign(3.0, -0.0));
	printf("hypot(3,4)=%g fma(0.1,10,-1)=%a fmin=%g fmax=%g\n", hypot(3.0, 4.0), fma(0.1, 10.0, -1.0),
	       fmin(-0.0, 0.0), fmax(2.0, NAN));
	// Summation and products whose rounding is visible.
	double sum = 0;
	for (int i = 1; i <= 1000; i++)
		sum += 1.0 / i;
	float fsum = 0;
	for (int i = 1; i <= 1000; i++)
		fsum += 1.0f / (float)i;
	printf("harmonic(1000) double=%a float=%a\n", sum, (double)fsum);
}

static const char *flagstr(int f) {
	static char b[64];
	b[0] = 0;
	if (f & FE_INVALID)
		strcat(b, "invalid ");
	if (f & FE_DIVBYZERO)
		strcat(b, "divbyzero ");
	if (f & FE_OVERFLOW)
		strcat(b, "overflow ");
	if (f & FE_UNDERFLOW)
		strcat(b, "underflow ");
	if (f & FE_INEXACT)
		strcat(b, "inexact ");
	if (!b[0])
		strcat(b, "none ");
	return b;
}

static void rounding(void) {
	static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
	static const char *const names[] = {"nearest", "zero", "up", "down"};
	for (int i = 0; i < 4; i++) {
		fesetround(modes[i]);
		volatile double a = vone / vthree, b = -vone / vthree;
		volatile float fa = (float)vone / (float)vthree;
		volatile double s = sqrt(2.0 * vone);
		volatile double big = 1e308 * (vthree * vthree);
		printf("round %-7s 1/3=%a -1/3=%a 1f/3f=%a sqrt2=%a 9e308=%g rint(2.5)=%g rint(-2.5)=%g "
		       "nearbyint(0.5)=%g lrint(3.5)=%ld (int)2.7=%d\n",
		       names[i], a, b, (double)fa, s, big, rint(2.5 * vone), rint(-2.5 * vone), nearbyint(0.5 * vone),
		       lrint(3.5 * vone), (int)(2.7 * vone));
	}
	fesetround(FE_TONEAREST);
	printf("fegetround back to nearest: %s\n", fegetround() == FE_TONEAREST ? "yes" : "no");

	struct {
		const char *what;
		int flags;
	} ex[8];
	volatile double r;
	feclearexcept(FE_ALL_EXCEPT);
	r = vone + vone;
	ex[0].what = "1+1";
	ex[0].flags = fetestexcept(FE_ALL_EXCEPT);
	feclearexcept(FE_ALL_EXCEPT);
	r = vone / vthree;
	ex[1].what = "1/3";
	ex[1].flags = fetestexcept(FE_ALL_EXCEPT);
	feclearexcept(FE_ALL_EXCEPT);
	r = vone / vzero;
	ex[2].what = "1/0";
	ex[2].flags = fetestexcept(FE_ALL_EXCEPT);
	feclearexcept(FE_ALL_EXCEPT);
	r = vzero / vzero;
	ex[3].what = "0/0";
	ex[3].flags = fetestexcept(FE_ALL_EXCEPT);
	feclearexcept(FE_ALL_EXCEPT);
	r = 1e308 * (vthree * vone);
	ex[4].what = "1e308*3";
	ex[4].flags = fetestexcept(FE_ALL_EXCEPT);
	feclearexcept(FE_ALL_EXCEPT);
	r = 1e-308 * (1e-10 * vone);
	ex[5].what = "1e-308*1e-10";
	ex[5].flags = fetestexcept(FE_ALL_EXCEPT);
	feclearexcept(FE_ALL_EXCEPT);
	r = sqrt(-vone);
	ex[6].what = "sqrt(-1)";
	ex[6].flags = fetestexcept(FE_ALL_EXCEPT);
	feclearexcept(FE_ALL_EXCEPT);
	volatile float f = (float)(1e40 * vone);
	(void)f;
	ex[7].what = "(float)1e40";
	ex[7].flags = fetestexcept(FE_ALL_EXCEPT);
	(void)r;
	for (int i = 0; i < 8; i++)
		printf("flags after %-14s %s\n", ex[i].what, flagstr(ex[i].flags));
}

int main(void) {
	formats();
	parsing();
	conversions();
	libm();
	rounding();
	return 0;
}
