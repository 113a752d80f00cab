/**
 * The binary form of any estimator's JSON: what `toBuffer()` and `saveModel` write for estimators
 * without a native binary form of their own (forests, AdaBoost, linear models, ensembles, pipelines).
 * The JSON tree is kept, but its long numeric arrays (tree node arrays, coefficients) move out into
 * little-endian binary sections: no number parsing or printing, integers in 1 or 4 bytes. Values
 * are stored exactly (uint8 and int32 only when every value fits, float64 otherwise), so decoding
 * returns the very JSON value the estimator wrote, and the estimator's own JSON loader validates it
 * as it validates a JSON file.
 *
 * Layout:
 *
 *   "EKJB" | u32 format version | u32 header bytes | header: UTF-8 JSON | zero padding to 8 bytes |
 *   sections, each starting at a multiple of 8 | SHA-256 of every byte before it (32 bytes)
 *   header: { "sections": [[kind, offset, count], ...], "json": <value> }
 *   kind: 0 uint8, 1 int32, 2 float64; offset counts from the start of the buffer; sections lie in
 *   order, without overlap. In "json", the object {"$ekb": i} stands where section i's array was;
 *   an object of the value that itself has a "$ekb" or "$ekb_obj" key is written as
 *   {"$ekb_obj": object}, so no key of the value is ever read as a reference.
 *
 * Only arrays of at least kMinPacked numbers, all finite, are packed: an array holding anything else
 * stays in the JSON exactly as JSON.stringify writes it (NaN there becomes null, as in a JSON file).
 */
import { createHash } from 'node:crypto';
import { ModelFormatError } from './errors.js';

const magic = 'EKJB';
const formatVersion = 1;
const kMinPacked = 16;
const digestBytes = 32;
// Deeper JSON is refused on decode (revive recurses); estimator JSON nests a few levels per
// ensemble layer.
const maxDepth = 256;
const refKey = '$ekb';
const escapeKey = '$ekb_obj';

const Kind = { U8: 0, I32: 1, F64: 2 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];
const kindBytes = [1, 4, 8];

/** True when `bytes` starts like an {@link encodeModelBytes} buffer. */
export function isModelBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x45 && bytes[1] === 0x4b && bytes[2] === 0x4a && bytes[3] === 0x42;
}

function kindOf(a: readonly unknown[]): Kind | -1 {
  let u8 = true;
  let i32 = true;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return -1;
    if (i32 && (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)) i32 = false;
    if (u8 && (!i32 || v < 0 || v > 255)) u8 = false;
  }
  return u8 ? Kind.U8 : i32 ? Kind.I32 : Kind.F64;
}

/** The binary form of a JSON-safe value (an estimator's `toJSON()`). */
export function encodeModelBytes(value: unknown): Buffer {
  const sections: { kind: Kind; values: readonly number[] }[] = [];
  const escaped = new Set<object>();
  // JSON.stringify's replacer sees every value after its toJSON(), so the packed arrays are exactly
  // the ones a JSON file would hold.
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (Array.isArray(v)) {
      if (v.length >= kMinPacked) {
        const kind = kindOf(v);
        if (kind !== -1) {
          sections.push({ kind, values: v as number[] });
          return { [refKey]: sections.length - 1 };
        }
      }
    } else if (v !== null && typeof v === 'object' && !escaped.has(v) && (Object.hasOwn(v, refKey) || Object.hasOwn(v, escapeKey))) {
      escaped.add(v);
      return { [escapeKey]: v };
    }
    return v;
  });
  if (json === undefined) throw new ModelFormatError('Expected a JSON-safe value to encode');
  // Offsets depend on the header's length, which depends on the offsets' digits: lay out with
  // generous header room, then write the real header padded to that room.
  const bodySizes = sections.map((s) => s.values.length * kindBytes[s.kind]!);
  const layout = (headerRoom: number): number[] => {
    let at = align8(12 + headerRoom);
    return bodySizes.map((n) => {
      const o = at;
      at = align8(at + n);
      return o;
    });
  };
  const headerFor = (offsets: number[]): string =>
    `{"sections":${JSON.stringify(sections.map((s, i) => [s.kind, offsets[i], s.values.length]))},"json":${json}}`;
  let room = Buffer.byteLength(headerFor(layout(0)), 'utf8') + 16 * sections.length + 16;
  let offsets = layout(room);
  let header = Buffer.from(headerFor(offsets), 'utf8');
  if (header.length > room) {
    room = header.length + 16;
    offsets = layout(room);
    header = Buffer.from(headerFor(offsets), 'utf8');
  }
  const end = sections.length > 0 ? align8(offsets[offsets.length - 1]! + bodySizes[bodySizes.length - 1]!) : align8(12 + room);
  const out = Buffer.alloc(end + digestBytes);
  out.write(magic, 0, 'latin1');
  out.writeUInt32LE(formatVersion, 4);
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  // JSON's whitespace is insignificant: the room after the header is spaces, not zeros, so the
  // header bytes are the whole padded span up to the first section.
  out.fill(0x20, 12 + header.length, 12 + room);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  sections.forEach((s, i) => {
    const o = offsets[i]!;
    const v = s.values;
    if (s.kind === Kind.U8) {
      for (let j = 0; j < v.length; j++) out[o + j] = v[j]!;
    } else if (s.kind === Kind.I32) {
      for (let j = 0; j < v.length; j++) view.setInt32(o + 4 * j, v[j]!, true);
    } else {
      // + 0 turns -0 into 0, as JSON writes it.
      for (let j = 0; j < v.length; j++) view.setFloat64(o + 8 * j, v[j]! + 0, true);
    }
  });
  createHash('sha256').update(out.subarray(0, end)).digest().copy(out, end);
  return out;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * The JSON value inside {@link encodeModelBytes} bytes. Everything is checked (magic, version,
 * lengths, section bounds and kinds, section references, the SHA-256); any defect is a ModelFormatError.
 */
