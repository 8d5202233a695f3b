// Builds the media services from the server's config (used by the API modules and the CLI).
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/load.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../bus/bus.js';
import type { FederationClient } from '@parley/federation';
import { DiskContentStore } from './content-store.js';
import { MediaRepository } from './media-repository.js';
import { Thumbnails } from './thumbnails.js';
import { UrlPreviews } from './url-preview/url-previews.js';
import { MediaRetention } from './retention.js';
import { RemoteMedia } from './remote/remote-media.js';

export interface MediaServices {
  repository: MediaRepository;
  thumbnails: Thumbnails;
  previews: UrlPreviews;
  retention: MediaRetention;
  close(): Promise<void>;
}

export async function createMediaServices(deps: {
  config: ResolvedConfig;
  db: Database;
  bus: EventBus;
  log: Logger;
  /** Absent in the CLI: remote media is then not fetched. */
  federation?: { client: FederationClient };
}): Promise<MediaServices> {
  const { config } = deps;
  const store = new DiskContentStore(config.paths.mediaStore);
  await store.init();
  const repository = new MediaRepository(config.server_name, config.media, deps.db, store, deps.bus, deps.log.child({ module: 'media' }));
  const thumbnails = new Thumbnails(repository);
  const previews = new UrlPreviews(repository);
  if (deps.federation) repository.remote = new RemoteMedia(repository, deps.federation.client, previews.policy);
  return {
    repository,
    thumbnails,
    previews,
    retention: new MediaRetention(repository),
    close: async () => {
      await thumbnails.idle();
      repository.close();
      await store.close();
    },
  };
}
