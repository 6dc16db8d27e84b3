// `npm run bench [-- <name> …] [--children N] [--duration S] …`: runs the registered benchmarks and
// prints their figures. Benchmarks are not tests: they measure and print, they do not assert.
// Add a benchmark by adding a module to `registry` (name, what it measures, run(args)).
import os from 'node:os';
import { parseArgs } from 'node:util';

export interface BenchArgs {
  values: Record<string, string | boolean | undefined>;
}

export interface Benchmark {
  name: string;
  description: string;
  run(args: BenchArgs): Promise<void>;
}

const registry: Array<() => Promise<Benchmark>> = [
  async () => (await import('./register-save.ts')).registerSaveBenchmark,
  async () => (await import('./county-report.ts')).countyReportBenchmark,
  async () => (await import('./exports.ts')).exportsBenchmark,
  async () => (await import('./client.ts')).clientBenchmark,
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    children: { type: 'string' },
    weeks: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    groups: { type: 'string' },
    repeat: { type: 'string' },
    naive: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});

const benchmarks = await Promise.all(registry.map((load) => load()));
if (values.help) {
  console.log('npm run bench [-- <name> …] [--children N] [--weeks W] [--duration S] [--rate R] [--groups G] [--repeat K] [--naive]\n');
  for (const b of benchmarks) console.log(`  ${b.name.padEnd(16)} ${b.description}`);
  process.exit(0);
}
const chosen = positionals.length > 0 ? benchmarks.filter((b) => positionals.includes(b.name)) : benchmarks;
const unknown = positionals.filter((p) => !benchmarks.some((b) => b.name === p));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${benchmarks.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`);
for (const b of chosen) {
  console.log(`\n=== ${b.name}: ${b.description}`);
  await b.run({ values });
}
process.exit(0);
