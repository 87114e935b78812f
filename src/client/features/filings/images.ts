/**
 * Photos on the tablet: decoded with the camera's orientation applied, scaled to about 1600 px on
 * the long side and re-encoded as JPEG (a few hundred KB), rotated by quarter turns when needed.
 */
export const MAX_SIDE = 1600;
const TARGET_BYTES = 600 * 1024;

export class PhotoError extends Error {
  constructor(readonly code: 'not-an-image' | 'encode-failed') {
    super(code);
  }
}

async function decode(blob: Blob): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    throw new PhotoError('not-an-image');
  }
}

async function encode(draw: (ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D) => void, w: number, h: number, quality: number): Promise<Blob> {
  if (typeof OffscreenCanvas !== 'undefined') {
    const c = new OffscreenCanvas(w, h);
    const ctx = c.getContext('2d');
    if (!ctx) throw new PhotoError('encode-failed');
    draw(ctx);
    return c.convertToBlob({ type: 'image/jpeg', quality });
  }
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d');
  if (!ctx) throw new PhotoError('encode-failed');
  draw(ctx);
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new PhotoError('encode-failed'))), 'image/jpeg', quality));
}

async function encodeSmall(draw: (ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D) => void, w: number, h: number): Promise<Blob> {
  let out = await encode(draw, w, h, 0.82);
  if (out.size > TARGET_BYTES) out = await encode(draw, w, h, 0.65);
  return out;
}

/** A photo from the camera or the files, made small enough to send over a weak signal. */
export async function compressPhoto(file: Blob, maxSide = MAX_SIDE): Promise<Blob> {
  const bmp = await decode(file);
  const scale = Math.min(1, maxSide / Math.max(bmp.width, bmp.height));
  const w = Math.max(1, Math.round(bmp.width * scale));
  const h = Math.max(1, Math.round(bmp.height * scale));
  try {
    return await encodeSmall((ctx) => {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(bmp, 0, 0, w, h);
    }, w, h);
  } finally {
    bmp.close();
  }
}

/** The photo turned a quarter clockwise. */
export async function rotatePhoto(blob: Blob): Promise<Blob> {
  const bmp = await decode(blob);
  const w = bmp.height;
  const h = bmp.width;
  try {
    return await encodeSmall((ctx) => {
      ctx.translate(w, 0);
      ctx.rotate(Math.PI / 2);
      ctx.drawImage(bmp, 0, 0);
    }, w, h);
  } finally {
    bmp.close();
  }
}
