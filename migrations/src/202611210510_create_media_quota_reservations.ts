import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Bytes held by uploads in progress, so that concurrent uploads cannot together exceed a
  // user's quota. A row lives from the first byte until the media row is written (same transaction).
  await knex.schema.createTable('media_quota_reservations', (t) => {
    t.bigIncrements('id');
    t.text('user_id').notNullable();
    t.bigInteger('bytes').notNullable();
    /** A reservation left behind by a crash stops counting after this. */
    t.bigInteger('expires_ts').notNullable();
    t.index(['user_id']);
  });
}
