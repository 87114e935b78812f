/**
 * Text size for eyes that need it: 100%, 125% or 150% of the app's base size, remembered on the device
 * (not in a profile: it is the reader's, whoever signs in). Every size in the style sheet that holds
 * text is in rem or em, so one root variable scales them all.
 */
export const TEXT_SCALES = [100, 125, 150] as const;
export type TextScale = (typeof TEXT_SCALES)[number];
const KEY = 'cunyi.textScale';

export function savedTextScale(): TextScale {
  try {
    const v = Number(localStorage.getItem(KEY));
    if ((TEXT_SCALES as readonly number[]).includes(v)) return v as TextScale;
  } catch {
    /* storage unavailable: default */
  }
  return 100;
}

export function applyTextScale(scale: TextScale = savedTextScale()): void {
  document.documentElement.style.setProperty('--text-scale', String(scale / 100));
  document.documentElement.dataset.textScale = String(scale);
}

export function setTextScale(scale: TextScale): void {
  try {
    localStorage.setItem(KEY, String(scale));
  } catch {
    /* not remembered, still applied */
  }
  applyTextScale(scale);
}
