/*
 * contend.c - lock contention with a known answer: 3 threads take one pthread mutex in
 * wait_for_lock() and hold it 1 ms each time (busy, in hold_lock()), so the other two wait. Each
 * thread measures how long its pthread_mutex_lock() calls took; at the end it prints the sum
 * over threads: "waited_ns=N locks=N". Usage: contend [SECONDS] (default 2).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "now_ns.h"

#define THREADS 3

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t end_ns, waited[THREADS], locks[THREADS];
static volatile uint64_t sink;

__attribute__((noinline)) static void hold_lock(uint64_t ns)
{
	uint64_t t0 = now_ns();

	while (now_ns() - t0 < ns)
		sink++;
}

__attribute__((noinline)) static uint64_t wait_for_lock(void)
{
	uint64_t t0 = now_ns();

	pthread_mutex_lock(&lock);
	return now_ns() - t0;
}

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;

	while (now_ns() < end_ns) {
		waited[i] += wait_for_lock();
		locks[i]++;
		hold_lock(1000000);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2;
	pthread_t t[THREADS];
	uint64_t w = 0, n = 0;

	end_ns = now_ns() + (uint64_t)(secs * 1e9);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		w += waited[i];
		n += locks[i];
	}
	printf("waited_ns=%llu locks=%llu\n", (unsigned long long)w, (unsigned long long)n);
	return 0;
}
