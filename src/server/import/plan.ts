/**
 * The rows of a roster compared with what the server holds, as the writes that would make the
 * server say what the file says, and no more: a person is matched by ID number, a household by its
 * village and household number, a village by its code or, within the importer's area, by its name.
 * A record the file matches is left alone (a second import of the same file writes nothing); an
 * empty cell never erases a value; a record the file does not mention is never removed.
 */
import type { Kysely } from 'kysely';
import { namePinyin } from '../../model/pinyin.ts';
import { checkRecord } from '../../model/records.ts';
import type { Household, Member, StatusRecord, Village } from '../../model/roster.ts';
import type { Entity } from '../../model/sync.ts';
import { ulid } from '../../model/ulid.ts';
import { inJurisdiction, type Principal } from '../auth.ts';
import type { RecordRow, Tables } from '../db.ts';
import type { RecordWrite } from '../sync/index.ts';
import { FIELD_INFO, type Field, type Layout } from './headings.ts';
import { columnName } from './read.ts';
import type { Place, RosterRow } from './rows.ts';
import type { Change, FieldChange, ImportReport, Problem } from './types.ts';
import { POVERTY_LABEL, RELATION_LABEL } from './values.ts';

type Row = RecordRow;
interface Held<T> {
  row: Row;
  data: T;
}

/** The roster records the server holds (not deleted), indexed as the import matches them. */
export interface ServerRoster {
  villages: Held<Village>[];
  villageById: Map<string, Held<Village>>;
  villageByCode: Map<string, Held<Village>>;
  householdByKey: Map<string, Held<Household>>;
  householdById: Map<string, Held<Household>>;
  memberByIdNumber: Map<string, Held<Member>>;
  memberById: Map<string, Held<Member>>;
  /** Each member's status in force now: the latest by date, then by creation. */
  latestStatus: Map<string, Held<StatusRecord>>;
}

const hkey = (villageId: string, number: string) => `${villageId}\u0000${number}`;

export async function loadRoster(db: Kysely<Tables>): Promise<ServerRoster> {
  const rows = await db.selectFrom('records').selectAll().where('entity', 'in', ['village', 'household', 'member', 'status']).where('deleted', '=', 0).execute();
  const r: ServerRoster = { villages: [], villageById: new Map(), villageByCode: new Map(), householdByKey: new Map(), householdById: new Map(), memberByIdNumber: new Map(), memberById: new Map(), latestStatus: new Map() };
  for (const row of rows) {
    const data = JSON.parse(row.data);
    if (row.entity === 'village') {
      const v = { row, data: data as Village };
      r.villages.push(v);
      r.villageById.set(v.data.id, v);
      r.villageByCode.set(v.data.code, v);
    } else if (row.entity === 'household') {
      const h = { row, data: data as Household };
      r.householdByKey.set(hkey(h.data.villageId, h.data.number), h);
      r.householdById.set(h.data.id, h);
    } else if (row.entity === 'member') {
      const m = { row, data: data as Member };
      r.memberByIdNumber.set(m.data.idNumber, m);
      r.memberById.set(m.data.id, m);
    } else {
      const s = data as StatusRecord;
      const held = r.latestStatus.get(s.memberId);
      if (!held || s.from > held.data.from || (s.from === held.data.from && s.createdAt > held.data.createdAt)) r.latestStatus.set(s.memberId, { row, data: s });
    }
  }
  return r;
}

export type Importer = Pick<Principal, 'userId' | 'username' | 'role' | 'deviceId' | 'areas'>;

export interface Plan {
  writes: RecordWrite[];
  problems: Problem[];
  changes: Change[];
  counts: ImportReport['counts'];
  /** The county codes of the villages the file names. */
  counties: Set<string>;
}

const LABELS: Record<string, string> = {
  name: '姓名',
  relation: '与户主关系',
  phone: '联系电话',
  address: '住址',
  headMemberId: '户主',
  poverty: '贫困户属性',
  assistance: '低保/特困',
  poorClass: '贫困类别',
  from: '认定日期',
};

