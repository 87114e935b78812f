/** Sync with the tablets (docs/sync.md): push, pull, the roster import, and each record's history. */
export { push, contentHash, StorageFullError } from './push.ts';
export { pull } from './pull.ts';
export { importCounty, ImportError, SYSTEM, type CountyData } from './import.ts';
export { recordHistory, type HistoryEntry } from './history.ts';
