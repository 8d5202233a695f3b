// Forward-only migrations, applied in order. Add each new file to this list.
import type { Knex } from 'knex';
import * as m202611210001 from './202611210001_create_accounts.js';
import * as m202611210100 from './202611210100_create_rooms.js';
import * as m202611210210 from './202611210210_create_media.js';
import * as m202611210300 from './202611210300_create_sync_e2ee_push.js';
import * as m202611210500 from './202611210500_create_server_keys.js';
import * as m202611210510 from './202611210510_create_media_quota_reservations.js';
import * as m202611211600 from './202611211600_presence_chosen_state.js';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

const forwardOnly = async () => {
  throw new Error('Parley migrations are forward-only');
};

function migration(name: string, m: { up(knex: Knex): Promise<void> }): Required<Migration> {
  return { name, up: m.up, down: forwardOnly };
}

export const migrations: Required<Migration>[] = [
  migration('202611210001_create_accounts', m202611210001),
  migration('202611210100_create_rooms', m202611210100),
  migration('202611210210_create_media', m202611210210),
  migration('202611210300_create_sync_e2ee_push', m202611210300),
  migration('202611210500_create_server_keys', m202611210500),
  migration('202611210510_create_media_quota_reservations', m202611210510),
  migration('202611211600_presence_chosen_state', m202611211600),
];
