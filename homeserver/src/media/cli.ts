// `parley media ...`: retention tasks from the command line (the admin API does the same over HTTP).
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/load.js';

type Task = (retention: import('./retention.js').MediaRetention) => Promise<string[]>;

async function runTask(config: () => ResolvedConfig, task: Task): Promise<void> {
  const { fail } = await import('../cli-program.js');
  try {
    const cfg = config();
    const [{ withDatabase }, { createLogger }, { LocalBus }, { createMediaServices }] = await Promise.all([
      import('../db/with-database.js'),
      import('../main.js'),
      import('../bus/index.js'),
      import('./index.js'),
    ]);
    const log = createLogger(cfg.log_level === 'info' ? 'warn' : cfg.log_level);
    await withDatabase(cfg, log, async (db) => {
      const bus = new LocalBus();
      const media = await createMediaServices({ config: cfg, db, bus, log });
      try {
        const deleted = await task(media.retention);
        for (const uri of deleted) console.log(uri);
        console.log(`deleted ${deleted.length} media item${deleted.length === 1 ? '' : 's'}`);
      } finally {
        await media.close();
        await bus.close();
      }
    });
  } catch (err) {
    fail(err);
  }
}

export function registerMediaCommands(program: Command, config: () => ResolvedConfig): void {
  const media = program.command('media').description('manage the media repository');
  media
    .command('purge-remote')
    .description('delete cached remote media not used for the given number of days')
    .requiredOption('--older-than-days <days>', 'age in days', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error('--older-than-days needs a number of days');
      return n;
    })
    .action((opts: { olderThanDays: number }) => runTask(config, (r) => r.purgeRemoteCache(Date.now() - opts.olderThanDays * 86_400_000)));
  media
    .command('delete-user')
    .description("delete every media item a local user uploaded, with thumbnails and files")
    .argument('<user-id>', 'e.g. @alice:example.org')
    .action((userId: string) => runTask(config, (r) => r.deleteUserMedia(userId)));
  media
    .command('delete-room')
    .description('delete the media referenced by the events of a room')
    .argument('<room-id>', 'e.g. !abc:example.org')
    .action((roomId: string) => runTask(config, (r) => r.deleteRoomMedia(roomId)));
  media
    .command('delete')
    .description('delete media by mxc:// URI')
    .argument('<mxc-uri...>', 'one or more mxc://server/id')
    .action((uris: string[]) => runTask(config, (r) => r.deleteMxcUris(uris)));
  media
    .command('purge-expired-uploads')
    .description('delete asynchronous uploads (POST /_matrix/media/v1/create) whose bytes never came')
    .action(() => runTask(config, (r) => r.deleteExpiredPending()));
}
