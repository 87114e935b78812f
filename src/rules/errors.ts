/**
 * Every refusal names the offending field by path (e.g. "claims[1].outOfCatalog" or
 * "inpatient[2].ratio.value.county") with a stable code and a message, Chinese first.
 */
export class RulesError extends Error {
  readonly code: string;
  readonly path: string;
  readonly detail: string;
  constructor(code: string, path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'RulesError';
    this.code = code;
    this.path = path;
    this.detail = detail;
  }
  toJSON(): { code: string; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}
