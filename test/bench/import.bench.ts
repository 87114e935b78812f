/**
 * npm run bench:import
 *
 * The server's roster import on SQLite for a county of 100,000 members (BENCH_MEMBERS): the
 * roster exported as .xlsx (as a county would have it) and imported into an empty server, one row
 * a member (villages, households, members and their statuses created, one transaction); the same
 * file again (every row compared, nothing written); the same rows as a UTF-8 CSV. Beside them, in
 * the same run, the baseline: the older CSV import (src/server/csv-import.ts with importCounty,
 * which only inserts) on the same rows. Target: at least 5,000 rows a second for the .xlsx.
 */
import { performance } from 'node:perf_hooks';
import { generateCounty } from '../../src/model/demo/index.ts';
import type { StatusRecord } from '../../src/model/roster.ts';
import { CSV_COLUMNS, rosterFromCsv } from '../../src/server/csv-import.ts';
import { rosterXlsx } from '../../src/server/import/export.ts';
import { importRoster, type ImportReport } from '../../src/server/import/index.ts';
import { readWorkbook } from '../../src/server/import/read.ts';
import { importCounty, SYSTEM } from '../../src/server/sync/index.ts';
import { freshDb } from '../server/backends.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const TARGET = 5_000;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const admin = { ...SYSTEM, areas: [] as string[] };

console.log(`roster import on SQLite, ${fmt(MEMBERS)} members`);
const county = generateCounty({ seed: 5, members: MEMBERS });
const members = county.members.length;

// The county's roster as .xlsx, exported by the server itself.
const source = await freshDb('sqlite');
await importCounty(source.db, county);
let t = performance.now();
const file = await rosterXlsx(source.db, admin);
console.log(`  export to .xlsx (fixture)      ${fmt(performance.now() - t)} ms, ${fmt(file.bytes.length / 1024 / 1024, 1)} MB, ${fmt(file.members)} rows`);
await source.drop();

t = performance.now();
const read = await readWorkbook(file.bytes);
const readMs = performance.now() - t;
if (!read.ok) throw new Error(read.problem.message);
console.log(`  read .xlsx only                ${fmt(readMs)} ms (${fmt(members / (readMs / 1000))} rows/s)`);

const result: { name: string; ms: number; rows: number; changes: number }[] = [];
const check = (r: ImportReport) => {
  if (!r.ok) throw new Error(`import refused: ${JSON.stringify(r.problems.slice(0, 5))}`);
  return r;
};

const db = await freshDb('sqlite');
t = performance.now();
let r = check(await importRoster(db.db, admin, file.bytes, { fileName: file.fileName, dryRun: false }));
result.push({ name: '.xlsx into an empty server', ms: performance.now() - t, rows: r.rows, changes: r.changes });
t = performance.now();
r = check(await importRoster(db.db, admin, file.bytes, { fileName: file.fileName, dryRun: false }));
result.push({ name: '.xlsx again (0 changes)', ms: performance.now() - t, rows: r.rows, changes: r.changes });
if (r.changes !== 0) throw new Error(`the same file again changed ${r.changes} records`);
await db.drop();

// The same rows as CSV: for the new import with Chinese headings, and for the older English CSV.
const latest = new Map<string, StatusRecord>();
for (const s of county.statuses) {
  const l = latest.get(s.memberId);
  if (!l || s.from > l.from || (s.from === l.from && s.createdAt > l.createdAt)) latest.set(s.memberId, s);
}
const village = new Map(county.villages.map((v) => [v.id, v]));
const household = new Map(county.households.map((h) => [h.id, h]));
const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const oldCsv = [
  CSV_COLUMNS.join(','),
  ...county.members.map((m) => {
    const v = village.get(m.villageId)!;
    const h = household.get(m.householdId)!;
    const s = latest.get(m.id)!;
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      county_code: v.countyCode, county_name: v.countyName, township_code: v.townshipCode.slice(0, 9), township_name: v.townshipName, village_code: v.code, village_name: v.name, pack_id: v.packId,
      household_number: h.number, address: h.address, household_phone: h.phone ?? '', name: m.name, id_number: m.idNumber, relation: m.relation, phone: m.phone ?? '',
      poverty: s.poverty, poverty_from: s.from, poor_class: s.poorClass ? String(s.poorClass) : '', assistance: s.assistance ?? '',
    };
    return CSV_COLUMNS.map((c) => q(row[c])).join(',');
  }),
].join('\n');
const sheet = (read.book.sheets[0]!.rows as { text: string }[][]).map((row) => row.map((c) => q(c.text)).join(',')).join('\n');
const newCsv = new TextEncoder().encode(sheet);

const db2 = await freshDb('sqlite');
t = performance.now();
r = check(await importRoster(db2.db, admin, newCsv, { fileName: 'roster.csv', dryRun: false }));
result.push({ name: '.csv (UTF-8) into an empty server', ms: performance.now() - t, rows: r.rows, changes: r.changes });
await db2.drop();

const db3 = await freshDb('sqlite');
t = performance.now();
const old = await rosterFromCsv(oldCsv);
if (!old.ok) throw new Error(JSON.stringify(old.errors.slice(0, 5)));
const n = await importCounty(db3.db, old.data);
result.push({ name: 'baseline: older CSV import', ms: performance.now() - t, rows: old.data.members.length, changes: n });
await db3.drop();

for (const x of result) {
  console.log(`  ${x.name.padEnd(31)}${fmt(x.ms).padStart(7)} ms  ${fmt(x.rows / (x.ms / 1000)).padStart(7)} rows/s  (${fmt(x.changes)} records written)`);
}
const main = result[0]!;
const rate = main.rows / (main.ms / 1000);
console.log(`  target ≥ ${fmt(TARGET)} rows/s for .xlsx: ${rate >= TARGET ? 'met' : 'NOT MET'} (${fmt(rate)} rows/s)`);
if (rate < TARGET) process.exitCode = 1;
