// Theme tokens as CSS custom properties. Root elements (<parley-app>, <parley-room>) define them;
// every element reads them, and a page can override any --parley-* on the element it embeds.
import { css } from 'lit';

const light = css`
  --parley-bg: #ffffff;
  --parley-surface: #f3f4f7;
  --parley-surface-2: #e6e8ee;
  --parley-text: #1b1d22;
  --parley-muted: #555c69;
  --parley-border: #c9ced8;
  --parley-accent: #0b5fc6;
  --parley-accent-text: #ffffff;
  --parley-own-bubble: #dcebff;
  --parley-other-bubble: #f0f1f4;
  --parley-danger: #b42318;
  --parley-ok: #1a7f37;
  --parley-focus: #0b5fc6;
  --parley-badge: #b42318;
  --parley-shadow: 0 4px 18px rgb(0 0 0 / 0.14);
`;

const dark = css`
  --parley-bg: #14161b;
  --parley-surface: #1d2027;
  --parley-surface-2: #2a2e37;
  --parley-text: #eceef2;
  --parley-muted: #a9b0bd;
  --parley-border: #3b404b;
  --parley-accent: #6aa8ff;
  --parley-accent-text: #0b1220;
  --parley-own-bubble: #1f3a5f;
  --parley-other-bubble: #252932;
  --parley-danger: #ff8a80;
  --parley-ok: #6fdc8c;
  --parley-focus: #8fbfff;
  --parley-badge: #e5484d;
  --parley-shadow: 0 4px 18px rgb(0 0 0 / 0.5);
`;

export const themeTokens = css`
  :host {
    ${light}
    --parley-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    --parley-radius: 10px;
    color-scheme: light;
    font-family: var(--parley-font);
    color: var(--parley-text);
    background: var(--parley-bg);
  }
  :host([theme='dark']) {
    ${dark}
    color-scheme: dark;
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
      color-scheme: dark;
    }
  }
`;

/** Shared bits: buttons, inputs, focus rings, visually hidden text. */
export const base = css`
  :host {
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button,
  input,
  textarea,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--parley-border);
    background: var(--parley-surface);
    border-radius: 8px;
    padding: 0.45em 0.9em;
    min-height: 36px;
  }
  button:hover {
    background: var(--parley-surface-2);
  }
  button.primary {
    background: var(--parley-accent);
    color: var(--parley-accent-text);
    border-color: var(--parley-accent);
    font-weight: 600;
  }
  button.danger {
    color: var(--parley-danger);
  }
  button.icon {
    border: none;
    background: transparent;
    padding: 0.3em 0.5em;
    min-width: 36px;
    font-size: 1.1em;
    line-height: 1;
    display: inline-grid;
    place-items: center;
  }
  button svg {
    vertical-align: middle;
  }
  button.icon:hover {
    background: var(--parley-surface-2);
  }
  button:disabled {
    opacity: 0.55;
    cursor: default;
  }
  input,
  textarea,
  select {
    background: var(--parley-bg);
    border: 1px solid var(--parley-border);
    border-radius: 8px;
    padding: 0.5em 0.7em;
    min-height: 36px;
  }
  :focus-visible {
    outline: 2px solid var(--parley-focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .muted {
    color: var(--parley-muted);
  }
  .error {
    color: var(--parley-danger);
  }
`;
