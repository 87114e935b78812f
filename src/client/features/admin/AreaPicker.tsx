/**
 * An account's areas picked by ticking, never typed: the county's townships, each opening onto its
 * villages, with the whole township (or the whole county) as one tick where the caller may give
 * it. A tick on a township takes in its villages (they show ticked, greyed); what is chosen is
 * listed by name above.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaTree } from '../../../model/admin.ts';

/** The names of the tree's codes: a village with its township, a township, a county. */
export function areaNames(tree: AreaTree | null): Map<string, string> {
  const names = new Map<string, string>();
  for (const c of tree?.counties ?? []) {
    names.set(c.code, c.name);
    for (const t of c.townships) {
      names.set(t.code, t.name);
      for (const v of t.villages) names.set(v.code, `${t.name} ${v.name}`);
    }
  }
  return names;
}

/** The chosen codes with one added (taking in every code under it) or taken away. */
export function toggled(value: readonly string[], code: string, on: boolean): string[] {
  const rest = value.filter((x) => x !== code && !(on && x.startsWith(code)));
  return on ? [...rest, code].sort() : rest;
}

function Check({ label, checked, disabled, onChange, testid, strong = false }: { label: string; checked: boolean; disabled?: boolean; onChange: (on: boolean) => void; testid: string; strong?: boolean }) {
  return (
    <label className={`check${strong ? ' whole' : ''}${disabled ? ' covered' : ''}`}>
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid={testid} />
      {label}
    </label>
  );
}

type TownshipNode = AreaTree['counties'][number]['townships'][number];

/** A township, open at first when something in it is chosen (then as the user leaves it). */
function Township({ township: tw, value, countyOn, onChange, givable, alone }: { township: TownshipNode; value: readonly string[]; countyOn: boolean; onChange: (next: string[]) => void; givable: (code: string) => boolean; alone: boolean }) {
  const { t } = useTranslation();
  const chosen = new Set(value);
  const townOn = countyOn || chosen.has(tw.code);
  const inside = value.filter((x) => x.startsWith(tw.code)).length;
  const [open] = useState(inside > 0 || alone);
  return (
    <details className="area-township" open={open} data-testid="area-township">
      <summary>
        <span className="name">{tw.name}</span>
        <span className="meta">
          {t('admin.picker.villages', { count: tw.villages.length })}
          {townOn ? ` · ${t('admin.picker.chosen', { count: tw.villages.length })}` : inside ? ` · ${t('admin.picker.chosen', { count: inside })}` : ''}
        </span>
      </summary>
      {givable(tw.code) && <Check strong label={t('admin.picker.township', { name: tw.name })} checked={townOn} disabled={countyOn} onChange={(on) => onChange(toggled(value, tw.code, on))} testid={`area-${tw.code}`} />}
      <div className="area-villages">
        {tw.villages.map((vl) => (
          <Check key={vl.code} label={vl.name} checked={townOn || chosen.has(vl.code)} disabled={townOn || !givable(vl.code)} onChange={(on) => onChange(toggled(value, vl.code, on))} testid={`area-${vl.code}`} />
        ))}
      </div>
      {townOn && <p className="hint">{t('admin.picker.covered')}</p>}
    </details>
  );
}

export function AreaPicker({ tree, value, onChange, givable, id }: { tree: AreaTree; value: readonly string[]; onChange: (next: string[]) => void; givable: (code: string) => boolean; id: string }) {
  const { t } = useTranslation();
  const names = areaNames(tree);
  const chosen = new Set(value);
  if (tree.counties.length === 0) return <p className="muted">{t('admin.picker.empty')}</p>;
  return (
    <div className="area-picker" id={id} data-testid="area-picker">
      <p className="chips" aria-live="polite" data-testid="area-chosen">
        {value.length === 0 ? <span className="muted">{t('admin.picker.none')}</span> : value.map((c) => <span key={c} className="chip">{names.get(c) ?? c}</span>)}
      </p>
      {tree.counties.map((c) => {
        const countyOn = chosen.has(c.code);
        return (
          <div key={c.code} className="area-county">
            {givable(c.code) && <Check strong label={t('admin.picker.county', { name: c.name })} checked={countyOn} onChange={(on) => onChange(toggled(value, c.code, on))} testid={`area-${c.code}`} />}
            {c.townships.map((tw) => (
              <Township key={tw.code} township={tw} value={value} countyOn={countyOn} onChange={onChange} givable={givable} alone={c.townships.length === 1} />
            ))}
          </div>
        );
      })}
    </div>
  );
}
