// The room services added next to RoomService, one per server context.
import { roomsOf } from './index.js';
import { perContext } from './per-context.js';
import { RelationsService } from './relations.js';
import { DirectoryService } from './directory.js';
import { RoomUpgrader } from './upgrade.js';
import { SearchService } from './search.js';
import { RoomPreviews } from './spaces.js';
import { UserDirectory } from './user-directory.js';

export const relationsOf = perContext((ctx) => new RelationsService(roomsOf(ctx)));
export const directoryOf = perContext((ctx) => new DirectoryService(roomsOf(ctx)));
export const upgraderOf = perContext((ctx) => new RoomUpgrader(roomsOf(ctx), directoryOf(ctx)));
export const searchOf = perContext((ctx) => new SearchService(roomsOf(ctx)));
export const previewsOf = perContext((ctx) => new RoomPreviews(roomsOf(ctx)));
export const userDirectoryOf = perContext((ctx) => new UserDirectory(ctx.db, ctx.config.user_directory.search_all_users));
