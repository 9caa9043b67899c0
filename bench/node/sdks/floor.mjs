// The floor: no SDK. track() appends a small object to an array; drain() posts the array to the sink
// with the global fetch in batches of 500, one request after the other.
const BATCH = 500;

export default {
  start(sinkUrl) {
    let pending = [];
    return {
      track(i) {
        pending.push({ schema: 'iglu:com.acme/bench_event/jsonschema/1-0-0', data: { plan: 'pro', count: 3, ok: true, bench_i: i }, ts: new Date().toISOString() });
      },
      async drain() {
        const events = pending;
        pending = [];
        for (let from = 0; from < events.length; from += BATCH) {
          const res = await fetch(`${sinkUrl}/floor`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ events: events.slice(from, from + BATCH) }),
          });
          if (!res.ok) throw new Error(`floor: sink answered ${res.status}`);
          await res.text();
        }
      },
    };
  },
};
