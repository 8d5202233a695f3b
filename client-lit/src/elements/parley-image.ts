// <parley-image>: an image message shown inline, fetched through authenticated media.
import { LitElement, css, html } from 'lit';
import type { MediaCache } from '../matrix/media.js';

export class ParleyImage extends LitElement {
  static override properties = {
    mxc: {},
    alt: {},
    width: { type: Number },
    height: { type: Number },
    media: { attribute: false },
    src: { state: true },
  };
  declare mxc: string;
  declare alt: string;
  declare width?: number;
  declare height?: number;
  declare media?: MediaCache;
  declare src?: string;

  constructor() {
    super();
    this.mxc = '';
    this.alt = '';
  }

  static override styles = css`
    :host {
      display: block;
      max-width: min(320px, 100%);
    }
    img,
    .placeholder {
      display: block;
      max-width: 100%;
      max-height: 320px;
      border-radius: 8px;
      background: var(--parley-surface-2);
    }
    a {
      display: block;
    }
  `;

  protected override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has('mxc') || changed.has('media')) && this.media && this.mxc) {
      const mxc = this.mxc;
      void this.media.objectUrl(mxc).then((url) => {
        if (this.mxc === mxc) this.src = url;
      });
    }
  }

  /** Box size before the image loads, so the timeline does not jump. */
  private box(): string {
    const w = this.width || 240;
    const h = this.height || 160;
    const scale = Math.min(1, 320 / w, 320 / h);
    return `width:${Math.round(w * scale)}px;aspect-ratio:${w}/${h}`;
  }

  override render() {
    if (!this.src) return html`<div class="placeholder" style=${this.box()} role="img" aria-label=${this.alt}></div>`;
    return html`<a href=${this.src} target="_blank" rel="noopener"><img src=${this.src} alt=${this.alt} style=${this.box()} /></a>`;
  }
}
customElements.define('parley-image', ParleyImage);

declare global {
  interface HTMLElementTagNameMap {
    'parley-image': ParleyImage;
  }
}
