import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { db } from '../../db/schema.ts';
import { resolveConflict } from '../../sync/engine.ts';

const show = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Changes the county did not take as they were: conflicts to settle by choosing a value, refusals with their reason. */
export function SyncIssues() {
  const { t } = useTranslation();
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
              <span className="meta">{o.result?.message}</span>
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
    </section>
  );
}
