// Rooms as a signed event DAG: events, edges, extremities, delta-compressed state snapshots,
// current state, memberships, and the per-user data that hangs off rooms. See docs/storage.md.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE rooms (
      room_nid       serial PRIMARY KEY,
      room_id        text NOT NULL UNIQUE,
      room_version   text NOT NULL,
      creator        text NOT NULL,
      -- Published in this server's room directory.
      is_public      boolean NOT NULL DEFAULT false,
      created_ts     bigint NOT NULL
    );

    -- The event's numeric id is its stream_ordering: a total order over all events of this server
    -- (outliers included; sync skips them). Allocated in stream_in_flight before the event commits.
    CREATE SEQUENCE events_stream_seq;

    CREATE TABLE events (
      stream_ordering  bigint PRIMARY KEY,
      event_id         text NOT NULL,
      room_nid         integer NOT NULL REFERENCES rooms (room_nid),
      type             text NOT NULL,
      state_key        text,
      sender           text NOT NULL,
      depth            bigint NOT NULL,
      origin_server_ts bigint NOT NULL,
      -- Snapshot of the room state after this event (null for outliers and rejected events).
      state_group      bigint,
      -- For state events: the event it replaced in the state (for unsigned.prev_content).
      replaces_state   bigint,
      outlier          boolean NOT NULL DEFAULT false,
      soft_failed      boolean NOT NULL DEFAULT false,
      rejected_reason  text,
      -- Set when a redaction applied; json then holds the redacted form.
      redacted_by      bigint,
      -- The signed PDU exactly as created or received (its redacted form once redacted).
      json             text NOT NULL,
      -- Unique through a hash index: ids are only ever looked up by equality, and the hash index
      -- is about half the size of a b-tree over 44-character ids. (ON CONFLICT DO NOTHING works;
      -- ON CONFLICT (event_id) does not, as no b-tree backs it.)
      CONSTRAINT events_event_id_unique EXCLUDE USING hash (event_id WITH =)
    );
    -- Timeline indexes (sync in stream order, /messages in topological order = (depth, stream_ordering)).
    -- Partial on "in the timeline", the predicate every timeline read carries: the planner does not
    -- have to estimate the flags, and so keeps the ordered scan of the room's slice even before
    -- ANALYZE (without statistics it took "rejected_reason IS NULL" for 0.5% of the rows, chose a
    -- bitmap scan of the whole room and sorted it: 200 ms for a 100,000-event room).
    CREATE INDEX events_room_stream ON events (room_nid, stream_ordering)
      WHERE NOT outlier AND NOT soft_failed AND rejected_reason IS NULL;
    CREATE INDEX events_room_topo ON events (room_nid, depth, stream_ordering)
      WHERE NOT outlier AND NOT soft_failed AND rejected_reason IS NULL;
    -- State events by type (history visibility changes, joins by type) without scanning the timeline.
    CREATE INDEX events_room_state ON events (room_nid, type, stream_ordering) WHERE state_key IS NOT NULL;
    -- Server-side search over message bodies, room names and topics. No pending list (fastupdate):
    -- entries go straight into the tree, so the index stays compact and search needs no vacuum.
    CREATE INDEX events_search ON events USING gin (
      to_tsvector('simple', coalesce((json::jsonb)->'content'->>'body', '') || ' ' ||
                            coalesce((json::jsonb)->'content'->>'name', '') || ' ' ||
                            coalesce((json::jsonb)->'content'->>'topic', ''))
    ) WITH (fastupdate = off) WHERE type IN ('m.room.message', 'm.room.name', 'm.room.topic') AND redacted_by IS NULL;

    -- Events whose commit is in progress: readers never move past min(stream_ordering) - 1.
    -- owner_pid: backend of the allocating connection; rows of dead backends are ignored.
    CREATE UNLOGGED TABLE stream_in_flight (
      stream_ordering bigint PRIMARY KEY,
      owner_pid       integer NOT NULL,
      started_ts      bigint NOT NULL
    );

    -- DAG edges, one row per event. Unknown ids (federation) stay in missing_* until fetched.
    CREATE TABLE event_edges (
      event_nid          bigint PRIMARY KEY REFERENCES events (stream_ordering),
      prev_nids          bigint[] NOT NULL,
      auth_nids          bigint[] NOT NULL,
      missing_prev_ids   text[],
      missing_auth_ids   text[]
    );

    CREATE TABLE forward_extremities (
      room_nid  integer NOT NULL,
      event_nid bigint NOT NULL,
      PRIMARY KEY (room_nid, event_nid)
    );

    -- State snapshots as deltas against a parent, chain length bounded (a full snapshot when the
    -- bound is reached). added: event nids that set a key; removed_*: keys dropped (rare: only
    -- state resolution removes keys).
    CREATE TABLE state_groups (
      id                 bigserial PRIMARY KEY,
      room_nid           integer NOT NULL,
      parent_id          bigint REFERENCES state_groups (id),
      chain_length       integer NOT NULL,
      added              bigint[] NOT NULL,
      removed_types      text[],
      removed_state_keys text[]
    );

    CREATE TABLE current_state (
      room_nid  integer NOT NULL,
      type      text NOT NULL,
      state_key text NOT NULL,
      event_nid bigint NOT NULL,
      PRIMARY KEY (room_nid, type, state_key)
    );

    -- Every membership event (history), for visibility checks and membership lists at a point.
    CREATE TABLE room_memberships (
      event_nid       bigint PRIMARY KEY,
      room_nid        integer NOT NULL,
      user_id         text NOT NULL,
      sender          text NOT NULL,
      membership      text NOT NULL
    );
    CREATE INDEX room_memberships_user ON room_memberships (user_id, room_nid, event_nid);

    -- Each user's current membership per room (mirrors current_state, indexed by user).
    CREATE TABLE current_memberships (
      room_nid   integer NOT NULL,
      user_id    text NOT NULL,
      membership text NOT NULL,
      event_nid  bigint NOT NULL,
      -- Set by /forget: the room is hidden from this user until they are invited or join again.
      forgotten  boolean NOT NULL DEFAULT false,
      PRIMARY KEY (room_nid, user_id)
    );
    CREATE INDEX current_memberships_user ON current_memberships (user_id, membership);

    -- PUT .../{txnId} idempotency, scoped to the device and the endpoint.
    CREATE TABLE event_txn_ids (
      user_id    text NOT NULL,
      device_id  text NOT NULL,
      scope      text NOT NULL,
      txn_id     text NOT NULL,
      event_nid  bigint NOT NULL,
      created_ts bigint NOT NULL,
      PRIMARY KEY (user_id, device_id, scope, txn_id)
    );
    CREATE INDEX event_txn_ids_event ON event_txn_ids (event_nid);

    CREATE TABLE event_relations (
      event_nid      bigint PRIMARY KEY,
      room_nid       integer NOT NULL,
      relates_to_id  text NOT NULL,
      rel_type       text NOT NULL,
      aggregation_key text
    );
    CREATE INDEX event_relations_target ON event_relations (relates_to_id, rel_type, event_nid);

    CREATE TABLE room_aliases (
      alias      text PRIMARY KEY,
      room_id    text NOT NULL,
      creator    text NOT NULL,
      created_ts bigint NOT NULL
    );
    CREATE INDEX room_aliases_room ON room_aliases (room_id);

    CREATE SEQUENCE account_data_stream_seq;
    -- Global (room_id = '') and per-room account data; tags are the per-room type m.tag.
    CREATE TABLE account_data (
      user_id   text NOT NULL,
      room_id   text NOT NULL DEFAULT '',
      type      text NOT NULL,
      content   jsonb NOT NULL,
      stream_id bigint NOT NULL DEFAULT nextval('account_data_stream_seq'),
      PRIMARY KEY (user_id, room_id, type)
    );
    CREATE INDEX account_data_stream ON account_data (user_id, stream_id);

    CREATE TABLE content_reports (
      id         bigserial PRIMARY KEY,
      reporter   text NOT NULL,
      room_id    text,
      event_id   text,
      user_id    text,
      reason     text,
      score      integer,
      created_ts bigint NOT NULL
    );
  `);
}
