// The small markdown subset the composer understands: **bold**, *italic* / _italic_, ~~strike~~,
// `code`, ``` blocks ```, [links](https://...), bare https:// links and "> " quotes.
// Input is escaped first, so the output only ever holds the tags produced here.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function inline(text: string): string {
  const codes: string[] = [];
  let s = escapeHtml(text).replace(/`([^`\n]+)`/g, (_, c: string) => `\u0000${codes.push(c) - 1}\u0000`);
  s = s
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2">$1</a>')
    .replace(/(^|[\s(])(https?:\/\/[^\s<)]+)/g, '$1<a href="$2">$2</a>')
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w*])\*([^*\n]+)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/~~([^~\n]+)~~/g, '<del>$1</del>');
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => `<code>${codes[Number(i)]}</code>`);
}

/** HTML for `formatted_body`, or undefined when the text has no markup worth sending. */
export function markdownToHtml(text: string): string | undefined {
  const parts: string[] = [];
  const blocks = text.split(/```/);
  blocks.forEach((block, i) => {
    if (i % 2 === 1) {
      parts.push(`<pre><code>${escapeHtml(block.replace(/^\w*\n/, '').replace(/\n$/, ''))}</code></pre>`);
      return;
    }
    const lines = block.split('\n');
    let quote: string[] = [];
    const out: string[] = [];
    const flushQuote = () => {
      if (quote.length) out.push(`<blockquote>${quote.map(inline).join('<br>')}</blockquote>`);
      quote = [];
    };
    for (const line of lines) {
      if (/^>\s?/.test(line)) quote.push(line.replace(/^>\s?/, ''));
      else {
        flushQuote();
        out.push(inline(line));
      }
    }
    flushQuote();
    parts.push(out.join('<br>').replace(/(<br>)+$/, '').replace(/^(<br>)+/, ''));
  });
  const html = parts.filter(Boolean).join('');
  return html === escapeHtml(text).replace(/\n/g, '<br>') ? undefined : html;
}