export function decodeModelBytes(bytes: Uint8Array): unknown {
  const bad = (what: string): never => {
    throw new ModelFormatError(`Invalid model bytes: ${what}`);
  };
  if (!isModelBytes(bytes)) bad('not an ensemblekit model (bad magic)');
  if (bytes.length < 12 + digestBytes) bad('truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== formatVersion) bad(`unsupported format version ${version} (this build reads ${formatVersion})`);
  const end = bytes.length - digestBytes;
  const digest = createHash('sha256').update(bytes.subarray(0, end)).digest();
  for (let i = 0; i < digestBytes; i++) if (digest[i] !== bytes[end + i]) bad('checksum mismatch (the bytes are corrupted or truncated)');
  const headerBytes = view.getUint32(8, true);
  if (headerBytes > end - 12) bad(`the header declares ${headerBytes} bytes but only ${end - 12} follow`);
  let header: { sections?: unknown; json?: unknown };
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerBytes)));
  } catch (e) {
    return bad(`unreadable header (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.sections) || !('json' in header)) bad('the header must hold "sections" and "json"');
  // In order and without overlap: the decoded arrays together hold at most one value per byte.
  let free = 12 + headerBytes;
  const sections = (header.sections as unknown[]).map((s, i): number[] => {
    if (!Array.isArray(s) || s.length !== 3 || !s.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) bad(`section ${i} must be [kind, offset, count]`);
    const [kind, offset, count] = s as number[];
    if (kind! > Kind.F64) bad(`section ${i} has unknown kind ${kind}`);
    if (offset! % 8 !== 0 || offset! < free || count! > (end - offset!) / kindBytes[kind!]!) bad(`section ${i} lies outside the data or overlaps another`);
    free = offset! + count! * kindBytes[kind!]!;
    return s as number[];
  });
  const used = new Uint8Array(sections.length);
  const revive = (v: unknown, depth: number): unknown => {
    if (depth > maxDepth) bad(`nesting deeper than ${maxDepth} levels`);
    if (Array.isArray(v)) return v.map((x) => revive(x, depth + 1));
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, escapeKey)) {
      const inner = o[escapeKey];
      if (Object.keys(o).length !== 1 || inner === null || typeof inner !== 'object' || Array.isArray(inner)) bad(`bad escaped object ${JSON.stringify(o).slice(0, 80)}`);
      return reviveEntries(inner as Record<string, unknown>, depth);
    }
    if (Object.hasOwn(o, refKey)) {
      const i = o[refKey];
      if (Object.keys(o).length !== 1 || typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= sections.length) bad(`bad section reference ${JSON.stringify(o)}`);
      if (used[i as number]) bad(`section ${String(i)} is referenced twice`);
      used[i as number] = 1;
      const [kind, offset, count] = sections[i as number]!;
      const out = new Array<number>(count!);
      if (kind === Kind.U8) {
        for (let j = 0; j < count!; j++) out[j] = bytes[offset! + j]!;
      } else if (kind === Kind.I32) {
        for (let j = 0; j < count!; j++) out[j] = view.getInt32(offset! + 4 * j, true);
      } else {
        for (let j = 0; j < count!; j++) {
          const x = view.getFloat64(offset! + 8 * j, true);
          if (!Number.isFinite(x)) bad(`section ${String(i)} holds a non-finite number`);
          out[j] = x;
        }
      }
      return out;
    }
    return reviveEntries(o, depth);
  };
  // fromEntries defines own properties: a "__proto__" key stays data, as JSON.parse made it.
  const reviveEntries = (o: Record<string, unknown>, depth: number): Record<string, unknown> =>
    Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x, depth + 1)]));
  const json = revive(header.json, 0);
  if (used.some((u) => u === 0)) bad('a section is never referenced');
  return json;
}
