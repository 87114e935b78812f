import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { db } from '../../db/schema.ts';
import { getSetAside, resolveConflict } from '../../sync/engine.ts';

const show = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The field a refusal names (`data.insured.year` → insured), to name it in the user's words. */
const fieldOf = (path: string | undefined) => (path ?? '').replace(/^data\./, '').split('.')[0] ?? '';

/**
 * Changes the county did not take as they were: conflicts to settle by choosing a value, refusals
 * with their reason in plain words (the county's own text below it); and records from the county
 * that this tablet set aside because they failed their schema.
 */
export function SyncIssues() {
  const { t } = useTranslation();
  const aside = useLiveQuery(() => getSetAside(), []);
  const rows = useLiveQuery(async () => {
    const d = db();
    const issues = (await d.outbox.orderBy('seq').toArray()).filter((o) => o.state !== undefined);
    // The record's name, so the doctor knows whose data it is.
    const names = await Promise.all(
      issues.map(async (o) => (o.entity === 'member' ? (await d.members.get(o.entityId))?.name : o.entity === 'household' ? (await d.households.get(o.entityId))?.number : undefined) ?? ''),
    );
    return issues.map((o, i) => ({ ...o, label: names[i]! }));
  }, []);
  if (!rows) return <p className="page">{t('common.loading')}</p>;

  const keepMine = (id: string) => resolveConflict(id, 'mine');
  const dismiss = (id: string, conflict: boolean) => (conflict ? resolveConflict(id, 'county') : db().outbox.where('id').equals(id).delete());

  return (
    <section className="page">
      <h1>{t('sync.issuesTitle')}</h1>
      {rows.length === 0 && <p>{t('sync.noIssues')}</p>}
      <ul className="list compact">
        {rows.map((o) => (
          <li key={o.id} data-testid="sync-issue">
            <span className="title">
              {t(`sync.entity.${o.entity}`)} {o.label} · {o.state === 'conflict' ? t('sync.conflict') : t('sync.rejected')}
            </span>
            {o.state === 'conflict' ? (
              <table className="resettle">
                <thead>
                  <tr>
                    <th>{t('sync.field')}</th>
                    <th>{t('sync.county')}</th>
                    <th>{t('sync.mine')}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.result?.conflicts?.map((c) => (
                    <tr key={c.field}>
                      <th>{t(`sync.fields.${c.field}`, { defaultValue: c.field })}</th>
                      <td>{show(c.server)}</td>
                      <td>{show(c.client)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <>
                <span data-testid="sync-issue-reason">
                  {t(`sync.refused.${o.result?.code ?? 'other'}`, {
                    defaultValue: t('sync.refused.other'),
                    field: t(`sync.fields.${fieldOf(o.result?.path ?? o.result?.message?.split(':')[0])}`, { defaultValue: fieldOf(o.result?.path) || '—' }),
                  })}
                </span>
                <span className="meta">{o.result?.message}</span>
              </>
            )}
            <div className="actions">
              {o.state === 'conflict' && (
                <button type="button" className="primary" onClick={() => void keepMine(o.id)}>
                  {t('sync.keepMine')}
                </button>
              )}
              <button type="button" onClick={() => void dismiss(o.id, o.state === 'conflict')}>
                {o.state === 'conflict' ? t('sync.keepCounty') : t('sync.dismiss')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {aside && aside.items.length > 0 && (
        <>
          <h2>{t('sync.setAsideTitle', { count: aside.items.length })}</h2>
          <p className="meta">{t('sync.setAsideHelp')}</p>
          <ul className="list compact">
            {aside.items.map((a) => (
              <li key={`${a.entity}:${a.id}`} data-testid="sync-set-aside">
                <span className="title">
                  {t(`sync.entity.${a.entity}`, { defaultValue: a.entity || '—' })} · {t(`sync.fields.${fieldOf(a.path)}`, { defaultValue: fieldOf(a.path) || '—' })}
                </span>
                <span className="meta">
                  {a.path}: {a.message} · {a.id}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
