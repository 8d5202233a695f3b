import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Public keys of other servers, from verified key responses (federation/src/keys/).
  // https://spec.matrix.org/v1.19/server-server-api/#retrieving-server-keys
  await knex.schema.createTable('server_keys', (t) => {
    t.text('server_name').notNullable();
    t.text('key_id').notNullable();
    /** Unpadded base64 ed25519 public key. */
    t.text('public_key').notNullable();
    /** valid_until_ts of the response, capped at fetch time + 7 days. */
    t.bigInteger('valid_until_ts').notNullable();
    /** Set for keys from old_verify_keys. */
    t.bigInteger('expired_ts');
    t.bigInteger('fetched_ts').notNullable();
    /** The signed response exactly as received, served again by the notary endpoints. */
    t.text('response').notNullable();
    t.primary(['server_name', 'key_id']);
  });
}
