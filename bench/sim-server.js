'use strict';
// The TelAPI stand-in for the benchmarks, in a process of its own: the package's simulator with no
// artificial latency and no faults. A call allows at most 5 recordings, so the record benchmark
// sends stops (Record=false): each bench call gets one short recording here, after which every
// stop answers 200 with that (latest) recording, as TelAPI's idempotent stop does.
const { startSimulator, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } = require('@telapi-nodes/telapi-simulator');

async function main() {
  const calls = Number(process.argv[2] ?? 64);
  const sim = await startSimulator({ port: 0, demoCalls: false });
  const callSids = [];
  const authorization = 'Basic ' + Buffer.from(`${DEMO_ACCOUNT_SID}:${DEMO_AUTH_TOKEN}`).toString('base64');
  for (let index = 0; index < calls; index++) {
    const call = sim.createCall({ from: '+15550100001', to: `+1555020${String(index).padStart(4, '0')}` });
    callSids.push(call.sid);
    for (const record of ['true', 'false']) {
      const response = await fetch(`${sim.url}/v1/Accounts/${DEMO_ACCOUNT_SID}/Calls/${call.sid}/Recordings.json`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: `Record=${record}`,
      });
      if (response.status !== 200) throw new Error(`simulator setup: ${response.status} ${await response.text()}`);
    }
  }
  sim.clearRequests?.();
  process.send({ type: 'ready', url: sim.url, accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN, callSids });
  process.on('message', async (message) => {
    if (message.type === 'cpu') {
      process.send({ type: 'result', result: process.cpuUsage() });
    } else if (message.type === 'exit') {
      await sim.close();
      process.exit(0);
    }
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
