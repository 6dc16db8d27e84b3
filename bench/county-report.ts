import type { Benchmark } from './index.ts';
export const countyReportBenchmark: Benchmark = { name: 'county', description: 'todo', async run() {} };
