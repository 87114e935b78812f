import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PAYERS, type CompiledPack, type FilingFieldId, type FilingTypeRule } from '../../../rules/index.ts';
import { layerName } from '../../../rules/index.ts';
import { checkFiling, CONSENT_KIND, lastReason, needsVillageConfirmation, type FilingContent, type FilingEstimate } from '../../../model/filing.ts';
import { estimate, historyFromRecords } from '../../../model/estimate.ts';
import { grantDoubts } from '../../../model/filing-doubts.ts';
import type { StatusRecord } from '../../../model/roster.ts';
import { deleteDraft, FilingError, patchContent, queueFiling, setConsent, setField } from '../../db/filings.ts';
import type { FilingRow, LedgerRow, MemberRow } from '../../db/schema.ts';
import { currentLang, today, yuan } from '../../i18n/index.ts';
import { useRouter } from '../../router.tsx';
import { Field } from '../common/Field.tsx';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { DocumentsField } from './DocumentsField.tsx';
import { compressPhoto, PhotoError } from './images.ts';
import { issueLabel, packText } from './labels.ts';
import { SignaturePad } from './SignaturePad.tsx';
import { Thumb } from './Thumb.tsx';

const CLAIM_FIELDS: FilingFieldId[] = ['dischargeDate', 'facility', 'total', 'outOfCatalog'];

/** The engine's estimate of the filing's claim, as attached to the filing (null when the costs are not valid yet). */
function estimateOf(pack: CompiledPack, fields: FilingContent['fields'], statuses: StatusRecord[], ledger: LedgerRow[]): FilingEstimate | null {
  const r = estimate(
    pack,
    historyFromRecords(statuses),
    ledger.filter((l) => l.packId === pack.id).map((l) => ({ id: l.id, date: l.date, kind: l.kind, facilityClass: l.facilityClass, total: l.total, outOfCatalog: l.outOfCatalog, disease: l.disease })),
    { date: fields.dischargeDate ?? '', kind: 'inpatient', disease: '', facility: fields.facility ?? '', total: fields.total ?? '', outOfCatalog: fields.outOfCatalog ?? '', outUnknown: false },
  );
  if (!r.ok) return null;
  return {
    packId: pack.id,
    packVersion: pack.version,
    packHash: pack.hash,
    claim: { date: r.claim.date, kind: 'inpatient', facilityClass: pack.classes[r.claim.classIndex]!.id, total: r.claim.total, outOfCatalog: r.claim.outOfCatalog, disease: null },
    payers: Object.fromEntries(PAYERS.map((p, i) => [p, r.result.payers[i] ?? 0])),
    patient: r.result.patient,
    priorCount: r.priorCount,
    computedAt: new Date().toISOString(),
  };
}

const sameEstimate = (a: FilingEstimate | null, b: FilingEstimate | null) =>
  JSON.stringify(a && { ...a, computedAt: '' }) === JSON.stringify(b && { ...b, computedAt: '' });

