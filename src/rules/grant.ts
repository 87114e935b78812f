/**
 * One-time grants (Shanxi's 5,000 大病关怀救助): who is eligible, and why not when not.
 */
import type { CompiledPack, CGrant } from './pack.ts';
import { statusKey, type PersonStatus } from './status.ts';
import { formatFen } from './money.ts';

export interface GrantCheck {
  grant: string;
  eligible: boolean;
  /** Fen; 0 when not eligible. */
  amount: number;
  /** The disease entry matched, if any. */
  disease: string | null;
  /** Why not (Chinese, then English), empty when eligible. */
  reasons: string[];
}

export interface GrantQuery {
  date: string;
  status: PersonStatus;
  /** ICD-10 code of the diagnosis. */
  disease: string;
  /** Whether the diagnosis is at a late stage (晚期). */
  lateStage: boolean;
  /** Grant ids already received by the person. */
  received: readonly string[];
}

function check(pack: CompiledPack, g: CGrant, q: GrantQuery): GrantCheck {
  const reasons: string[] = [];
  if (q.date < pack.from || (pack.to !== null && q.date > pack.to)) {
    reasons.push(`日期 ${q.date} 不在政策 ${pack.id} 有效期内 (outside the pack's dates)`);
  }
  if (!g.eligible[statusKey(q.status)]) reasons.push('身份不符：须为建档立卡贫困人口 (the person is not in the eligible group)');
  const cat = q.disease.trim().toUpperCase().slice(0, 3);
  const d = g.diseases.find((x) => x.ranges.some(([a, b]) => cat >= a && cat <= b)) ?? null;
  if (d === null) reasons.push(`疾病 ${q.disease} 不在本包所列病种内 (not among the listed diseases)`);
  if (g.stage === 'late' && !q.lateStage) reasons.push('须为晚期患者 (the disease must be at a late stage)');
  if (g.once && q.received.includes(g.id)) reasons.push(`已领取过（一次性 ${formatFen(g.amount.v)} 元）(already received)`);
  const eligible = reasons.length === 0;
  return { grant: g.id, eligible, amount: eligible ? g.amount.v : 0, disease: d?.id ?? null, reasons };
}

/** Checks every grant of the pack for the person and diagnosis. */
export function grantEligibility(pack: CompiledPack, q: GrantQuery): GrantCheck[] {
  return pack.grants.map((g) => check(pack, g, q));
}
