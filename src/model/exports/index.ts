/**
 * The spreadsheets the county server and the tablet export (docs/import.md): which sheets, rows and
 * cells each has, from plain roster and care records; pure, so both ends make the same files.
 */
export * from './cells.ts';
export { FIELD_INFO, FIELDS, type Field, type FieldInfo } from './headings.ts';
export * from './labels.ts';
export { latestStatus, peopleOf, statusOn, type Person, type RosterInput } from './people.ts';
export { EXPORT_FIELDS, ROSTER_TITLE_ROWS, rosterBook, TEMPLATE_ROWS, TEXT_FIELDS, templateBook } from './roster.ts';
export { diseaseName, ENROLMENT_HEADINGS, enrolmentsBook, type EnrolmentsInput } from './enrolments.ts';
export { FILING_HEADINGS, filingsBook, filingInYear, type ExportFiling } from './filings.ts';
export { CLAIM_HEADINGS, LEDGER_HEADINGS, ledgerAsOf, ledgerBook, patientShare, type LedgerInput } from './ledger.ts';
