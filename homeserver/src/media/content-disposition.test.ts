import { describe, expect, it } from 'vitest';
import { contentDisposition } from './content-disposition.js';

describe('contentDisposition', () => {
  it('is inline for safe types and attachment otherwise', () => {
    expect(contentDisposition('image/png', 'cat.png')).toBe('inline; filename="cat.png"');
    expect(contentDisposition('text/plain; charset=utf-8')).toBe('inline');
    expect(contentDisposition('text/html', 'x.html')).toBe('attachment; filename="x.html"');
    expect(contentDisposition('image/svg+xml', 'x.svg')).toMatch(/^attachment/);
    expect(contentDisposition('application/octet-stream')).toBe('attachment');
  });

  it('encodes unicode, quotes and backslashes with filename*', () => {
    expect(contentDisposition('application/pdf', 'Zoë "draft".pdf')).toBe(
      `attachment; filename="Zo_ _draft_.pdf"; filename*=UTF-8''Zo%C3%AB%20%22draft%22.pdf`,
    );
    expect(contentDisposition('image/png', '猫\\.png')).toBe(`inline; filename="__.png"; filename*=UTF-8''%E7%8C%AB%5C.png`);
  });

  it('drops control characters', () => {
    expect(contentDisposition('text/plain', 'a\r\nSet-Cookie: x')).toBe('inline; filename="aSet-Cookie: x"');
  });
});

describe('fileNameFromDisposition', () => {
  it('reads back what contentDisposition writes', async () => {
    const { fileNameFromDisposition } = await import('./content-disposition.js');
    for (const name of ['cat.png', 'Zoë "draft".pdf', '猫\\.png', '100% done.txt'])
      expect(fileNameFromDisposition(contentDisposition('image/png', name))).toBe(name);
    expect(fileNameFromDisposition('attachment; filename=plain.txt')).toBe('plain.txt');
    expect(fileNameFromDisposition('inline')).toBeUndefined();
  });
});
