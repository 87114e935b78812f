/**
 * npx tsx test/bench/worklist.bench.ts
 *
 * How long the work list takes for a county of 100,000 members (BENCH_MEMBERS to change it): the
 * demo county from generateCounty, with synthetic records on top — a follow-up or two for each
 * 两病 enrolment, a visit for most households (with findings and filing requests), a contract for
 * most members, some returned filings. Prints the items found and p50/p95 of several runs, on a
 * day inside the insurance contribution period (the largest list) and one outside it.
 */
import { performance } from 'node:perf_hooks';
import {
  addDays,
  builtinCarePack,
  contractValidUntil,
  enrolmentDisease,
  generateWorklist,
  type Contract,
  type Followup,
  type HouseholdVisit,
  type WorklistFiling,
  type WorklistInput,
} from '../../src/model/careplan/index.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { Rng, seededIds } from '../../src/model/demo/random.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const pack = builtinCarePack();

const t0 = performance.now();
const county = generateCounty({ members: MEMBERS, now: '2026-01-01T00:00:00.000Z' });
const r = new Rng(7);
const newId = seededIds(7, Date.parse('2026-01-01T00:00:00.000Z'));
const at = '2026-01-01T00:00:00.000Z';
const base = '2026-11-15';
const back = (max: number) => addDays(base, -r.int(1, max));

const followups: Followup[] = [];
for (const e of county.enrolments) {
  const disease = enrolmentDisease(e);
  if (!disease) continue;
  const n = r.int(0, 3);
  for (let k = 0; k < n; k++) {
    const date = back(200);
    const cls = r.chance(0.7) ? 'satisfactory' : r.chance(0.8) ? 'unsatisfactory' : 'adverse-reaction';
    followups.push({
      id: newId(), memberId: e.memberId, villageId: e.villageId, disease, date, way: 'clinic',
      readings: { sbp: 120 + r.int(0, 60), dbp: 70 + r.int(0, 30), heartRate: 72, weightTenthKg: 650, heightCm: 165, glucoseTenthMmol: disease === 'diabetes2' ? r.int(50, 120) : null },
      symptoms: ['none'], lifestyle: { cigarettesPerDay: 0, alcoholLiangPerDay: 0, exerciseMinutesPerWeek: 100, salt: 'medium' },
      medications: [], adherence: 'regular', adverseReaction: { present: cls === 'adverse-reaction' }, complication: { present: false },
      classification: cls, override: null, referral: r.chance(0.03) ? { reason: '危急', to: '县医院' } : null,
      nextDue: addDays(date, cls === 'satisfactory' ? 90 : 14), carePackId: pack.id, createdAt: at, updatedAt: at,
    });
  }
}
const membersOf = new Map<string, string[]>();
for (const m of county.members) {
  const l = membersOf.get(m.householdId);
  if (l) l.push(m.id);
  else membersOf.set(m.householdId, [m.id]);
}
const visits: HouseholdVisit[] = [];
for (const h of county.households) {
  if (!r.chance(0.85)) continue;
  const date = back(200);
  const ms = membersOf.get(h.id) ?? [];
  visits.push({
    id: newId(), householdId: h.id, villageId: h.villageId, date, visitors: [{ name: '王医生', role: 'doctor' }], met: ms.slice(0, 2),
    checklist: ms.map((id) => ({ memberId: id, items: { insured: { answer: 'yes' as const }, needsProxyFiling: { answer: r.chance(0.03) ? ('yes' as const) : ('no' as const) } } })),
    findings: r.chance(0.2) ? [{ id: newId(), memberId: null, problem: '住院费用未报销', measure: '代办报销', due: addDays(date, 30), doneOn: r.chance(0.5) ? addDays(date, 10) : null }] : [],
    createdAt: `${date}T02:00:00.000Z`, updatedAt: `${date}T02:00:00.000Z`,
  });
}
const contracts: Contract[] = [];
for (const m of county.members) {
  if (!r.chance(0.7)) continue;
  const signedOn = back(400);
  contracts.push({ id: newId(), memberId: m.id, householdId: m.householdId, villageId: m.villageId, signedOn, doctor: { name: '王医生', team: '' }, packageId: 'basic', validUntil: contractValidUntil(pack, signedOn), endedOn: null, createdAt: at, updatedAt: at });
}
const filings: WorklistFiling[] = [];
for (const m of county.members) {
  if (!r.chance(0.02)) continue;
  filings.push({ id: newId(), memberId: m.id, householdId: m.householdId, villageId: m.villageId, status: r.chance(0.3) ? 'returned' : 'submitted', createdAt: `${back(60)}T02:00:00.000Z` });
}
const built = performance.now() - t0;

function input(today: string): WorklistInput {
  return { today, pack, members: county.members, households: county.households, statuses: county.statuses, enrolments: county.enrolments, followups, visits, contracts, filings };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

console.log(`county: ${county.members.length} members, ${county.households.length} households, ${county.enrolments.length} enrolments, ${followups.length} follow-ups, ${visits.length} visits, ${contracts.length} contracts, ${filings.length} filings (built in ${built.toFixed(0)} ms)`);
for (const today of [base, '2026-06-15']) {
  for (let i = 0; i < 3; i++) generateWorklist(input(today)); // warm up
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    items = generateWorklist(input(today)).length;
    times.push(performance.now() - s);
  }
  const oneVillage = county.villages[0]!.id;
  const vt: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    generateWorklist(input(today), { villageIds: [oneVillage] });
    vt.push(performance.now() - s);
  }
  console.log(`${today}: ${items} items; whole county p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms; one village p50 ${quantile(vt, 0.5).toFixed(1)} ms (${RUNS} runs)`);
}
