// Re-renders its host whenever the Matrix client reports a change.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MatrixClient } from '../matrix/client.js';

export class ClientController implements ReactiveController {
  private client?: MatrixClient;
  private readonly onChange = () => this.host.requestUpdate();

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Call from the host's willUpdate with its current client. */
  use(client: MatrixClient | undefined): void {
    if (client === this.client) return;
    this.client?.removeEventListener('change', this.onChange);
    this.client = client;
    client?.addEventListener('change', this.onChange);
  }

  hostConnected(): void {
    this.client?.addEventListener('change', this.onChange);
  }

  hostDisconnected(): void {
    this.client?.removeEventListener('change', this.onChange);
  }
}
