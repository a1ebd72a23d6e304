import { create } from 'qrcode';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32(buf: Buffer): number {
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The QR code of `text` (the `qrcode` library's matrix, error correction M) as a 1-bit grayscale PNG
 * of `size` x `size` pixels (at least one pixel per module) with a quiet zone of `margin` modules.
 *
 * Encoded here rather than by `qrcode`'s PNG renderer, which draws a 32-bit RGBA bitmap in JavaScript:
 * at 1000 px that blocks the event loop tens of times longer than this 1-bit image does.
 */
export function qrPng(text: string, size: number, margin: number): Buffer {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const count = modules.size + 2 * margin;
  const width = Math.max(size, count);
  const rowBytes = 1 + Math.ceil(width / 8);
  // module column of each pixel column, and one encoded row per module row
  const columnModule = Array.from({ length: width }, (_, x) => Math.floor((x * count) / width) - margin);
  const rowCache = new Map<number, Buffer>();
  const rowFor = (moduleRow: number): Buffer => {
    let row = rowCache.get(moduleRow);
    if (row) return row;
    row = Buffer.alloc(rowBytes, 0xff);
    row[0] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const m = columnModule[x];
      const dark = moduleRow >= 0 && moduleRow < modules.size && m >= 0 && m < modules.size && modules.get(moduleRow, m);
      if (dark) row[1 + (x >> 3)] &= ~(0x80 >> (x & 7));
    }
    rowCache.set(moduleRow, row);
    return row;
  };
  const raw = Buffer.alloc(rowBytes * width);
  for (let y = 0; y < width; y++) rowFor(Math.floor((y * count) / width) - margin).copy(raw, y * rowBytes);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
