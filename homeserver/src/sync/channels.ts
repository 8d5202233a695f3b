// Bus channels of the sync streams (rooms publishes `room.event` and `account_data`, docs/storage.md).
import type { RoomEventNotification } from '../rooms/pipeline.js';
export const CHANNEL = {
  roomEvent: 'room.event',
  accountData: 'account_data',
  typing: 'sync.typing',
  receipt: 'sync.receipt',
  presence: 'sync.presence',
  toDevice: 'sync.to_device',
  deviceList: 'sync.device_list',
  pushRules: 'sync.push_rules',
  unread: 'sync.unread',
  /** One-time / fallback keys of a device changed (upload, claim). */
  keys: 'sync.keys',
} as const;

/** What the rooms pipeline announces on `room.event` (defined next to the code that publishes it). */
export type RoomEventMessage = RoomEventNotification;
export interface TypingMessage {
  roomId: string;
  userId: string;
  typing: boolean;
  /** Absolute expiry (ms since epoch) when typing. */
  expiresAt: number;
}
export interface UserMessage {
  userId: string;
  deviceId?: string;
  roomId?: string;
  /** `unread`: the notification's id; `account_data`: its stream id. */
  id?: number;
  streamId?: number;
  /** `unread`: the notifying event's position, whether it highlights, and its thread. */
  streamOrdering?: number;
  highlight?: boolean;
  threadId?: string | null;
}
export interface RoomMessage {
  roomId: string;
}
