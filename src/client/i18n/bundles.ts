/**
 * Message bundles of features that keep their screen text beside their code (a feature folder's
 * messages.ts: one object per language). They are merged under the base language files; a key of
 * a bundle must not exist in the base (test/client/i18n.test.ts checks both, and completeness).
 */
import { estimateMessages } from '../features/estimate/messages.ts';
import { filingMessages } from '../features/filings/messages.ts';
import { reviewMessages } from '../features/review/messages.ts';
import { profileMessages } from '../profiles/messages.ts';
import { careMessages } from '../features/careplan/messages.ts';

export interface Bundle {
  'zh-CN': Record<string, unknown>;
  'zh-TW': Record<string, unknown>;
  en: Record<string, unknown>;
}

/**
 * Bundles of screens that load lazily (administration, spreadsheets): their words come with their
 * chunk and are added to i18next when it loads (addBundle in i18n/index.ts), so they cost the
 * initial JavaScript nothing. The tests merge them with the rest (messages.ts allMessages).
 */
export const LAZY_BUNDLES: Record<string, () => Promise<Bundle>> = {
  imports: () => import('../features/imports/messages.ts').then((m) => m.importMessages),
  exports: () => import('../features/exports/messages.ts').then((m) => m.exportMessages),
  admin: () => import('../features/admin/messages.ts').then((m) => m.adminMessages),
};

export const BUNDLES: Bundle[] = [
  estimateMessages,
  reviewMessages,
  filingMessages,
  careMessages,
  // administration and spreadsheets
  profileMessages,
];
