/**
 * What a roster import reports (docs/import.md): its problems by row and column, and its changes.
 * The report crosses the wire to the browser's import screen, so its one schema is in the model
 * (src/model/import-report.ts); these are its types.
 */
export { MAX_LISTED, MAX_PROBLEMS, type Change, type Counts, type FieldChange, type ImportReport, type Problem } from '../../model/import-report.ts';
