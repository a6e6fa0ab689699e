import { decode } from 'blurhash';
import { useEffect, useRef } from 'react';

const SIZE = 32;

/** An image's BlurHash painted on a small canvas, stretched under the image until it has loaded. */
export function Placeholder({ hash }: { hash: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const context = canvas?.getContext('2d');
    if (!context) return;
    try {
      const pixels = decode(hash, SIZE, SIZE);
      const image = context.createImageData(SIZE, SIZE);
      image.data.set(pixels);
      context.putImageData(image, 0, 0);
    } catch {
      // A placeholder that does not decode leaves the plain background: the image still comes.
    }
  }, [hash]);
  return <canvas ref={ref} className="media-placeholder" width={SIZE} height={SIZE} aria-hidden="true" />;
}
