// Cleans a received `formatted_body` down to the tags and attributes the spec suggests clients
// allow. Parsed in an inert <template>, so nothing runs while it is inspected.
const ALLOWED = new Set([
  'b', 'strong', 'i', 'em', 'u', 's', 'del', 'strike', 'code', 'pre', 'a', 'br', 'p', 'blockquote', 'ul', 'ol', 'li',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'sup', 'sub', 'span', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary',
]);
const DROP_WITH_CONTENT = new Set(['script', 'style', 'mx-reply', 'iframe', 'object', 'embed', 'head', 'title']);
const SAFE_URL = /^(https?:|mailto:|matrix:)/i;

function clean(node: Node, doc: Document): DocumentFragment {
  const out = doc.createDocumentFragment();
  for (const child of [...node.childNodes]) {
    if (child.nodeType === Node.TEXT_NODE) {
      out.append(doc.createTextNode(child.textContent ?? ''));
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const el = child as Element;
      const tag = el.localName;
      if (DROP_WITH_CONTENT.has(tag)) continue;
      if (!ALLOWED.has(tag)) {
        out.append(clean(el, doc));
        continue;
      }
      const copy = doc.createElement(tag);
      if (tag === 'a') {
        const href = el.getAttribute('href') ?? '';
        if (SAFE_URL.test(href)) {
          copy.setAttribute('href', href);
          copy.setAttribute('rel', 'noopener noreferrer');
          copy.setAttribute('target', '_blank');
        }
      }
      if (tag === 'code' && /^language-[\w-]+$/.test(el.getAttribute('class') ?? '')) copy.setAttribute('class', el.getAttribute('class')!);
      copy.append(clean(el, doc));
      out.append(copy);
    }
  }
  return out;
}

export function sanitizeHtml(html: string): string {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  const doc = document.implementation.createHTMLDocument('');
  const wrapper = doc.createElement('div');
  wrapper.append(clean(tpl.content, doc));
  return wrapper.innerHTML;
}
