import { pipeline, Transform, type Readable } from 'node:stream';

/** A byte range of a stored object, both ends included (as HTTP `Range` counts). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live: the data directory (one node) or an S3-compatible bucket (several nodes). Keys are
 * `/`-separated paths the files feature makes from ids only; never from a name a user chose.
 */
export interface BlobStore {
  /** `disk` or `s3`, for logs. */
  readonly kind: string;
  /** Stores the stream's bytes under the key, replacing what was there; resolves with the number of bytes. */
  put(key: string, body: Readable): Promise<number>;
  /** The object's bytes (or a range of them); undefined when there is no such object. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** The object's size, or undefined when there is no such object. */
  stat(key: string): Promise<{ size: number } | undefined>;
  /** Deletes the object; deleting a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections. */
  close(): void;
}

/** Throws unless the key is made of safe path segments: no `..`, no absolute path, no odd characters. */
export function checkKey(key: string): void {
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/.test(key) || key.split('/').some((s) => s === '.' || s === '..')) {
    throw new Error(`invalid storage key ${JSON.stringify(key)}`);
  }
}

/**
 * The stream's bytes through a counter: read `bytes()` once the result has been consumed. An error of the source
 * destroys the result, so that a consumer never takes a cut stream for a whole one.
 */
export function counted(source: Readable): { stream: Readable; bytes: () => number } {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(null, chunk);
    },
  });
  pipeline(source, counter, () => undefined);
  return { stream: counter, bytes: () => size };
}
