import { describe, expect, it } from 'vitest';
import { parseOpenGraph } from './open-graph.js';

describe('parseOpenGraph', () => {
  it('reads og: properties, resolving relative image URLs', () => {
    const html = `<html><head><title>ignored</title>
      <meta property="og:title" content="Tom &amp; Jerry">
      <meta content='A "cat"' property='og:description'>
      <meta property="og:image" content="/img/cat.png"><meta property="og:image:width" content="48">
    </head></html>`;
    expect(parseOpenGraph(html, 'https://example.org/page')).toEqual({
      'og:title': 'Tom & Jerry',
      'og:description': 'A "cat"',
      'og:image': 'https://example.org/img/cat.png',
      'og:image:width': 48,
    });
  });

  it('falls back to <title> and the meta description', () => {
    const html = '<title>\n  Hello &#x1F600; world </title><meta name="description" content="about">';
    expect(parseOpenGraph(html, 'http://x.test/')).toEqual({ 'og:title': 'Hello 😀 world', 'og:description': 'about' });
  });
});
