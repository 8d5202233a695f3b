// The parts of Matrix JSON the client reads. Loose on purpose: servers add fields.

export interface MatrixEvent {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, any>;
  state_key?: string;
  redacts?: string;
  unsigned?: { age?: number; transaction_id?: string; redacted_because?: MatrixEvent; prev_content?: Record<string, any>; [k: string]: unknown };
  room_id?: string;
}

export interface StrippedEvent {
  type: string;
  sender: string;
  state_key: string;
  content: Record<string, any>;
}

export interface BasicEvent {
  type: string;
  content: Record<string, any>;
}

export interface JoinedRoomSync {
  summary?: { 'm.heroes'?: string[]; 'm.joined_member_count'?: number; 'm.invited_member_count'?: number };
  state?: { events?: MatrixEvent[] };
  timeline?: { events?: MatrixEvent[]; limited?: boolean; prev_batch?: string };
  ephemeral?: { events?: BasicEvent[] };
  account_data?: { events?: BasicEvent[] };
  unread_notifications?: { notification_count?: number; highlight_count?: number };
}

export interface SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, JoinedRoomSync>;
    invite?: Record<string, { invite_state?: { events?: StrippedEvent[] } }>;
    leave?: Record<string, { state?: { events?: MatrixEvent[] }; timeline?: { events?: MatrixEvent[] } }>;
  };
  presence?: { events?: Array<BasicEvent & { sender: string }> };
  account_data?: { events?: BasicEvent[] };
}

export interface MessagesResponse {
  start: string;
  end?: string;
  chunk: MatrixEvent[];
  state?: MatrixEvent[];
}

export interface LoginResponse {
  user_id: string;
  access_token: string;
  device_id: string;
  well_known?: { 'm.homeserver'?: { base_url: string } };
}

export interface Session {
  homeserver: string;
  userId: string;
  accessToken: string;
  deviceId: string;
  /** Registered as a guest (read-only previews). */
  guest?: boolean;
}
