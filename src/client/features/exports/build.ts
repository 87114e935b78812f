/**
 * The tablet's exports, offline: the records of this tablet's villages (or one of them) read from
 * the local store with the same reads the screens make (sealed rows are opened by db/seal.ts), made
 * into the same sheets the county server writes (src/model/exports/), and written as .xlsx by
 * write-excel-file's browser entry. This module and write-excel-file load only when the export
 * screen opens.
 */
import writeXlsxFile from 'write-excel-file/browser';
import { enrolmentsBook, exportArea, filingsBook, ledgerBook, rosterBook, toWriteExcel, type ExportFiling, type Workbook } from '../../../model/exports/index.ts';
import type { Enrolment, Village } from '../../../model/roster.ts';
import { shownStatus } from '../../db/filings.ts';
import { db, type ContractRow, type CunyiDb, type FilingRow, type FollowupRow, type HouseholdRow, type MemberRow, type VisitRow } from '../../db/schema.ts';

export const EXPORT_KINDS = ['roster', 'enrolments', 'ledger', 'filings'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportRequest {
  kind: ExportKind;
  /** One village, or every village on the tablet (null). */
  villageId: string | null;
  /** The 台账's year (and, for the filings, a year to keep to when given). */
  year: number;
  /** The export's date (the tablet's today). */
  today: string;
}

type Tables = 'households' | 'members' | 'enrolments' | 'followups' | 'visits' | 'contracts' | 'filings';

/** The records an export needs, of the villages chosen. */
async function read(d: CunyiDb, villages: Village[], all: boolean, kind: ExportKind) {
  const ids = villages.map((v) => v.id);
  const of = <T>(table: Tables) => (all ? d.table(table).toArray() : d.table(table).where('villageId').anyOf(ids).toArray()) as Promise<T[]>;
  const need = (k: ExportKind[]) => k.includes(kind);
  const [households, members] = await Promise.all([of<HouseholdRow>('households'), of<MemberRow>('members')]);
  const memberIds = new Set(members.map((m) => m.id));
  const mine = <T extends { memberId: string }>(rows: T[]) => (all ? rows : rows.filter((r) => memberIds.has(r.memberId)));
  const [statuses, enrolments, followups, visits, contracts, filings, ledger] = await Promise.all([
    need(['roster', 'ledger']) ? d.statuses.toArray().then(mine) : [],
    need(['enrolments', 'ledger']) ? of<Enrolment>('enrolments') : [],
    need(['ledger']) ? of<FollowupRow>('followups') : [],
    need(['ledger']) ? of<VisitRow>('visits') : [],
    need(['ledger']) ? of<ContractRow>('contracts') : [],
    need(['ledger', 'filings']) ? of<FilingRow>('filings') : [],
    need(['ledger']) ? d.ledger.toArray().then(mine) : [],
  ]);
  // A filing as the tablet shows it: a corrected one waiting to be sent is no longer "returned".
  const shown: ExportFiling[] = filings.map((f) => ({ ...f, status: shownStatus(f) }));
  return { villages, households, members, statuses, enrolments, followups, visits, contracts, ledger, filings: shown };
}

/** The workbook of an export, from this tablet's store. */
export async function exportBook(req: ExportRequest, d: CunyiDb = db()): Promise<Workbook> {
  const every = await d.villages.toArray();
  const villages = req.villageId ? every.filter((v) => v.id === req.villageId) : every;
  const input = await read(d, villages, !req.villageId, req.kind);
  const area = exportArea(villages, null, villages.map((v) => v.code));
  switch (req.kind) {
    case 'roster':
      return rosterBook(input, area, req.today);
    case 'enrolments':
      return enrolmentsBook(input, area, req.today);
    case 'ledger':
      return ledgerBook(input, area, req.today, req.year);
    case 'filings':
      return filingsBook(input, area, req.today);
  }
}

/** The workbook as an .xlsx file. */
export async function xlsxBlob(book: Workbook): Promise<Blob> {
  return writeXlsxFile(toWriteExcel(book) as never, {}).toBlob();
}

/** Makes the file and hands it to the browser as a download; returns what was saved. */
export async function downloadExport(req: ExportRequest, d: CunyiDb = db()): Promise<{ fileName: string; rows: number; bytes: number }> {
  const book = await exportBook(req, d);
  const blob = await xlsxBlob(book);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = book.fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has taken the file once the click's task is done; a minute is ample on a slow tablet.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { fileName: book.fileName, rows: book.rows, bytes: blob.size };
}
