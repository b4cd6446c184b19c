/*
 * Contend.java - Java monitor contention with a known site: 3 threads enter one synchronized
 * block in Contend.waitForLock() and hold it ~1 ms (busy), so the others block on the monitor.
 * Prints "waited_ns=N locks=N" (time spent getting in, summed over threads). Usage: Contend [SECONDS]
 * waitForLock is warmed up alone first, so that it runs compiled (named from the perf map) by the
 * time the threads contend: ~1000 contended calls a thread would leave it interpreted for a good
 * part of the run. Run with -Xbatch to have the warm-up wait for the compiler. The monitor is a
 * Contend.Gate, a class of its own, so a profile that names the monitor's class can be told
 * from one that guesses java.lang.Object.
 */
public class Contend {
	static final class Gate {
	}

	static final Gate LOCK = new Gate();
	static volatile long sink;
	static long deadline;

	static long hold(long ns) {
		long t0 = System.nanoTime(), x = 0;
		while (System.nanoTime() - t0 < ns)
			x++;
		return x;
	}

	static long waitForLock(long holdNs) {
		long t0 = System.nanoTime();
		synchronized (LOCK) {
			long waited = System.nanoTime() - t0;
			sink += hold(holdNs);
			return waited;
		}
	}

	public static void main(String[] args) throws Exception {
		double secs = args.length > 0 ? Double.parseDouble(args[0]) : 2;
		for (int i = 0; i < 20000; i++)
			waitForLock(2000);
		deadline = System.nanoTime() + (long)(secs * 1e9);
		long[] waited = new long[3], locks = new long[3];
		Thread[] t = new Thread[3];
		for (int i = 0; i < 3; i++) {
			final int k = i;
			t[i] = new Thread(() -> {
				while (System.nanoTime() < deadline) {
					waited[k] += waitForLock(1000000);
					locks[k]++;
				}
			}, "worker-" + i);
			t[i].start();
		}
		long w = 0, n = 0;
		for (int i = 0; i < 3; i++) {
			t[i].join();
			w += waited[i];
			n += locks[i];
		}
		System.out.println("waited_ns=" + w + " locks=" + n);
	}
}
