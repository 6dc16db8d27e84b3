// Open-loop load: requests arrive at a given mean rate as a Poisson process (independent users, as
// teachers saving registers are), each sent at its arrival time whatever the earlier ones are
// doing, on as many keep-alive connections as needed. Latency runs from the arrival time to the
// end of the answer, so time spent waiting for a free connection counts too.
//
// Why not autocannon's `overallRate`: it is a per-second budget per connection. Each second starts
// with every connection sending its share back to back, then they all wait for the next second,
// so "100 requests/s" arrives as a burst of 100 at the top of each second and its latency is the
// time to drain that burst (bench/register-save.ts still prints that figure, for comparison).
import http from 'node:http';
import { mulberry32 } from '../server/lib/seeded-random.ts';

export interface OpenLoopRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface OpenLoopOptions {
  url: string;
  /** Mean arrivals per second. */
  rate: number;
  seconds: number;
  /** Seed of the arrival times, so two runs offer the same load. */
  seed?: number;
  request: (i: number) => OpenLoopRequest;
  /** Called with every answer (status 0: none came) and the request it answers. */
  onResponse?: (status: number, body: string, request: OpenLoopRequest) => void;
}

export interface OpenLoopResult {
  sent: number;
  /** Milliseconds from each arrival to the end of its answer, sorted ascending (answered requests only). */
  latencies: number[];
  statuses: Map<number, number>;
  /** Requests that got no HTTP answer (connection refused or reset). */
  errors: number;
}

/** Arrival times (ms from the start) of a Poisson process with the given mean rate. */
export function poissonArrivals(rate: number, seconds: number, seed = 1): number[] {
  const next = mulberry32(seed);
  const out: number[] = [];
  for (let t = -Math.log(1 - next()) / rate; t < seconds; t += -Math.log(1 - next()) / rate) out.push(t * 1000);
  return out;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const arrivals = poissonArrivals(options.rate, options.seconds, options.seed);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  const send = (i: number, arrival: number, r = options.request(i)) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        { agent, host: target.hostname, port: target.port, method: r.method, path: r.path, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - arrival);
            const status = res.statusCode ?? 0;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            options.onResponse?.(status, Buffer.concat(chunks).toString(), r);
            resolve();
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed as it was reused: the request never reached
        // it, so it is sent again, as browsers do (Node's http documentation, "reusedSocket").
        if (req.reusedSocket && err.code === 'ECONNRESET') {
          void send(i, arrival, r).then(resolve);
          return;
        }
        errors++;
        options.onResponse?.(0, '', r);
        resolve();
      });
      req.end(r.body);
    });

  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < arrivals.length; i++) {
    const arrival = start + (arrivals[i] as number);
    const wait = arrival - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(i, arrival));
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { sent: arrivals.length, latencies, statuses, errors };
}
