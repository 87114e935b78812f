/**
 * npm run bench:rules
 *
 * Claims per second of the settlement engine on one core for a 100,000-claim batch (engine only:
 * claims already parsed, as the server holds them), with and without traces, per pack; and the
 * latency of one estimate as the tablet computes it (parse the scenario JSON, settle the person's
 * year so far plus the new claim, with the trace), p50 and p99.
 */
import { performance } from 'node:perf_hooks';
import { Rng } from '../../src/model/demo/random.ts';
import { builtinPack, builtinPackIds, runScenario, Settlement, type CompiledPack, type EngineClaim, type PersonStatus } from '../../src/rules/index.ts';

const N = Number(process.env.BENCH_CLAIMS ?? 100_000);
const PER_PERSON = 10;

/** Seeded randomness: the demo generator's, so every run sees the same sequence. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

interface Person {
  status: PersonStatus;
  claims: EngineClaim[];
}

function batch(pack: CompiledPack, seed: number): Person[] {
  const r = rng(seed);
  const year = Number(pack.from.slice(0, 4)) + 1;
  const people: Person[] = [];
  for (let i = 0; i < N / PER_PERSON; i++) {
    const poor = r() < 0.6;
    const status: PersonStatus = {
      registeredPoor: poor,
      poorClass: poor && pack.poorClasses ? (r() < 0.5 ? 1 : 2) : null,
      assistance: r() < 0.1 ? 'tekun' : r() < 0.2 ? 'dibao' : null,
    };
    const claims: EngineClaim[] = [];
    for (let k = 0; k < PER_PERSON; k++) {
      const month = 1 + Math.floor((k * 12) / PER_PERSON);
      const total = Math.floor(r() * (r() < 0.1 ? 50_000_000 : 3_000_000));
      claims.push({
        date: `${year}-${String(month).padStart(2, '0')}-15`,
        kind: 'inpatient',
        classIndex: Math.floor(r() * pack.classes.length),
        total,
        outOfCatalog: Math.floor(total * r() * 0.3),
        disease: null,
      });
    }
    people.push({ status, claims });
  }
  return people;
}

function run(pack: CompiledPack, people: Person[], trace: boolean): number {
  let sink = 0;
  for (const p of people) {
    const st = new Settlement(pack, trace);
    for (const c of p.claims) sink += st.settle(c, p.status).patient;
  }
  return sink;
}

function rate(pack: CompiledPack, people: Person[], trace: boolean): number {
  run(pack, people, trace); // warm up
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    run(pack, people, trace);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return N / (times[1]! / 1000);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rows: string[][] = [['pack', 'claims/s (no trace)', 'claims/s (trace)']];
let sumNo = 0;
let sumTr = 0;
for (const [i, id] of builtinPackIds().entries()) {
  const pack = builtinPack(id);
  const people = batch(pack, 1000 + i);
  const no = rate(pack, people, false);
  const tr = rate(pack, people, true);
  sumNo += N / no;
  sumTr += N / tr;
  rows.push([id, fmt(no), fmt(tr)]);
}
const packs = builtinPackIds().length;
rows.push(['all packs', fmt((N * packs) / sumNo), fmt((N * packs) / sumTr)]);

// One estimate as the tablet computes it: the scenario JSON of a member's year (4 earlier stays)
// plus the new claim, parsed and settled with the trace.
const scenario = {
  policy: 'CN-421200-2017',
  person: { registeredPoor: true, poorClass: 1, assistance: null },
  claims: [
    ...[1, 3, 5, 7].map((m) => ({ date: `2018-0${m}-10`, kind: 'inpatient', facility: { class: 'level2' }, total: '12000.00', outOfCatalog: '1000.00' })),
    { date: '2018-09-01', kind: 'inpatient', facility: { class: 'level3' }, total: '30000.00', outOfCatalog: '4000.00' },
  ],
};
const text = JSON.stringify(scenario);
const lat: number[] = [];
for (let i = 0; i < 20_000; i++) {
  const t0 = performance.now();
  runScenario(JSON.parse(text), builtinPack, true);
  lat.push(performance.now() - t0);
}
const tail = lat.slice(2_000).sort((a, b) => a - b);
const pct = (p: number) => tail[Math.min(tail.length - 1, Math.floor((p / 100) * tail.length))]!;

const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`settlement engine, ${fmt(N)}-claim batch per pack (${PER_PERSON} claims a person), one core, node ${process.version}`);
for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]!) : cell.padStart(w[c]!))).join('  '));
console.log(`single estimate with trace (parse + 5 claims): p50 ${(pct(50) * 1000).toFixed(0)} µs, p99 ${(pct(99) * 1000).toFixed(0)} µs`);
