/*
 * Churn.java - a JVM whose JIT code keeps dying: it defines a hidden copy of ChurnCode, runs it
 * until the JIT compiles it, drops it, and every few rounds calls System.gc() so the copies are
 * unloaded (hidden classes go with their last reference, whatever their loader). An append-only
 * perf map of such a JVM grows without end; the agent's compaction must keep it bounded.
 *
 *   java Churn SECONDS
 *
 * Meanwhile Churn.steady, a method of a class that never goes away, stays hot: its name must stay
 * in the map through every compaction. Ends with "Churn done: classes=N unloaded=N ok" ("BAD" and
 * exit 1 when a hidden copy computes a wrong value).
 */
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;

public class Churn {
	static final int CALLS = 3000;	/* per copy: enough for C1 to compile its methods */
	static final int GC_EVERY = 50;	/* copies between System.gc() calls */
	static volatile long sink;

	/* The long-lived hot method. */
	static long steady(long x)
	{
		for (int i = 0; i < 2000; i++)
			x = ChurnCode.mix(x, i);
		return x;
	}

	static byte[] codeBytes() throws Exception
	{
		try (InputStream in = Churn.class.getResourceAsStream("ChurnCode.class")) {
			return in.readAllBytes();
		}
	}

	/* Define a hidden copy of ChurnCode, call it CALLS times; false if it computes wrongly. */
	static boolean oneCopy(byte[] bytes, long want) throws Throwable
	{
		MethodHandles.Lookup copy = MethodHandles.lookup().defineHiddenClass(bytes, true);
		MethodHandle run = copy.findStatic(copy.lookupClass(), "run",
						   MethodType.methodType(long.class, long.class));
		long x = 0;

		for (int i = 0; i < CALLS; i++)
			x = (long)run.invokeExact(7L);
		sink += steady(x);
		return x == want;
	}

	public static void main(String[] args) throws Throwable
	{
		double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
		long end = System.nanoTime() + (long)(seconds * 1e9);
		ClassLoadingMXBean cl = ManagementFactory.getClassLoadingMXBean();
		long unloaded0 = cl.getUnloadedClassCount(), classes = 0, bad = 0;
		byte[] bytes = codeBytes();
		long want = ChurnCode.run(7L);

		while (System.nanoTime() < end) {
			if (!oneCopy(bytes, want))
				bad++;
			if (++classes % GC_EVERY == 0)
				System.gc();
		}
		System.gc();
		System.out.printf("Churn done: classes=%d unloaded=%d %s%n", classes,
				  cl.getUnloadedClassCount() - unloaded0, bad == 0 ? "ok" : "BAD");
		System.exit(bad == 0 ? 0 : 1);
	}
}

/* The code that is copied: a few small methods, so each copy compiles to several nmethods. */
final class ChurnCode {
	static long mix(long x, int i)
	{
		x ^= x << 13;
		x ^= x >>> 7;
		return x + i;
	}

	static long fold(long x)
	{
		for (int i = 0; i < 64; i++)
			x = mix(x, i) * 31;
		return x;
	}

	static long run(long x)
	{
		return fold(x) ^ mix(x, 3);
	}
}
