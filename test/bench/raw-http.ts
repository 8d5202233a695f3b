// Source text shared by the load generators' worker threads (which run eval'd code, so they share
// source, not modules): just enough HTTP/1.1 to read keep-alive responses, as wrk does.

/**
 * `responses(onResponse)` makes a socket 'data' listener that calls `onResponse(status, head,
 * body)` for each complete response (`body` a Buffer); status 0 when a response has no
 * Content-Length (which these servers always send), after which the listener stops reading.
 */
export const RESPONSE_READER = `
function responses(onResponse) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const end = pending.indexOf('\\r\\n\\r\\n');
      if (end < 0) return;
      const head = pending.toString('latin1', 0, end);
      const length = /\\r\\ncontent-length: *(\\d+)/i.exec(head);
      if (!length) return void onResponse(0, head, Buffer.alloc(0));
      const total = end + 4 + Number(length[1]);
      if (pending.length < total) return;
      const body = pending.subarray(end + 4, total);
      pending = pending.subarray(total);
      onResponse(Number(head.slice(9, 12)), head, body);
    }
  };
}
`;
