/*
 * Alloc.java - Java allocations with a known answer: each round, Alloc.longs() allocates three
 * long[126] and Alloc.bytes() one byte[1008], each 1024 bytes on a 64-bit HotSpot with
 * compressed class pointers (a 16-byte header), so long[] : byte[] = 3 : 1 by bytes, at two
 * sites. Every array is written and kept in a ring for a while (no escape analysis can drop
 * it). Prints "bytes=N checksum=C ns=T": what it allocated, a sum that does not depend on any
 * profiler, and how long the rounds took (tools/bench.sh). Usage: Alloc [ROUNDS]
 */
public class Alloc {
	static final Object[] ring = new Object[256];
	static long checksum;

	static long[] longs(int i) {
		long[] a = new long[126];
		a[i % 126] = i;
		return a;
	}

	static byte[] bytes(int i) {
		byte[] b = new byte[1008];
		b[i % 1008] = (byte)i;
		return b;
	}

	static void round(int i) {
		for (int k = 0; k < 3; k++) {
			long[] a = longs(i + k);
			checksum += a[(i + k) % 126];
			ring[(4 * i + k) & 255] = a;
		}
		byte[] b = bytes(i);
		checksum += b[i % 1008];
		ring[(4 * i + 3) & 255] = b;
	}

	public static void main(String[] args) {
		int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 500000;
		long t0 = System.nanoTime();
		for (int i = 0; i < rounds; i++)
			round(i);
		long ns = System.nanoTime() - t0;
		System.out.println("bytes=" + 4L * 1024 * rounds + " checksum=" + checksum + " ns=" + ns);
	}
}
