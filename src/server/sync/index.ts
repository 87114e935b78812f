/** Sync with the tablets (docs/sync.md): push, pull, the roster import, and each record's history. */
export { push, contentHash, StorageFullError } from './push.ts';
export { pull } from './pull.ts';
export { importCounty, ImportError, SYSTEM, writeRecords, type CountyData, type RecordWrite } from './import.ts';
export { historyFor, recordHistory, type HistoryEntry } from './history.ts';
