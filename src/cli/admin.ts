/**
 * npm run admin -- <command> [options]   (DATA_DIR or DATABASE_URL as for npm start)
 *
 *   create-user --username U --role R --password P [--name N] [--areas CODE,CODE]
 *   assign --username U --areas CODE,CODE          village (12 digits), township (9) or county (6) codes
 *   reset-password --username U --password P       also ends the user's sessions
 *   revoke-device --device ID                      the device can no longer sign in or sync
 *   list-users | list-devices
 *   import --demo [--members N]                    the synthetic demo county, all or nothing
 *   import --csv FILE                              a roster, one member a row (src/server/csv-import.ts);
 *                                                  any bad row: a report by row and column, nothing imported
 */
import { generateCounty } from '../model/demo/index.ts';
import { ROLES, type Role } from '../model/sync.ts';
import { AuthError, createUser, resetPassword, revokeDevice, setAreas } from '../server/auth.ts';
import { openDb } from '../server/db.ts';
import { readFileSync } from 'node:fs';
import { rosterFromCsv } from '../server/csv-import.ts';
import { importCounty } from '../server/sync/index.ts';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run admin -- create-user|assign|reset-password|revoke-device|list-users|list-devices|import [options] (see src/cli/admin.ts)\n`);
  process.exit(2);
}

const [cmd, ...rest] = process.argv.slice(2);
const opts: Record<string, string | true> = {};
for (let i = 0; i < rest.length; i++) {
  const a = rest[i]!;
  if (!a.startsWith('--')) usage(`unexpected argument "${a}"`);
  const next = rest[i + 1];
  if (next !== undefined && !next.startsWith('--')) {
    opts[a.slice(2)] = next;
    i++;
  } else opts[a.slice(2)] = true;
}
const need = (k: string): string => {
  const v = opts[k];
  if (typeof v !== 'string' || v === '') usage(`--${k} is required for ${cmd}`);
  return v;
};
const areas = (): string[] => (typeof opts.areas === 'string' ? opts.areas.split(',').map((s) => s.trim()).filter(Boolean) : []);

if (!cmd) usage('no command given');
const server = await openDb({ dataDir: process.env.DATA_DIR ?? 'data', databaseUrl: process.env.DATABASE_URL });
try {
  switch (cmd) {
    case 'create-user': {
      const role = need('role') as Role;
      if (!ROLES.includes(role)) usage(`--role must be one of ${ROLES.join(', ')}`);
      const username = need('username');
      await createUser(server.db, { username, displayName: typeof opts.name === 'string' ? opts.name : username, role, password: need('password'), areas: areas() });
      console.log(`created ${username} (${role}) for ${areas().join(', ') || 'no area yet'}`);
      break;
    }
    case 'assign':
      await setAreas(server.db, need('username'), areas());
      console.log(`${opts.username} now covers ${areas().join(', ') || 'nothing'}`);
      break;
    case 'reset-password':
      await resetPassword(server.db, need('username'), need('password'));
      console.log(`password of ${opts.username} reset; its sessions ended`);
      break;
    case 'revoke-device':
      await revokeDevice(server.db, need('device'));
      console.log(`device ${opts.device} revoked`);
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
      const rows = await server.db.selectFrom('devices').innerJoin('users', 'users.id', 'devices.user_id').select(['devices.id', 'users.username', 'devices.name', 'devices.last_seen_at', 'devices.revoked_at']).execute();
      for (const d of rows) console.log(`${d.id} ${d.username.padEnd(16)} ${d.name} last seen ${d.last_seen_at}${d.revoked_at ? ` REVOKED ${d.revoked_at}` : ''}`);
      break;
    }
    case 'import': {
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
      if (opts.demo !== true) usage('import takes --demo or --csv FILE');
      const members = typeof opts.members === 'string' ? Number(opts.members) : 10_000;
      if (!Number.isInteger(members) || members < 1 || members > 200_000) usage('--members must be a whole number from 1 to 200000');
      const n = await importCounty(server.db, generateCounty({ seed: Number(opts.seed ?? 1), members }));
      console.log(`imported ${n} records`);
      break;
    }
    default:
      usage(`unknown command "${cmd}"`);
  }
} catch (e) {
  if (e instanceof AuthError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  } else throw e;
} finally {
  await server.close();
}
