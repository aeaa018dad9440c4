// The test network lives with the benchmarks (the screen-pop bench uses it too).
export { createTestNet, type TestNet } from '../harness/test-network.js';