export function FilingEditor({ filing, content, pack, type, member, statuses, ledger }: { filing: FilingRow; content: FilingContent; pack: CompiledPack; type: FilingTypeRule; member: MemberRow; statuses: StatusRecord[]; ledger: LedgerRow[] }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const [values, setValues] = useState<FilingContent['fields']>(() => ({ ...content.fields }));
  const [signer, setSigner] = useState(content.consent?.signer ?? member.name);
  const [consentMode, setConsentMode] = useState<'signature' | 'photo'>(content.consent?.method ?? 'signature');
  const [consentError, setConsentError] = useState<string | null>(null);
  const [vc, setVc] = useState(content.villageConfirmation ?? { by: '', date: today() });
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const on = today();

  const change = (id: FilingFieldId, v: string) => {
    setValues((old) => ({ ...old, [id]: v }));
    void setField(filing.id, id, v);
  };

  // The estimate follows the costs: recomputed and attached whenever they change and are valid.
  const est = useMemo(() => (type.estimate ? estimateOf(pack, values, statuses, ledger) : null), [type.estimate, pack, values, statuses, ledger]);
  useEffect(() => {
    if (type.estimate && !sameEstimate(est, content.estimate)) void patchContent(filing.id, (c) => ({ ...c, estimate: est }));
  }, [est, content.estimate, type.estimate, filing.id]);

  const saveVc = (next: typeof vc) => {
    setVc(next);
    void patchContent(filing.id, (c) => ({ ...c, villageConfirmation: next.by.trim() === '' && c.villageConfirmation === null ? null : { by: next.by, date: next.date } }));
  };

  const issues = checkFiling(pack, type.id, { ...content, fields: values }, on);

  // A grant's conditions, checked on the tablet as a warning (the reviewers decide).
  const grantDoubtList = useMemo(() => grantDoubts(pack, type, values, statuses, on), [pack, type, values, statuses, on]);
  const fieldError = (id: FilingFieldId) => {
    const i = issues.find((x) => x.path === `fields.${id}`);
    if (!i || (i.code === 'required' && !tried)) return null;
    return i.code === 'required' ? t('filing.issue.required') : i.detail;
  };

  const consentPhoto = async (files: FileList | null) => {
    const f = files?.[0];
    if (!f) return;
    setConsentError(null);
    if (signer.trim() === '') return setConsentError(t('filing.consent.signerRequired'));
    try {
      await setConsent(filing.id, 'photo', signer, await compressPhoto(f));
    } catch (e) {
      if (e instanceof PhotoError || e instanceof FilingError) setConsentError(t('filing.photo.not-an-image', { name: f.name }));
      else throw e;
    }
  };
  const consentSignature = async (png: Blob) => {
    setConsentError(null);
    if (signer.trim() === '') return setConsentError(t('filing.consent.signerRequired'));
    await setConsent(filing.id, 'signature', signer, png);
  };

  const submit = async () => {
    setTried(true);
    if (issues.length) return;
    setSaving(true);
    try {
      await queueFiling(filing.id, on);
      navigate(`/filings/${filing.id}`, { replace: true });
    } catch (e) {
      if (!(e instanceof FilingError)) throw e;
    } finally {
      setSaving(false);
    }
  };

  const input = (id: FilingFieldId) => {
    const v = values[id] ?? '';
    const common = { id: `f-${id}`, value: v, 'aria-invalid': fieldError(id) ? true : undefined, 'data-testid': `field-${id}` } as const;
    switch (id) {
      case 'admissionDate':
      case 'dischargeDate':
      case 'diagnosisDate':
        return <input type="date" max={on} {...common} onChange={(e) => change(id, e.target.value)} />;
      case 'total':
      case 'outOfCatalog':
        return <input type="text" inputMode="decimal" placeholder="0.00" {...common} onChange={(e) => change(id, e.target.value)} />;
      case 'facility':
        return (
          <select {...common} onChange={(e) => change(id, e.target.value)}>
            <option value="">{t('filing.choose')}</option>
            <optgroup label={t('estimate.facilityClass')}>
              {pack.classes.map((c) => (
                <option key={c.id} value={`c:${c.id}`}>
                  {packText(c)}
                </option>
              ))}
            </optgroup>
            {pack.facilities.length > 0 && (
              <optgroup label={t('filing.namedFacilities')}>
                {pack.facilities.map((f) => (
                  <option key={f.id} value={`f:${f.id}`}>
                    {packText(f.name)}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        );
      case 'grantDisease': {
        const g = pack.grants.find((x) => x.id === type.grant);
        return (
          <select {...common} onChange={(e) => change(id, e.target.value)}>
            <option value="">{t('filing.choose')}</option>
            {g?.diseases.map((d) => (
              <option key={d.id} value={d.id}>
                {packText(d.name)}
              </option>
            ))}
          </select>
        );
      }
      case 'lateStage':
        return (
          <select {...common} onChange={(e) => change(id, e.target.value)}>
            <option value="">{t('filing.choose')}</option>
            <option value="yes">{t('common.yes')}</option>
            <option value="no">{t('common.no')}</option>
          </select>
        );
      case 'reason':
      case 'note':
        return <textarea rows={3} maxLength={500} {...common} onChange={(e) => change(id, e.target.value)} />;
      default:
        return <input type="text" maxLength={500} {...common} onChange={(e) => change(id, e.target.value)} />;
    }
  };

  const consentDoc = content.documents.find((d) => d.kind === CONSENT_KIND);
  // A returned filing being corrected: the reviewer's reason first, and whether anything changed.
  const returned = filing.status === 'returned';
  const reason = returned ? lastReason(filing) : null;
  const same = (a: FilingContent, b: FilingContent) => JSON.stringify([a.fields, a.documents.map((d) => d.sha256), a.consent?.sha256 ?? null]) === JSON.stringify([b.fields, b.documents.map((d) => d.sha256), b.consent?.sha256 ?? null]);
  const unchanged = returned && same({ ...content, fields: values }, filing.content);
  return (
    <div className="filing-editor">
      {reason && (
        <div className="card warning" role="alert" data-testid="editor-returned-reason">
          <strong>{t('filingReturned.reason')}</strong> {reason}
        </div>
      )}
      {filing.local?.problem && (
        <div className="card warning" role="alert" data-testid="filing-problem">
          <strong>{t('filing.refused')}</strong> {filing.local.problem.message}
        </div>
      )}
      <div className={`card ${issues.length ? 'missing' : 'complete'}`} data-testid="filing-missing">
        {issues.length === 0 ? (
          returned ? (
            <p data-testid="returned-progress">{unchanged ? t('filingReturned.unchanged', { version: filing.version }) : t('filingReturned.changed')}</p>
          ) : (
            <p>{t('filing.completeNote')}</p>
          )
        ) : (
          <>
            <p>
              <strong>{t('filing.stillMissing', { count: issues.length })}</strong>
            </p>
            <ul>
              {issues.map((i) => (
                <li key={i.path}>{issueLabel(t, pack, type, i)}</li>
              ))}
            </ul>
          </>
        )}
        <p className="hint">{t('filing.savedNote')}</p>
      </div>

      <h2>{t('filing.details')}</h2>
      {grantDoubtList.length > 0 && (
        <div className="card warning" role="status" data-testid="grant-doubts">
          <strong>{t('filing.grantDoubts')}</strong>
          <ul>
            {grantDoubtList.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {type.fields.map((f) => (
        <Field key={f.id} id={`f-${f.id}`} label={`${t(`filing.field.${f.id}`)}${f.required ? '' : ` (${t('filing.optional')})`}`} error={fieldError(f.id)} hint={t(`filing.hint.${f.id}`, { defaultValue: '' }) || null}>
          {input(f.id)}
        </Field>
      ))}

      {type.estimate && (
        <div className="card" data-testid="filing-estimate">
          <h2>{t('filing.estimate.title')}</h2>
          {est ? (
            <>
              <p>
                {t('filing.estimate.patient')} <strong data-testid="estimate-patient">{yuan(est.patient)}</strong>
              </p>
              <p className="muted">
                {PAYERS.filter((p) => est.payers[p]).map((p) => `${layerName(p, currentLang())} ${yuan(est.payers[p]!)}`).join(' · ')}
              </p>
              <p className="hint">{t('filing.estimate.pack', { pack: `${pack.id} ${pack.version}`, prior: est.priorCount })}</p>
            </>
          ) : (
            <p className="muted">{t('filing.estimate.waiting')}</p>
          )}
        </div>
      )}

      <h2>{t('filing.documents')}</h2>
      {type.documents.map((d) => (
        <DocumentsField key={d.id} filingId={filing.id} kind={d.id} title={packText(d)} required={d.required} min={d.min ?? 1} docs={content.documents.filter((x) => x.kind === d.id)} />
      ))}

      {needsVillageConfirmation(type) && (
        <div className="card" id="village-confirmation">
          <h2>{packText(type.review[0]!)}</h2>
          <Field id="vc-by" label={t('filing.village.by')}>
            <input id="vc-by" type="text" value={vc.by} maxLength={100} onChange={(e) => saveVc({ ...vc, by: e.target.value })} data-testid="village-by" />
          </Field>
          <Field id="vc-date" label={t('filing.village.date')}>
            <input id="vc-date" type="date" max={on} value={vc.date} onChange={(e) => saveVc({ ...vc, date: e.target.value })} />
          </Field>
        </div>
      )}

      <div className="card" id="consent" data-testid="consent">
        <h2>{t('filing.consent.title')}</h2>
        <p className="hint">{t('filing.consent.note')}</p>
        <Field id="consent-signer" label={t('filing.consent.signer')}>
          <input id="consent-signer" type="text" value={signer} maxLength={50} onChange={(e) => setSigner(e.target.value)} />
        </Field>
        {content.consent && consentDoc && (
          <div className="consent-done" data-testid="consent-done">
            <Thumb sha256={consentDoc.sha256} alt={t('filing.consent.title')} />
            <span>{t(content.consent.method === 'signature' ? 'filing.consent.signedBy' : 'filing.consent.photoBy', { name: content.consent.signer })}</span>
          </div>
        )}
        <div className="segmented" role="group">
          <button type="button" className={consentMode === 'signature' ? 'selected' : ''} onClick={() => setConsentMode('signature')}>
            {t('filing.consent.sign')}
          </button>
          <button type="button" className={consentMode === 'photo' ? 'selected' : ''} onClick={() => setConsentMode('photo')}>
            {t('filing.consent.photo')}
          </button>
        </div>
        {consentMode === 'signature' ? (
          <SignaturePad onDone={(b) => void consentSignature(b)} />
        ) : (
          <label className="button file-button">
            {t('filing.photo.camera')}
            <input type="file" accept="image/*" capture="environment" onChange={(e) => void consentPhoto(e.target.files)} data-testid="consent-photo" />
          </label>
        )}
        {consentError && (
          <p className="error" role="alert">
            {consentError}
          </p>
        )}
      </div>

      <div className="form-actions">
        <button type="button" className="primary" onClick={() => void submit()} disabled={saving} data-testid="queue-filing">
          {filing.status === 'returned' ? t('filing.resubmit') : t('filing.queue')}
        </button>
        {filing.status === 'draft' && (
          <button type="button" onClick={() => setDeleting(true)} data-testid="delete-draft">
            {t('filing.deleteDraft')}
          </button>
        )}
      </div>
      <ConfirmDialog
        open={deleting}
        title={t('filing.deleteConfirm')}
        message={<p>{t('filing.deleteText')}</p>}
        confirmLabel={t('filing.deleteDraft')}
        danger
        onConfirm={() => {
          setDeleting(false);
          void deleteDraft(filing.id).then(() => navigate(`/members/${filing.memberId}`, { replace: true }));
        }}
        onCancel={() => setDeleting(false)}
      />
      {tried && issues.length > 0 && (
        <p className="error" role="alert" data-testid="queue-refused">
          {t('filing.notComplete', { count: issues.length })}
        </p>
      )}
    </div>
  );
}
