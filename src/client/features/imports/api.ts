/**
 * The county's roster import (online only, docs/import.md): a file sent as it is, first as a dry
 * run that reports every problem and change, then for real with the same column mapping; and the
 * history of imports. What comes back is checked against the one schema in src/model.
 */
import * as v from 'valibot';
import { ImportHistorySchema, ImportReportSchema, type ImportHistory, type ImportReport } from '../../../model/import-report.ts';
import { call } from '../../sync/api.ts';

/** Heading (as in the file) or column letter → field key; '' leaves the column out. */
export type Mapping = Record<string, string>;

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const importApi = {
  /** A dry run (nothing written) or the import itself; a refused import answers 422 with its report. */
  send: async (token: string, file: File, opts: { dryRun: boolean; mapping: Mapping; sheet?: string }): Promise<ImportReport> => {
    const q = new URLSearchParams();
    if (opts.dryRun) q.set('dryRun', '1');
    if (Object.keys(opts.mapping).length) q.set('mapping', JSON.stringify(opts.mapping));
    if (opts.sheet) q.set('sheet', opts.sheet);
    const type = /\.xlsx$/i.test(file.name) ? XLSX_MIME : 'application/octet-stream';
    const r = await call<unknown>(`/api/admin/import${q.size ? `?${q}` : ''}`, {
      method: 'POST',
      token,
      body: file,
      answers: [422],
      headers: { 'content-type': type, 'x-cunyi-filename': encodeURIComponent(file.name) },
    });
    return v.parse(ImportReportSchema, r);
  },
  history: async (token: string): Promise<ImportHistory> => v.parse(ImportHistorySchema, await call<unknown>('/api/admin/imports?limit=50', { token })),
};

