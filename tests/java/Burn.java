/*
 * Burn.java - a Java workload whose CPU profile is known: hotA, hotB and hotC get 60%, 30% and
 * 10% of the time (they run the same loop body 6, 3 and 1 times as often), so a profiler's
 * shares can be checked against the truth.
 *
 *   java Burn SECONDS [late]
 *
 * Each round starts from the same seed, so every round must produce the same value; the program
 * ends with "Burn done: rounds=N checksum=0x... ok" (a wrong JIT or a corrupted JVM prints "BAD"
 * and exits 1). From half time on, each round also calls Burn$Late.work, whose class is loaded
 * only then: a live perf map must gain it after an attach made earlier. Run with
 * -XX:CompileCommand=dontinline,Burn::hot* to keep the three as separate frames; without it C2
 * inlines them into Burn.round, which the inline ("->") lines of the agent's map describe.
 */
public class Burn {
	static final int UNIT = 4000;
	static final long SEED = 0x9e3779b97f4a7c15L;
	static volatile long sink;

	/* One step of xorshift64: cheap, serial, impossible to fold away. */
	static long step(long x)
	{
		x ^= x << 13;
		x ^= x >>> 7;
		x ^= x << 17;
		return x;
	}

	static long spin(long x, int n)
	{
		for (int i = 0; i < n; i++)
			x = step(x) + i;
		return x;
	}

	static long hotA(long x)
	{
		return spin(x, 6 * UNIT);
	}

	static long hotB(long x)
	{
		return spin(x, 3 * UNIT);
	}

	static long hotC(long x)
	{
		return spin(x, UNIT);
	}

	/* Not even loaded before half time, so no code compiled earlier can name Late.work. */
	static final class Late {
		static long work(long x)
		{
			return step(x) * 31 + 7;
		}
	}

	static long round(boolean withLate)
	{
		long x = SEED;
		x = hotA(x);
		x = hotB(x);
		x = hotC(x);
		if (withLate)
			sink += Late.work(x);
		return x;
	}

	public static void main(String[] args)
	{
		double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
		boolean useLate = args.length < 2 || !args[1].equals("nolate");
		long want = round(false);
		long start = System.nanoTime(), end = start + (long)(seconds * 1e9);
		long half = start + (end - start) / 2, rounds = 0, bad = 0;

		for (long now = start; now < end; now = System.nanoTime()) {
			for (int i = 0; i < 16; i++, rounds++)
				if (round(useLate && now >= half) != want)
					bad++;
		}
		System.out.printf("Burn done: rounds=%d checksum=0x%x %s%n", rounds, want,
				  bad == 0 ? "ok" : "BAD");
		System.exit(bad == 0 ? 0 : 1);
	}
}
