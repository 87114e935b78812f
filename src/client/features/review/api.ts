/** The county's review API (online only): queues, a filing with the server's re-settlement, actions, photos. */
import type { FilingRecord } from '../../../model/filing.ts';
import { call } from '../../sync/api.ts';

export interface ReviewSummary {
  id: string;
  type: string;
  typeTitle: string;
  packId: string;
  status: FilingRecord['status'];
  stage: string | null;
  stageTitle: string;
  version: number;
  member: { id: string; name: string; age: number | null; sex: string };
  village: { id: string; code: string; name: string };
  submittedAt: string;
  updatedAt: string;
  amount: number | null;
  canAct: boolean;
  rev: number;
}

export interface Resettlement {
  ok: boolean;
  payers?: Record<string, number>;
  patient?: number;
  priorCount?: number;
  packVersion?: string;
  packHash?: string;
  error?: string;
}

export interface ReviewDetailData {
  filing: FilingRecord;
  rev: number;
  member: { id: string; name: string; idNumber?: string; sex?: string; birthDate?: string; phone?: string | null } & Record<string, unknown>;
  household: Record<string, unknown> | null;
  village: { id: string; code: string; name: string } & Record<string, unknown>;
  canAct: boolean;
  actions: string[];
  resettlement: Resettlement | null;
  difference: { patient?: number; payers?: Record<string, number> } | null;
  /** The member's poverty status on the claim's date, as the county's records have it. */
  statusOnClaim: { date: string; registeredPoor: boolean; poorClass: 1 | 2 | null; assistance: 'tekun' | 'dibao' | null } | null;
  /** What the tablet warned of: a grant's conditions not met on the day it was filed. */
  doubts: string[];
  /** Who filed it, with the phone the county keeps for them (null: none on record). */
  filedBy: { username: string; displayName: string; phone: string | null } | null;
  audit: { id?: string; action: string; stage: string | null; username: string; role: string; at: string; amount?: number | null; reason?: string | null }[];
}

export type ActionBody = { action: 'receive' | 'approve' | 'return' | 'reject' | 'pay'; rev: number; amount?: string; reason?: string; paidOn?: string; reference?: string };

export const reviewApi = {
  list: (token: string, q: Record<string, string>) => {
    const qs = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== '')).toString();
    return call<{ filings: ReviewSummary[]; total: number }>(`/api/review/filings${qs ? `?${qs}` : ''}`, { token });
  },
  get: (token: string, id: string) => call<ReviewDetailData>(`/api/review/filings/${encodeURIComponent(id)}`, { token }),
  act: (token: string, id: string, body: ActionBody) => call<ReviewDetailData>(`/api/review/filings/${encodeURIComponent(id)}/actions`, { method: 'POST', token, body: JSON.stringify(body) }),
  photo: async (token: string, id: string, sha256: string): Promise<Blob> => {
    const res = await fetch(`/api/filings/${encodeURIComponent(id)}/documents/${sha256}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.blob();
  },
};
