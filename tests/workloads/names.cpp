/*
 * names.cpp - frames whose names a profiler tends to print badly. Usage: names MODE [SECONDS]
 * (default 2).
 *   cpp:  Acc<double>::add (a method of a class template) and Vec3::operator+ (an overloaded
 *         operator) take 60% and 40% of the CPU time, called from main through run_cpp.
 *   libc: write(2) of one byte to /dev/null, malloc/free and pthread_mutex_lock/unlock in a
 *         loop (run_libc): libc's functions, each known under several aliases.
 * Built with clang++ -fno-omit-frame-pointer -fno-inline so every stack reaches main.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;

template <typename T> struct Acc {
	T sum;

	/* n rounds of a multiply-add chain: pure CPU, no calls */
	__attribute__((noinline)) void add(T x, uint64_t n)
	{
		T s = sum;

		for (uint64_t i = 0; i < n; i++)
			s = s * 0.999999 + x;
		sum = s;
	}
};

struct Vec3 {
	double x, y, z;

	/* the same chain, the same cost per round as Acc::add */
	__attribute__((noinline)) Vec3 operator+(const Vec3 &o) const
	{
		double s = x;

		for (uint64_t i = 0; i < (uint64_t)o.z; i++)
			s = s * 0.999999 + o.x;
		return Vec3{ s, y, z };
	}
};

static double now()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void run_cpp(double end)
{
	Acc<double> acc{ 1.0 };
	Vec3 v{ 1.0, 2.0, 0.0 }, step{ 0.5, 0.0, 40000.0 };

	while (now() < end) {
		acc.add(0.5, 60000);
		v = v + step; /* step.z: 40000 rounds */
	}
	sink = (uint64_t)(acc.sum + v.x);
}

__attribute__((noinline)) static void run_libc(double end)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	int fd = open("/dev/null", O_WRONLY);
	char c = 'x';

	while (now() < end) {
		for (int i = 0; i < 1000; i++) {
			void *p = malloc(64 + (i % 7) * 256);

			if (write(fd, &c, 1) != 1)
				abort();
			pthread_mutex_lock(&m);
			sink += (uintptr_t)p;
			pthread_mutex_unlock(&m);
			free(p);
		}
	}
	close(fd);
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 2 ? atof(argv[2]) : 2);

	if (argc > 1 && !strcmp(argv[1], "cpp"))
		run_cpp(end);
	else if (argc > 1 && !strcmp(argv[1], "libc"))
		run_libc(end);
	else
		return fprintf(stderr, "usage: names cpp|libc [SECONDS]\n"), 2;
	return 0;
}
