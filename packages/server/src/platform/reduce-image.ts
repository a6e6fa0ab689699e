import sharp from 'sharp';

/** Image formats read from outside; anything else (SVG above all, which can hold script and fetch more) is refused. */
const READ_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif']);
/** Larger images (by pixels, before decoding) are refused: a small file can declare a huge canvas. */
const MAX_INPUT_PIXELS = 40_000_000;

export interface ReducedImage {
  /** WebP. */
  data: Buffer;
  width: number;
  height: number;
}

/**
 * An image from outside made small and harmless: decoded by sharp (JPEG, PNG, WebP, GIF's first frame, AVIF only),
 * turned upright by its orientation tag, fitted inside `maxSide` pixels a side (never enlarged) and written again as
 * WebP without any metadata. Rejects for anything else, a truncated file or a decompression bomb.
 * @example const { data, width, height } = await reduceImage(bytes, 600);
 */
export async function reduceImage(input: Buffer, maxSide: number): Promise<ReducedImage> {
  const image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', animated: false });
  const { format } = await image.metadata();
  if (!READ_FORMATS.has(format)) throw new Error(`image format ${format} is not read`);
  const { data, info } = await image
    .rotate()
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 75 })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
