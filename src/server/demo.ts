/**
 * The demo county on the server: the same synthetic county the app's demo mode makes, and an
 * account for every role on it, so the county side can be tried without real data.
 */
import type { Kysely } from 'kysely';
import { generateCounty } from '../model/demo/index.ts';
import type { Role } from '../model/sync.ts';
import { createDemoUser, DEMO_PASSWORD } from './auth.ts';
import type { Tables } from './db.ts';
import { importCounty } from './sync/index.ts';

export { DEMO_PASSWORD };

/** The demo accounts' names (see seedDemo). */
export const DEMO_USERNAMES = ['doctor', 'cadre', 'township', 'county', 'admin'];

/** Whether only this machine can reach the address (127.0.0.0/8, ::1, localhost): where demo accounts may be made unasked. */
export function isLoopback(host: string): boolean {
  const a = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return a === 'localhost' || a === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(a);
}

export interface DemoAccount {
  username: string;
  role: Role;
  areas: string[];
  /** A person's name, as filings and reviews show who acted (not a description of the role). */
  name: string;
  description: string;
  /** The number reviewers see beside the account's filings (made up, like the rest of the demo). */
  phone?: string;
}

export async function seedDemo(db: Kysely<Tables>, members = 10_000): Promise<DemoAccount[]> {
  const county = generateCounty({ seed: 1, members });
  await importCounty(db, county);
  const villages = [...county.villages].sort((a, b) => a.code.localeCompare(b.code));
  const first = villages[0]!;
  const second = villages[1]!;
  const accounts: DemoAccount[] = [
    { username: 'doctor', role: 'village-doctor', areas: [first.code, second.code], name: '王建国', description: `乡村医生：${first.name}、${second.name}`, phone: '13800000001' },
    { username: 'cadre', role: 'village-cadre', areas: [first.code], name: '李桂兰', description: `村干部：${first.name}`, phone: '13800000002' },
    { username: 'township', role: 'township-reviewer', areas: [first.townshipCode.slice(0, 9)], name: '张明', description: `乡镇审核：${first.townshipName}` },
    { username: 'county', role: 'county-reviewer', areas: [county.county.code], name: '刘芳', description: `县一站式服务中心：${county.county.name}` },
    { username: 'admin', role: 'admin', areas: [], name: '管理员', description: '管理员' },
  ];
  for (const a of accounts) {
    await createDemoUser(db, { username: a.username, displayName: a.name, role: a.role, areas: a.areas, phone: a.phone ?? null });
  }
  return accounts;
}