const ASSISTANCE_LABEL = { dibao: '低保', tekun: '特困' } as const;

/** The writes that bring the server to what the rows say, or the problems that stand in the way. */
export async function planImport(server: ServerRoster, rows: RosterRow[], layout: Layout, by: Importer, now: string): Promise<Plan> {
  const problems: Problem[] = [];
  const writes: RecordWrite[] = [];
  const changes: Change[] = [];
  const counts: Plan['counts'] = { village: { created: 0, updated: 0 }, household: { created: 0, updated: 0 }, member: { created: 0, updated: 0, unchanged: 0 }, status: { created: 0, updated: 0 } };
  const counties = new Set<string>();
  const today = now.slice(0, 10);
  const where = (f: Field) => {
    const i = layout.columns.get(f);
    return { column: i === undefined ? null : columnName(i), heading: i === undefined ? FIELD_INFO.get(f)!.label : (layout.described.find((d) => d.column === columnName(i))?.heading ?? '') };
  };
  const problem = (row: number, f: Field, message: string) => problems.push({ row, ...where(f), message });
  const areaText = by.areas.length ? by.areas.join('、') : '无';

  // Villages: resolved once per distinct place; a new one only from the administrator, with its code and names.
  const newVillages = new Map<string, { village: Village; row: number }>();
  const resolved = new Map<string, { village: Village } | { message: string; field: Field }>();
  const placeField = (p: Place): Field => (layout.columns.has('villageCode') && p.villageCode ? 'villageCode' : layout.columns.has('village') ? 'village' : 'villageCode');
  const resolve = (p: Place, rowNo: number): { village: Village } | { message: string; field: Field } => {
    const field = placeField(p);
    if (p.villageCode) {
      const code = p.villageCode;
      const held = server.villageByCode.get(code)?.data ?? newVillages.get(code)?.village;
      if (!inJurisdiction(by, code)) return { field, message: `行政村 ${code}${p.village ? ` ${p.village}` : held ? ` ${held.name}` : ''} 不在您负责的范围（${areaText}）内，不能导入` };
      if (held) {
        if (p.village && p.village !== held.name) return { field: layout.columns.has('village') ? 'village' : field, message: `行政村代码 ${code} 是“${held.name}”，表里写的是“${p.village}”，请核对` };
        if (p.township && p.township !== held.townshipName && !layout.columns.has('villageCode')) return { field: 'township', message: `行政村 ${held.name} 属于“${held.townshipName}”，表里写的是“${p.township}”，请核对` };
        return { village: held };
      }
      if (by.role !== 'admin') return { field, message: `服务器上没有代码为 ${code} 的行政村；新的行政村由管理员导入` };
      const sameTownship = server.villages.find((v) => v.data.townshipCode.slice(0, 9) === code.slice(0, 9))?.data;
      const sameCounty = server.villages.find((v) => v.data.countyCode === code.slice(0, 6))?.data ?? [...newVillages.values()].find((v) => v.village.countyCode === code.slice(0, 6))?.village;
      const village: Partial<Village> = {
        id: ulid(),
        code,
        name: p.village,
        townshipCode: code.slice(0, 9),
        townshipName: p.township ?? sameTownship?.townshipName,
        countyCode: code.slice(0, 6),
        countyName: p.county ?? sameCounty?.countyName,
        packId: p.packId ?? sameCounty?.packId,
      };
      const missing = [!village.name && '村名（行政村）', !village.townshipName && '乡镇名称', !village.countyName && '县名称', !village.packId && '政策包'].filter(Boolean);
      if (missing.length) return { field, message: `服务器上没有代码为 ${code} 的行政村；新建行政村还需要填写：${missing.join('、')}` };
      if (p.countyCode && p.countyCode !== code.slice(0, 6)) return { field: 'countyCode', message: `县代码 ${p.countyCode} 与行政村代码 ${code} 的前 6 位不同` };
      newVillages.set(code, { village: village as Village, row: rowNo });
      return { village: village as Village };
    }
    const name = p.village!;
    const fits = (v: Village) => v.name === name && (!p.townshipCode || v.townshipCode.slice(0, 9) === p.townshipCode) && (!p.township || v.townshipName === p.township);
    const all = [...server.villages.map((v) => v.data), ...[...newVillages.values()].map((v) => v.village)].filter(fits);
    const mine = all.filter((v) => inJurisdiction(by, v.code));
    if (mine.length === 1) return { village: mine[0]! };
    if (mine.length > 1) return { field, message: `有 ${mine.length} 个行政村都叫“${name}”（${mine.map((v) => `${v.townshipName} ${v.code}`).join('、')}），请填写乡镇或 12 位行政村代码` };
    if (all.length) return { field, message: `行政村“${name}”（${all[0]!.code}）不在您负责的范围（${areaText}）内，不能导入` };
    return { field, message: `服务器上${p.township ? `“${p.township}”` : '您负责的范围'}里没有名为“${name}”的行政村；新建行政村请填写 12 位行政村代码` };
  };

  // Rows by household.
  interface Group {
    village: Village;
    number: string;
    held: Held<Household> | undefined;
    rows: RosterRow[];
  }
  const groups = new Map<string, Group>();
  const rowsOk: { r: RosterRow; g: Group }[] = [];
  for (const r of rows) {
    const key = JSON.stringify(r.place);
    let v = resolved.get(key);
    if (!v) {
      v = resolve(r.place, r.row);
      resolved.set(key, v);
    }
    if ('message' in v) {
      problem(r.row, v.field, v.message);
      continue;
    }
    counties.add(v.village.code.slice(0, 6));
    const k = hkey(v.village.id, r.householdNumber);
    let g = groups.get(k);
    if (!g) {
      g = { village: v.village, number: r.householdNumber, held: server.householdByKey.get(k), rows: [] };
      groups.set(k, g);
    }
    g.rows.push(r);
    rowsOk.push({ r, g });
  }

  // Members: matched by ID number; a person stays in the household the server has them in.
  const memberOf = new Map<RosterRow, string>();
  const memberWrites: RecordWrite[] = [];
  const statusWrites: RecordWrite[] = [];
  const nameOfMember = new Map<string, string>();
  // Names repeat in a county (张伟, 王芳): each one's pinyin is made once.
  const pinyinOf = new Map<string, { pinyin: string; initials: string }>();
  const pinyin = async (name: string) => {
    let p = pinyinOf.get(name);
    if (!p) {
      p = await namePinyin(name);
      pinyinOf.set(name, p);
    }
    return p;
  };
  for (const { r, g } of rowsOk) {
    const held = server.memberByIdNumber.get(r.idNumber);
    if (held) {
      if (!inJurisdiction(by, held.row.village_code)) {
        problem(r.row, 'idNumber', `这个证件号码的人已登记在您负责范围以外的行政村（${held.row.village_code}），不能在这里导入`);
        continue;
      }
      if (!g.held || held.data.householdId !== g.held.data.id) {
        const h = server.householdById.get(held.data.householdId)?.data;
        const v = h ? server.villageById.get(h.villageId)?.data : undefined;
        problem(r.row, 'householdNumber', `${held.data.name}已登记在${v ? `${v.name}` : ''}户 ${h?.number ?? '?'}，表里写的是${g.village.name}户 ${g.number}：迁户请在平板上办理，或核对户编号`);
        continue;
      }
      memberOf.set(r, held.data.id);
      nameOfMember.set(held.data.id, r.name);
    } else {
      memberOf.set(r, ulid());
      nameOfMember.set(memberOf.get(r)!, r.name);
    }
  }

  // Households: a new one must come with its head; one head a household.
  const householdOf = new Map<Group, string>();
  for (const g of groups.values()) {
    const mine = g.rows.filter((r) => memberOf.has(r));
    const heads = mine.filter((r) => r.relation === 'head');
    for (const extra of heads.slice(1)) problem(extra.row, 'relation', `户 ${g.number} 的户主已在第 ${heads[0]!.row} 行，一户只能有一个户主`);
    if (!g.held && heads.length === 0) {
      for (const r of mine) problem(r.row, 'householdNumber', `户 ${g.number}（${g.village.name}）在服务器上没有，文件里也没有这一户的户主：请补上户主那一行，或核对户编号`);
      continue;
    }
    const head = heads[0] ? memberOf.get(heads[0]) : undefined;
    const address = (heads[0]?.address !== undefined ? heads[0] : mine.find((r) => r.address !== undefined))?.address;
    const first = g.rows[0]!.row;
    if (!g.held) {
      const h: Household = { id: ulid(), villageId: g.village.id, number: g.number, address: address ?? '', headMemberId: head ?? null, phone: null, createdAt: now, updatedAt: now, rev: 1 };
      householdOf.set(g, h.id);
      writes.push({ entity: 'household', id: h.id, villageCode: g.village.code, create: h });
      counts.household.created++;
      changes.push({ row: first, entity: 'household', op: 'create', id: h.id, label: `户 ${g.number}（${g.village.name}）`, fields: [] });
      continue;
    }
    householdOf.set(g, g.held.data.id);
    const fields: Record<string, unknown> = {};
    const listed: FieldChange[] = [];
    if (address !== undefined && address !== g.held.data.address) {
      fields.address = address;
      listed.push({ field: 'address', label: LABELS.address!, from: g.held.data.address, to: address });
    }
    if (head !== undefined && head !== g.held.data.headMemberId) {
      fields.headMemberId = head;
      const before = g.held.data.headMemberId ? server.memberById.get(g.held.data.headMemberId)?.data.name : null;
      listed.push({ field: 'headMemberId', label: LABELS.headMemberId!, from: before ?? null, to: nameOfMember.get(head) ?? null });
    }
    if (listed.length) {
      writes.push({ entity: 'household', id: g.held.data.id, villageCode: g.held.row.village_code, update: { row: g.held.row, fields } });
      counts.household.updated++;
      changes.push({ row: first, entity: 'household', op: 'update', id: g.held.data.id, label: `户 ${g.number}（${g.village.name}）`, fields: listed });
    }
  }

  for (const { r, g } of rowsOk) {
    const memberId = memberOf.get(r);
    const householdId = householdOf.get(g);
    if (!memberId || !householdId) continue;
    const held = server.memberByIdNumber.get(r.idNumber);
    const label = r.name;
    if (!held) {
      const { pinyin: py, initials } = await pinyin(r.name);
      const m: Member = {
        id: memberId, householdId, villageId: g.village.id, name: r.name, pinyin: py, initials, idNumber: r.idNumber, sex: r.sex, birthDate: r.birthDate,
        relation: r.relation, phone: r.phone ?? null, state: 'active', stateDate: null, insured: { scheme: 'resident', year: Number(today.slice(0, 4)) }, createdAt: now, updatedAt: now, rev: 1,
      };
      memberWrites.push({ entity: 'member', id: m.id, villageCode: g.village.code, create: m });
      counts.member.created++;
      changes.push({ row: r.row, entity: 'member', op: 'create', id: m.id, label, fields: [] });
    } else {
      const fields: Record<string, unknown> = {};
      const listed: FieldChange[] = [];
      const set = (field: 'name' | 'relation' | 'phone', to: string, shown = (x: unknown) => x) => {
        if (held.data[field] === to) return;
        fields[field] = to;
        listed.push({ field, label: LABELS[field]!, from: shown(held.data[field]), to: shown(to) });
      };
      set('name', r.name);
      set('relation', r.relation, (x) => RELATION_LABEL[x as keyof typeof RELATION_LABEL] ?? x);
      if (r.phone !== undefined) set('phone', r.phone);
      if (fields.name !== undefined) Object.assign(fields, await pinyin(r.name));
      if (listed.length) {
        memberWrites.push({ entity: 'member', id: held.data.id, villageCode: held.row.village_code, update: { row: held.row, fields } });
        counts.member.updated++;
        changes.push({ row: r.row, entity: 'member', op: 'update', id: held.data.id, label, fields: listed });
      } else counts.member.unchanged++;
    }

    // Status: a new record when what is in force changes, dated as the file says or today.
    const s = r.status;
    if (!s || (s.poverty === undefined && s.assistance === undefined && s.poorClass === undefined && s.not === undefined)) continue;
    const latest = held ? server.latestStatus.get(held.data.id) : undefined;
    const kept = latest?.data.assistance ?? null;
    const target = {
      poverty: s.poverty ?? latest?.data.poverty ?? 'none',
      assistance: s.assistance !== undefined ? s.assistance : kept && s.not?.includes(kept) ? null : kept,
      poorClass: s.poorClass !== undefined ? s.poorClass : (latest?.data.poorClass ?? null),
    };
    const shown = {
      poverty: (x: unknown) => POVERTY_LABEL[x as StatusRecord['poverty']] ?? x,
      assistance: (x: unknown) => (x ? ASSISTANCE_LABEL[x as 'dibao' | 'tekun'] : '无'),
      poorClass: (x: unknown) => (x === 1 ? '一类' : x === 2 ? '二类' : '无'),
    };
    const differs = (['poverty', 'assistance', 'poorClass'] as const).filter((k) => (latest?.data[k] ?? (k === 'poverty' ? undefined : null)) !== target[k]);
    if (latest && differs.length === 0) continue;
    // A change is dated as the row says, else by the lifting-out year when that is after what is
    // in force (or nothing is), else today: the server's history is not rewritten by a guess.
    const from = s.from ?? (s.liftedFrom && (!latest || s.liftedFrom > latest.data.from) ? s.liftedFrom : today);
    const listed = differs.map((k) => ({ field: k, label: LABELS[k]!, from: latest ? shown[k](latest.data[k]) : null, to: shown[k](target[k]) }));
    if (latest && from < latest.data.from) {
      problem(r.row, layout.columns.has('statusFrom') ? 'statusFrom' : 'householdKind', `新的身份从 ${from} 起，早于服务器上现有身份的日期 ${latest.data.from}；请填写 ${latest.data.from} 以后的认定日期`);
      continue;
    }
    if (latest && from === latest.data.from) {
      const fields = Object.fromEntries(differs.map((k) => [k, target[k]]));
      statusWrites.push({ entity: 'status', id: latest.data.id, villageCode: latest.row.village_code, update: { row: latest.row, fields } });
      counts.status.updated++;
      changes.push({ row: r.row, entity: 'status', op: 'update', id: latest.data.id, label, fields: listed });
    } else {
      const st: StatusRecord = { id: ulid(), memberId, from, poverty: target.poverty, poorClass: target.poorClass, assistance: target.assistance, note: null, createdAt: now };
      statusWrites.push({ entity: 'status', id: st.id, villageCode: g.village.code, create: st });
      counts.status.created++;
      changes.push({ row: r.row, entity: 'status', op: 'create', id: st.id, label, fields: listed.length ? listed : [{ field: 'from', label: LABELS.from!, from: null, to: from }] });
    }
  }

  const villageWrites: RecordWrite[] = [...newVillages.values()].map(({ village, row }) => {
    counts.village.created++;
    changes.push({ row, entity: 'village', op: 'create', id: village.id, label: `${village.townshipName} ${village.name}（${village.code}）`, fields: [] });
    return { entity: 'village', id: village.id, villageCode: village.code, create: village };
  });
  const all = [...villageWrites, ...writes, ...memberWrites, ...statusWrites];

  // Every record as it will be stored must be one the tablets take.
  const rowOfId = new Map(changes.map((c) => [c.id, c.row]));
  for (const w of all) {
    const record = 'create' in w ? w.create : { ...JSON.parse(w.update.row.data), ...w.update.fields };
    const bad = checkRecord(w.entity as Entity, record);
    if (bad) problems.push({ row: rowOfId.get(w.id) ?? null, column: null, message: `这一行生成的记录不合格（${w.entity} ${bad.path}: ${bad.message}），请核对` });
  }
  return { writes: all, problems, changes, counts, counties };
}
