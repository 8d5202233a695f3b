// The library module (dist/lib/parley-elements.js): every element, defined on import, plus the
// Matrix client they are built on, for pages composing their own UI from the building blocks.
export { ParleyApp } from './elements/parley-app.js';
export { ParleyRoomElement } from './elements/parley-room.js';
export { ParleyLogin } from './elements/parley-login.js';
export { ParleyRoomList } from './elements/parley-room-list.js';
export { ParleyRoomView } from './elements/parley-room-view.js';
export { ParleyTimeline } from './elements/parley-timeline.js';
export { ParleyComposer } from './elements/parley-composer.js';
export { ParleyAvatar } from './elements/parley-avatar.js';
export { ParleyConnectionStatus } from './elements/parley-connection-status.js';
export { ParleyRoomSettings } from './elements/parley-room-settings.js';
export { ParleySettings } from './elements/parley-settings.js';
export { ParleyNewChat } from './elements/parley-new-chat.js';
export { MatrixClient } from './matrix/client.js';
export { login, register, logout } from './matrix/auth.js';
export type { Session, MatrixEvent } from './matrix/types.js';
