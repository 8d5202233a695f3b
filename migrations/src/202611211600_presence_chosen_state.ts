import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Whether the user chose the state through PUT /presence (away, busy for a while): a sync's
  // implicit "online" then leaves it alone. Idle marks set by the sweeper are not chosen.
  await knex.schema.alterTable('presence', (t) => {
    t.boolean('chosen').notNullable().defaultTo(false);
  });
}
