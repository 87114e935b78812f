import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A signature drawn with a finger on the screen, given back as a PNG. */
export function SignaturePad({ onDone }: { onDone: (png: Blob) => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const [empty, setEmpty] = useState(true);

  useEffect(() => {
    const c = ref.current!;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
  }, []);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const c = ref.current!;
    const r = c.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * c.width) / r.width, y: ((e.clientY - r.top) * c.height) / r.height };
  };
  const down = (e: React.PointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drawing.current = true;
    const ctx = ref.current!.getContext('2d')!;
    const p = point(e);
    ctx.lineWidth = 4;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#1b2a3a';
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
  };
  const move = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    const ctx = ref.current!.getContext('2d')!;
    const p = point(e);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    setEmpty(false);
  };
  const up = () => {
    drawing.current = false;
  };
  const clear = () => {
    const c = ref.current!;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    setEmpty(true);
  };
  const done = () => ref.current!.toBlob((b) => b && onDone(b), 'image/png');

  return (
    <div className="signature">
      <canvas
        ref={ref}
        width={720}
        height={260}
        className="signature-pad"
        data-testid="signature-pad"
        aria-label={t('filing.consent.drawHere')}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerLeave={up}
      />
      <div className="actions">
        <button type="button" onClick={clear}>
          {t('filing.consent.clear')}
        </button>
        <button type="button" className="primary" disabled={empty} onClick={done} data-testid="signature-done">
          {t('filing.consent.useSignature')}
        </button>
      </div>
    </div>
  );
}
