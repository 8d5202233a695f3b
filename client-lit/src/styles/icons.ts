// Inline SVG icons (stroke = currentColor), so nothing depends on an emoji font being installed.
import { html, svg, type TemplateResult } from 'lit';

const paths = {
  search: svg`<circle cx="11" cy="11" r="6.5"/><path d="M16 16l4.5 4.5"/>`,
  attach: svg`<path d="M20 11.5l-7.8 7.8a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"/>`,
  trash: svg`<path d="M4 7h16M9 7V4.5h6V7M6.5 7l1 13h9l1-13M10 11v6M14 11v6"/>`,
  gear: svg`<circle cx="12" cy="12" r="3"/><path d="M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1"/>`,
  plus: svg`<path d="M12 5v14M5 12h14"/>`,
  back: svg`<path d="M15 5l-7 7 7 7"/>`,
  smile: svg`<circle cx="12" cy="12" r="8.5"/><path d="M8.5 14.5a4.5 4.5 0 0 0 7 0"/><path d="M9 9.5h.01M15 9.5h.01" stroke-width="2.6"/>`,
  reply: svg`<path d="M10 8L5 12.5l5 4.5"/><path d="M5.5 12.5H14a5 5 0 0 1 5 5V19"/>`,
  edit: svg`<path d="M4 20h4L19 9l-4-4L4 16v4z"/><path d="M13.5 6.5l4 4"/>`,
  close: svg`<path d="M6 6l12 12M18 6L6 18"/>`,
  thread: svg`<path d="M4.5 6.5h15M4.5 11.5h9"/><path d="M7 11.5v4.5a2.5 2.5 0 0 0 2.5 2.5h6"/><path d="M13.5 16l2.5 2.5-2.5 2.5"/>`,
  down: svg`<path d="M12 5v14M6 13l6 6 6-6"/>`,
};

export type IconName = keyof typeof paths;

export function icon(name: IconName, size = 20): TemplateResult {
  return html`<svg width=${size} height=${size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.9"
    stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${paths[name]}</svg>`;
}
