import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { qrPng } from './qr-png';

function decode(png: Buffer) {
  const image = PNG.sync.read(png);
  return { width: image.width, height: image.height, text: jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data };
}

describe('qrPng', () => {
  const uri = `otpauth://totp/Twostep%3Aalice%40example.com?issuer=Twostep&secret=${'JBSWY3DPEHPK3PXP'.repeat(6)}ABCDEFG`;

  it.each([
    [400, 1],
    [1000, 0],
    [300, 10],
    [137, 4],
  ])('is a %i px PNG with margin %i that a QR reader decodes back to the text', (size, margin) => {
    const png = qrPng(uri, size, margin);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(decode(png)).toEqual({ width: size, height: size, text: uri });
  });

  it('never draws fewer pixels than modules (a size below that gets one pixel per module)', () => {
    // version 1 is 21 modules, plus a quiet zone of 4 on each side (too small for jsQR to read: the
    // pixels are checked below)
    expect(decode(qrPng('hello', 1, 4)).width).toBe(29);
  });

  it('draws the quiet zone white and the finder pattern dark', () => {
    const image = PNG.sync.read(qrPng('hello', 29, 4));
    const dark = (x: number, y: number) => image.data[(y * image.width + x) * 4] === 0;
    expect(dark(0, 0)).toBe(false);
    expect(dark(3, 3)).toBe(false);
    expect(dark(4, 4)).toBe(true);
  });
});
