import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Enrolment } from '../../../model/roster.ts';
import { builtinPack } from '../../../rules/index.ts';
import { endEnrolment, InputError, reopenEnrolment } from '../../db/repo.ts';
import { packText, currentLang, date, today, yuan } from '../../i18n/index.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { Field } from '../common/Field.tsx';
import './MemberEnrolments.css';

/** The disease of an enrolment by its name in the pack (the ICD code when the pack does not have it). */
function diseaseName(e: Enrolment): string {
  const lang = currentLang() === 'en' ? 'en' : 'zh-CN';
  try {
    return packText(builtinPack(e.packId).outpatient?.entries.find((x) => x.id === e.entryId)?.name) ?? e.icd;
  } catch {
    return e.icd;
  }
}

/**
 * A member's chronic-disease certifications. 终止 asks for the end date (today unless said
 * otherwise; not after today, not before the certification) and a confirmation; an ended one can
 * be put back in force (撤销终止).
 */
export function MemberEnrolments({ enrolments }: { enrolments: Enrolment[] }) {
  const { t } = useTranslation();
  const [ending, setEnding] = useState<Enrolment | null>(null);
  const [endedOn, setEndedOn] = useState(today());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (enrolments.length === 0) return <p className="muted">{t('enrolments.none')}</p>;

  const ask = (e: Enrolment) => {
    setEndedOn(today());
    setError(null);
    setEnding(e);
  };
  const end = async () => {
    if (!ending) return;
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(endedOn)) return setError(t('errors.required', { field: t('enrolments.endedOn') }));
    if (endedOn > today()) return setError(t('errors.future', { field: t('enrolments.endedOn') }));
    if (endedOn < ending.certifiedOn) return setError(t('enrolments.endBeforeCertified', { date: date(ending.certifiedOn) }));
    setBusy(true);
    try {
      await endEnrolment(ending.id, endedOn);
      setEnding(null);
    } catch (err) {
      setError(err instanceof InputError ? err.message : t('errors.saveFailed', { reason: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ul className="list compact">
        {enrolments.map((e) => (
          <li key={e.id} className={e.endedOn ? 'ended' : ''} data-testid="enrolment-row" data-id={e.id}>
            <span className="title">
              {diseaseName(e)} <small>· {t(`enrolments.category.${e.category}`)} · {e.icd}</small>
            </span>
            {e.endedOn ? (
              <button type="button" onClick={() => void reopenEnrolment(e.id)} data-testid="enrolment-undo">
                {t('enrolments.undo')}
              </button>
            ) : (
              <button type="button" onClick={() => ask(e)} data-testid="enrolment-end">
                {t('enrolments.end')}
              </button>
            )}
            <span className="meta">
              {t('enrolments.certified', { date: date(e.certifiedOn), hospital: e.hospital })} · {t('enrolments.limit', { amount: yuan(e.annualLimit) })}
              {e.endedOn && ` · ${t('enrolments.ended', { date: date(e.endedOn) })}`}
            </span>
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={ending !== null}
        title={t('enrolments.endTitle')}
        message={ending ? <p>{t('enrolments.endText', { disease: diseaseName(ending), icd: ending.icd })}</p> : null}
        confirmLabel={t('enrolments.endConfirm')}
        danger
        busy={busy}
        onConfirm={() => void end()}
        onCancel={() => setEnding(null)}
      >
        <Field id="endedOn" label={t('enrolments.endedOn')} error={error}>
          <input id="endedOn" type="date" value={endedOn} min={ending?.certifiedOn} max={today()} onChange={(ev) => setEndedOn(ev.target.value)} aria-invalid={!!error} />
        </Field>
      </ConfirmDialog>
    </>
  );
}
