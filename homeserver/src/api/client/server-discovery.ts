// https://spec.matrix.org/v1.19/client-server-api/#server-discovery
import { discovery, getRoomVersion, ROOM_VERSIONS, DEFAULT_ROOM_VERSION } from '@parley/spec';
import { constantReply, type ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';

/** Spec versions whose client-server surface Parley serves (checked by test/integration). */
export const SUPPORTED_SPEC_VERSIONS = ['v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8', 'v1.9', 'v1.10', 'v1.11', 'v1.12'];

export function registerServerDiscovery(router: ApiRouter, s: ServerContext): void {
  // Built on first use: the features are known once every module has registered.
  let versions: { versions: string[]; unstable_features: Record<string, boolean> } | undefined;
  router.bind(discovery.getVersions, async () =>
    (versions ??= constantReply({
      versions: [...SUPPORTED_SPEC_VERSIONS],
      unstable_features: { 'org.parley.ws': s.features.websocket },
    })),
  );

  router.bind(discovery.getWellKnownClient, async () => ({
    'm.homeserver': { base_url: s.config.public_baseurl },
  }));

  router.bind(discovery.getWellKnownServer, async () => ({
    'm.server': `${s.config.server_name}:${s.config.listeners.federation.port}`,
  }));

  router.bind(discovery.getCapabilities, async () => ({
    capabilities: {
      'm.change_password': { enabled: true },
      'm.room_versions': {
        default: DEFAULT_ROOM_VERSION,
        available: Object.fromEntries(
          Object.keys(ROOM_VERSIONS).map((v) => [v, getRoomVersion(v)!.stable ? 'stable' : 'unstable']),
        ),
      },
      'm.set_displayname': { enabled: true },
      'm.set_avatar_url': { enabled: true },
      'm.3pid_changes': { enabled: false },
      'm.get_login_token': { enabled: false },
    },
  }));
}
