/*
 * Workers.java - two Java threads whose names are longer than the kernel's 15 characters and whose
 * CPU shares are known: "request-worker-alpha" does 3 of every 5 work units, "request-worker-beta"
 * 2, taking turns (one runs while the other waits), so their shares are 60 % and 40 % of the
 * workers' CPU time however many cores there are. The kernel names both "request-worker-".
 *
 *   java Workers SECONDS
 *
 * Prints "Workers ready" once both run, and "Workers done: alpha=N beta=M" at the end.
 */
public class Workers {
	static final int UNIT = 200000;
	static final int[] TURNS = { 0, 0, 0, 1, 1 }; /* alpha, alpha, alpha, beta, beta */
	static final Object lock = new Object();
	static int turn; /* index into TURNS, guarded by lock */
	static volatile boolean stop;
	static volatile long sink;
	static final long[] units = new long[2];

	static long spin(long x)
	{
		for (int i = 0; i < UNIT; i++) {
			x ^= x << 13;
			x ^= x >>> 7;
			x ^= x << 17;
			x += i;
		}
		return x;
	}

	static void work(int me)
	{
		long x = 0x9e3779b97f4a7c15L + me;

		while (!stop) {
			synchronized (lock) {
				while (TURNS[turn] != me && !stop) {
					try {
						lock.wait();
					} catch (InterruptedException e) {
						return;
					}
				}
			}
			x = spin(x);
			units[me]++;
			synchronized (lock) {
				turn = (turn + 1) % TURNS.length;
				lock.notifyAll();
			}
		}
		sink = x;
	}

	public static void main(String[] args) throws Exception
	{
		long seconds = args.length > 0 ? Long.parseLong(args[0]) : 10;
		Thread alpha = new Thread(() -> work(0), "request-worker-alpha");
		Thread beta = new Thread(() -> work(1), "request-worker-beta");

		alpha.start();
		beta.start();
		System.out.println("Workers ready");
		Thread.sleep(seconds * 1000);
		stop = true;
		synchronized (lock) {
			lock.notifyAll();
		}
		alpha.join();
		beta.join();
		System.out.println("Workers done: alpha=" + units[0] + " beta=" + units[1]);
	}
}
