// Entry of the embeddable <parley-room> (dist/lib/parley-room.js).
export { ParleyRoomElement } from './elements/parley-room.js';
