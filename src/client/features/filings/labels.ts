import type { TFunction } from 'i18next';
import type { CompiledPack, FilingTypeRule, Text } from '../../../rules/index.ts';
import type { FilingIssue } from '../../../model/filing.ts';
import { packText as appPackText } from '../../i18n/index.ts';

/** Pack text in the app's language (packs carry Simplified Chinese and English; 繁體 converted). */
export function packText(x: Text): string {
  return appPackText(x);
}

export function documentTitle(t: TFunction, type: FilingTypeRule, kind: string): string {
  if (kind === 'consent') return t('filing.consent.title');
  const d = type.documents.find((x) => x.id === kind);
  return d ? packText(d) : kind;
}

/** A review stage's name alone. */
export function stageName(type: FilingTypeRule, stage: string | null): string {
  const s = type.review.find((x) => x.id === stage);
  return s ? packText(s) : '';
}

/** A review stage with its office. */
export function stageTitle(type: FilingTypeRule, stage: string | null): string {
  const s = type.review.find((x) => x.id === stage);
  return s ? `${packText(s)} · ${packText(s.office)}` : '';
}

/** One missing or wrong item, named for the doctor. */
export function issueLabel(t: TFunction, pack: CompiledPack, type: FilingTypeRule, i: FilingIssue): string {
  const [head, rest] = [i.path.split(/[.[]/)[0], i.path.slice(i.path.indexOf('.') + 1)];
  if (head === 'fields') return `${t(`filing.field.${rest}`)}: ${t(`filing.issue.${i.code}`)}`;
  if (head === 'documents' && i.path.startsWith('documents.')) {
    return i.code === 'too-few' ? t('filing.issue.tooFewPhotos', { name: documentTitle(t, type, rest), need: i.need, have: i.have }) : t('filing.issue.missingPhoto', { name: documentTitle(t, type, rest) });
  }
  if (head === 'consent') return t(i.code === 'required' ? 'filing.issue.consent' : 'filing.issue.consentInvalid');
  if (head === 'villageConfirmation') return t('filing.issue.village');
  if (head === 'estimate') return t(i.code === 'stale' ? 'filing.issue.estimateStale' : 'filing.issue.estimate');
  void pack;
  return `${i.path}: ${i.detail}`;
}
