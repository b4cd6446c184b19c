// burn.js - a Node workload with a known split: hotA, hotB, hotC get 60/30/10 of the CPU.
// Usage: node --perf-basic-prof burn.js SECONDS
'use strict';
function spin(n, x) {
	for (let i = 0; i < n; i++)
		x = (Math.imul(x, 1103515245) + 12345) | 0;
	return x;
}
function hotA(x) { return spin(60000, x); }
function hotB(x) { return spin(30000, x); }
function hotC(x) { return spin(10000, x); }
const end = Date.now() + 1000 * Number(process.argv[2] || 3);
let x = 1, rounds = 0;
while (Date.now() < end) {
	x = hotC(hotB(hotA(x)));
	rounds++;
}
console.log(`burn.js: ${rounds} rounds ${x}`);
