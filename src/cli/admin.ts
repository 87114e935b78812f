/**
 * npm run admin -- <command> [options]   (DATA_DIR or DATABASE_URL as for npm start)
 *
 *   create-user --username U --role R [--name N] [--areas CODE,CODE] [--phone P]
 *   set-phone --username U --phone P|none          the number reviewers see beside the user's filings
 *   reset-password --username U                    also ends the user's sessions
 *   disable-user --username U                      the user can no longer sign in; every session ends at once
 *   enable-user --username U                       the user may sign in again
 *   assign --username U --areas CODE,CODE          village (12 digits), township (9) or county (6) codes
 *   revoke-device --device ID                      no one can sign in or sync on the device any more
 *   list-users | list-devices [--user U]           devices with who registered them and who used them
 *   import --demo [--members N]                    the synthetic demo county, all or nothing
 *   import --csv FILE                              a roster, one member a row (src/server/csv-import.ts);
 *                                                  any bad row: a report by row and column, nothing imported
 *   import FILE [--dry-run] [--sheet S] [--mapping JSON]
 *                                                  a roster as .xlsx or .csv with Chinese headings, as an
 *                                                  upsert (docs/import.md); --dry-run only reports
 *
 * Every change to an account or a device is written to the audit (admin_audit, as the actor `cli`),
 * which the 操作记录 screen and GET /api/admin/audit list.
 *
 * Passwords are never given on the command line (where the shell history and the process list
 * would keep them): create-user and reset-password read the password from standard input, one
 * line, or ask for it twice without echo when standard input is a terminal. The password rule
 * (src/server/passwords.ts): at least 10 characters, not the username, not a common password.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { generateCounty } from '../model/demo/index.ts';
import { ROLES, type Role } from '../model/sync.ts';
import { cliChanges } from '../server/admin.ts';
import { AuthError, checkAreas } from '../server/auth.ts';
import { rosterFromCsv } from '../server/csv-import.ts';
import { openDb } from '../server/db.ts';
import { importRoster, type ImportReport } from '../server/import/index.ts';
import { passwordProblem } from '../server/passwords.ts';
import { importCounty, SYSTEM } from '../server/sync/index.ts';

const COMMANDS = ['create-user', 'set-phone', 'reset-password', 'disable-user', 'enable-user', 'assign', 'revoke-device', 'list-users', 'list-devices', 'import'];

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run admin -- ${COMMANDS.join('|')} [options] (see src/cli/admin.ts)\n`);
  process.exit(2);
}

const [cmd, ...rest] = process.argv.slice(2);
const opts: Record<string, string | true> = {};
/** Options that never take a value. */
const FLAGS = new Set(['dry-run', 'demo']);
let file: string | undefined;
for (let i = 0; i < rest.length; i++) {
  const a = rest[i]!;
  if (!a.startsWith('--')) {
    // import FILE: the one argument that is not an option.
    if (cmd === 'import' && file === undefined) {
      file = a;
      continue;
    }
    usage(`unexpected argument "${a}"`);
  }
  const next = rest[i + 1];
  if (next !== undefined && !next.startsWith('--') && !FLAGS.has(a.slice(2))) {
    opts[a.slice(2)] = next;
    i++;
  } else opts[a.slice(2)] = true;
}
if ('password' in opts) usage('--password is not taken: a password on the command line stays in the shell history and the process list. Give it on standard input (one line), or type it when asked.');
const need = (k: string): string => {
  const v = opts[k];
  if (typeof v !== 'string' || v === '') usage(`--${k} is required for ${cmd}`);
  return v;
};
const areas = (): string[] => (typeof opts.areas === 'string' ? opts.areas.split(',').map((s) => s.trim()).filter(Boolean) : []);

