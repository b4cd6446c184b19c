/*
 * pingpong.c - a fixed amount of blocking, for the modes' overhead (tools/bench.sh): two threads
 * hand a turn back and forth ROUNDS times through a pair of semaphores, so each round is two
 * futex waits and two context switches, the events -e offcpu, wall and lock hook. Prints the
 * wall time the rounds took: "rounds=N ns=N". Usage: pingpong [ROUNDS] (default 100000).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include "now_ns.h"

static sem_t ping, pong;
static long rounds;

static void *ponger(void *arg)
{
	for (long i = 0; i < rounds; i++) {
		sem_wait(&ping);
		sem_post(&pong);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	uint64_t t0;

	rounds = argc > 1 ? atol(argv[1]) : 100000;
	sem_init(&ping, 0, 0);
	sem_init(&pong, 0, 0);
	pthread_create(&t, NULL, ponger, NULL);
	t0 = now_ns();
	for (long i = 0; i < rounds; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	printf("rounds=%ld ns=%llu\n", rounds, (unsigned long long)(now_ns() - t0));
	pthread_join(t, NULL);
	return 0;
}
