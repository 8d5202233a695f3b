// Builds the media services from the server's config (used by the API modules and the CLI).
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/load.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../bus/bus.js';
import type { SigningKey } from '../keys/signing-key.js';
import { DiskContentStore } from './content-store.js';
import { MediaRepository } from './media-repository.js';
import { Thumbnails } from './thumbnails.js';
import { UrlPreviews } from './url-preview/url-previews.js';
import { MediaRetention } from './retention.js';
import { configuredResolver, FederationMediaClient, type ServerResolver } from './remote/federation-client.js';
import { RemoteMedia } from './remote/remote-media.js';
import { configuredKeys, type ServerKeyLookup } from './remote/inbound-auth.js';

export interface MediaServices {
  repository: MediaRepository;
  thumbnails: Thumbnails;
  previews: UrlPreviews;
  retention: MediaRetention;
  /** Absent when built without a signing key (CLI): remote media is then not fetched. */
  federationClient?: FederationMediaClient;
  serverKeys: ServerKeyLookup;
  close(): Promise<void>;
}

export async function createMediaServices(deps: {
  config: ResolvedConfig;
  db: Database;
  bus: EventBus;
  log: Logger;
  signingKey?: SigningKey;
  resolver?: ServerResolver;
}): Promise<MediaServices> {
  const { config } = deps;
  const store = new DiskContentStore(config.paths.mediaStore);
  await store.init();
  const repository = new MediaRepository(config.server_name, config.media, deps.db, store, deps.bus, deps.log.child({ module: 'media' }));
  const thumbnails = new Thumbnails(repository);
  const previews = new UrlPreviews(repository);
  const federationClient =
    deps.signingKey &&
    new FederationMediaClient({
      serverName: config.server_name,
      signingKey: deps.signingKey,
      resolve: deps.resolver ?? configuredResolver(config.media.remote.base_urls),
      timeoutMs: config.media.remote.timeout_ms,
    });
  if (federationClient) repository.remote = new RemoteMedia(repository, federationClient, previews.policy);
  return {
    repository,
    thumbnails,
    previews,
    retention: new MediaRetention(repository),
    federationClient,
    serverKeys: configuredKeys(config.media.remote.trusted_keys),
    close: async () => {
      await thumbnails.idle();
      repository.close();
      await store.close();
    },
  };
}
