// Global keyboard shortcuts for the app. Each binding is a predicate on the key event and an action.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface Shortcut {
  match: (e: KeyboardEvent) => boolean;
  run: (e: KeyboardEvent) => void;
  /** Also fire while typing in an input or textarea. */
  inInputs?: boolean;
}

export const keys = {
  altUp: (e: KeyboardEvent) => e.altKey && !e.ctrlKey && e.key === 'ArrowUp',
  altDown: (e: KeyboardEvent) => e.altKey && !e.ctrlKey && e.key === 'ArrowDown',
  findRoom: (e: KeyboardEvent) => (e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'k',
  searchRoom: (e: KeyboardEvent) => (e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'f',
  escape: (e: KeyboardEvent) => e.key === 'Escape',
};

function typingInField(e: KeyboardEvent): boolean {
  const el = e.composedPath()[0] as HTMLElement | undefined;
  return !!el && (el.localName === 'input' || el.localName === 'textarea' || el.isContentEditable);
}

export class ShortcutsController implements ReactiveController {
  private readonly onKey = (e: KeyboardEvent) => {
    for (const s of this.shortcuts) {
      if (!s.match(e) || (!s.inInputs && typingInField(e))) continue;
      e.preventDefault();
      s.run(e);
      return;
    }
  };

  constructor(
    host: ReactiveControllerHost,
    private readonly shortcuts: Shortcut[],
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('keydown', this.onKey);
  }

  hostDisconnected(): void {
    window.removeEventListener('keydown', this.onKey);
  }
}