/** One line typed at the terminal, not echoed. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows, so nothing typed after it is ever echoed.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    let text = '';
    const done = (value: string | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (value === null) {
        process.stderr.write('cancelled\n');
        process.exit(130);
      }
      resolve(value);
    };
    const onData = (s: string) => {
      for (const c of s) {
        if (c === '\r' || c === '\n') return done(text);
        if (c === '\u0003') return done(null); // Ctrl-C
        if (c === '\u0004') return done(text === '' ? null : text); // Ctrl-D
        if (c === '\u007f' || c === '\b') text = [...text].slice(0, -1).join('');
        else if (c >= ' ') text += c;
      }
    };
    stdin.on('data', onData);
  });
}

/** The new password: from standard input (its first line), or asked twice at a terminal; checked by the rule first. */
async function newPassword(username: string): Promise<string> {
  let password: string;
  if (process.stdin.isTTY) {
    password = await askHidden(`new password for ${username} (not shown): `);
    const problem = passwordProblem(password, username);
    if (problem) fail(problem);
    if ((await askHidden('the same again: ')) !== password) fail('the two passwords differ; nothing was changed');
  } else {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (password === '') fail('no password on standard input: give it as one line (printf "%s\\n" "$PASSWORD" | npm run admin -- …), or run this at a terminal to type it');
  }
  const problem = passwordProblem(password, username);
  if (problem) fail(problem);
  return password;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** A roster import's report for the terminal: where the file was read from, its problems or its changes. */
function printReport(r: ImportReport): void {
  const f = r.file;
  console.log(`${f.name}: ${f.format ?? '?'}${f.encoding ? ` (${f.encoding})` : ''}${f.sheet ? `, 工作表 ${f.sheet}` : ''}${r.headingRow ? `, 表头在第 ${r.headingRow} 行` : ''}, ${r.rows} 行数据`);
  for (const p of r.problems) process.stderr.write(`${p.row !== null ? `第 ${p.row} 行` : '文件'}${p.column ? ` ${p.column} 列` : ''}${p.heading ? `（${p.heading}）` : ''}：${p.message}\n`);
  const shown = r.changeList.slice(0, 200);
  const what = { village: '行政村', household: '户', member: '人员', status: '身份' };
  for (const c of shown) {
    const fields = c.fields.map((x) => `${x.label} ${x.from === null || x.from === undefined ? '' : `${String(x.from)} → `}${String(x.to)}`).join('；');
    console.log(`第 ${c.row} 行 ${c.op === 'create' ? '新建' : '修改'}${what[c.entity]} ${c.label}${fields ? `：${fields}` : ''}`);
  }
  if (shown.length < r.changes) console.log(`（只列出前 ${shown.length} 处改动，共 ${r.changes} 处；报告在导入记录里）`);
  (r.ok ? process.stdout : process.stderr).write(`${r.summary}\n`);
}

if (!cmd) usage('no command given');
if (!COMMANDS.includes(cmd)) usage(`unknown command "${cmd}"`);

// Everything asked of the user comes before the database is opened.
let password = '';
let role: Role = 'village-doctor';
if (cmd === 'create-user') {
  role = need('role') as Role;
  if (!ROLES.includes(role)) usage(`--role must be one of ${ROLES.join(', ')}`);
  password = await newPassword(need('username'));
} else if (cmd === 'reset-password') {
  password = await newPassword(need('username'));
}

const server = await openDb({ dataDir: process.env.DATA_DIR ?? 'data', databaseUrl: process.env.DATABASE_URL });
try {
  switch (cmd) {
    case 'create-user': {
      const username = need('username');
      await checkAreas(server.db, areas());
      await cliChanges.createUser(server.db, { username, displayName: typeof opts.name === 'string' ? opts.name : username, role, password, areas: areas(), phone: typeof opts.phone === 'string' ? opts.phone : null });
      console.log(`created ${username} (${role}) for ${areas().join(', ') || 'no area yet'}`);
      break;
    }
    case 'set-phone': {
      const phone = need('phone');
      await cliChanges.setPhone(server.db, need('username'), phone === 'none' ? null : phone);
      console.log(phone === 'none' ? `${opts.username} has no phone on record now` : `phone of ${opts.username} set`);
      break;
    }
    case 'assign':
      await cliChanges.setAreas(server.db, need('username'), areas());
      console.log(`${opts.username} now covers ${areas().join(', ') || 'nothing'}`);
      break;
    case 'reset-password':
      await cliChanges.resetPassword(server.db, need('username'), password);
      console.log(`password of ${opts.username} reset; its sessions ended`);
      break;
    case 'disable-user':
      await cliChanges.disableUser(server.db, need('username'));
      console.log(`${opts.username} disabled; every session of theirs ended, their recovery keys deleted`);
      break;
    case 'enable-user':
      await cliChanges.enableUser(server.db, need('username'));
      console.log(`${opts.username} may sign in again`);
      break;
    case 'revoke-device':
      await cliChanges.revokeDevice(server.db, need('device'));
      console.log(`device ${opts.device} revoked; every session on it ended, its recovery keys deleted`);
      break;
    case 'list-users': {
      const users = await server.db.selectFrom('users').selectAll().orderBy('username').execute();
      for (const u of users) {
        const a = await server.db.selectFrom('user_areas').select('area_code').where('user_id', '=', u.id).execute();
        console.log(`${u.username.padEnd(16)} ${u.role.padEnd(18)} ${a.map((x) => x.area_code).join(',')}${u.disabled ? ' (disabled)' : ''}`);
      }
      break;
    }
    case 'list-devices': {
      let q = server.db
        .selectFrom('devices')
        .innerJoin('users', 'users.id', 'devices.user_id')
        .select(['devices.id', 'users.username', 'devices.name', 'devices.registered_at', 'devices.last_seen_at', 'devices.revoked_at'])
        .orderBy('devices.registered_at');
      if (typeof opts.user === 'string') {
        const user = opts.user;
        q = q.where('devices.id', 'in', (eb) => eb.selectFrom('device_users').innerJoin('users as u', 'u.id', 'device_users.user_id').select('device_users.device_id').where('u.username', '=', user));
      }
      for (const d of await q.execute()) {
        const used = await server.db
          .selectFrom('device_users')
          .innerJoin('users', 'users.id', 'device_users.user_id')
          .select(['users.username', 'device_users.last_at'])
          .where('device_users.device_id', '=', d.id)
          .orderBy('device_users.first_at')
          .execute();
        console.log(`${d.id} ${d.name} registered by ${d.username} ${d.registered_at}, last seen ${d.last_seen_at}${d.revoked_at ? `, REVOKED ${d.revoked_at}` : ''}`);
        console.log(`  used by ${used.map((u) => `${u.username} (last ${u.last_at})`).join(', ')}`);
      }
      break;
    }
    case 'import': {
      if (file !== undefined) {
        let mapping: Record<string, string> | undefined;
        if (typeof opts.mapping === 'string') {
          try {
            mapping = JSON.parse(opts.mapping) as Record<string, string>;
          } catch {
            usage('--mapping takes a JSON object of heading (or column letter) to field, e.g. \'{"身份证":"证件号码","F":""}\'');
          }
        }
        const bytes = readFileSync(file);
        const r = await importRoster(server.db, { ...SYSTEM, areas: [] }, bytes, {
          fileName: basename(file),
          dryRun: opts['dry-run'] === true,
          ...(mapping ? { mapping } : {}),
          ...(typeof opts.sheet === 'string' ? { sheet: opts.sheet } : {}),
        });
        printReport(r);
        if (!r.ok) process.exitCode = 2;
        break;
      }
      if (typeof opts.csv === 'string') {
        const r = await rosterFromCsv(readFileSync(opts.csv, 'utf8'));
        if (!r.ok) {
          for (const e of r.errors) process.stderr.write(`row ${e.row}, ${e.column}: ${e.message}\n`);
          process.stderr.write(`${r.errors.length} problem(s); nothing was imported\n`);
          process.exitCode = 2;
          break;
        }
        const n = await importCounty(server.db, r.data);
        console.log(`imported ${r.data.members.length} members in ${r.data.households.length} households of ${r.data.villages.length} villages (${n} records)`);
        break;
      }
      if (opts.demo !== true) usage('import takes FILE (.xlsx or .csv), --demo or --csv FILE');
      const members = typeof opts.members === 'string' ? Number(opts.members) : 10_000;
      if (!Number.isInteger(members) || members < 1 || members > 200_000) usage('--members must be a whole number from 1 to 200000');
      const n = await importCounty(server.db, generateCounty({ seed: Number(opts.seed ?? 1), members }));
      console.log(`imported ${n} records`);
      break;
    }
  }
} catch (e) {
  if (e instanceof AuthError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  } else throw e;
} finally {
  await server.close();
}
