import { parseArgs } from 'node:util';
import { DEFAULT_HOST, DEFAULT_PORT, DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } from './constants';

export const CALL_USAGE = `Usage: telapi-simulator call --url <voice URL> [options]

Places an inbound call on a running simulator (its control API) and prints what happens on it, live,
until the call ends.

      --url <url>             the voice URL the call asks (required)
      --method <GET|POST>     how the voice URL is asked (default POST)
      --from <number>         the caller (default +15550100001)
      --to <number>           the number called (default +15550100100)
      --caller-name <name>    CallerName
      --digits <keys,...>     keys to press, one group per Gather (or Record) that listens, e.g. 1,42#
      --server <url>          the simulator (default http://${DEFAULT_HOST}:${DEFAULT_PORT})
      --account-sid <AC…>     credentials for the control API (default: the demo account)
      --auth-token <token>
  -h, --help                  show this help

Exit code: 0 when the call ended, 1 when it ended with an error or the simulator could not be asked.
`;

interface ControlEvent {
  sequence: number;
  type: string;
  [field: string]: unknown;
}

/** One line per event, as a person follows a call. */
export function describeEvent(event: ControlEvent): string {
  const text = (name: string): string => String(event[name] ?? '');
  const details: Record<string, () => string> = {
    status: () => text('status'),
    request: () => `${text('method')} ${text('url').split('?')[0] ?? ''} -> ${event.status_code === undefined ? text('error') : `HTTP ${text('status_code')}`} in ${text('duration_ms')} ms`,
    say: () => `"${text('text')}"`,
    play: () => text('url'),
    pause: () => `${text('seconds')} s`,
    'gather-started': () => `listening (numDigits ${text('num_digits') || 'any'}, finishOnKey ${text('finish_on_key')}, timeout ${text('timeout')} s)`,
    'gather-ended': () => `digits "${text('digits')}" (${text('reason')})`,
    digits: () => `${text('digits')} (heard by ${text('heard_by')})`,
    'record-started': () => `${text('recording_sid')}${event.background === true ? ' in the background' : ''}`,
    'record-stopped': () => `${text('recording_sid')}, ${text('duration')} s (${text('reason')})`,
    'dial-started': () => JSON.stringify(event.targets),
    'dial-ended': () => `${text('dial_call_status')}, ${text('dial_call_duration')} s`,
    message: () => `${text('verb')} to ${text('to')}: "${text('text')}"`,
    error: () => text('message'),
    hangup: () => `${text('status')} (${text('cause')})`,
  };
  return `#${event.sequence} ${event.type} ${details[event.type]?.() ?? ''}`.trimEnd();
}

class CommandError extends Error {}

async function control(server: string, auth: string, method: string, path: string, body?: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${server}/_simulator${path}`, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { body: new URLSearchParams(body).toString() } : {}),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new CommandError(`the simulator answered ${response.status}: ${String(json.message ?? '')}`);
  return json;
}

function parseCallArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string' },
      method: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'caller-name': { type: 'string' },
      digits: { type: 'string' },
      server: { type: 'string' },
      'account-sid': { type: 'string' },
      'auth-token': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

type CallArgs = ReturnType<typeof parseCallArgs>;

/** `telapi-simulator call …`: the exit code. */
export async function runCallCommand(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  let values: CallArgs;
  try {
    values = parseCallArgs(argv);
    if (values.help) {
      print(CALL_USAGE);
      return 0;
    }
    if (!values.url) throw new CommandError('--url is required');
  } catch (error) {
    console.error(`telapi-simulator call: ${error instanceof Error ? error.message : String(error)}\n\n${CALL_USAGE}`);
    return 2;
  }
  const server = (values.server ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`).replace(/\/+$/, '');
  const auth = `Basic ${Buffer.from(`${values['account-sid'] ?? DEMO_ACCOUNT_SID}:${values['auth-token'] ?? DEMO_AUTH_TOKEN}`).toString('base64')}`;
  const groups = (values.digits ?? '').split(',').filter((group) => group !== '');
  try {
    const placed = await control(server, auth, 'POST', '/calls/inbound', {
      Url: values.url,
      Method: values.method ?? 'POST',
      From: values.from ?? '+15550100001',
      To: values.to ?? '+15550100100',
      ...(values['caller-name'] ? { CallerName: values['caller-name'] } : {}),
    });
    const callSid = String(placed.sid);
    print(`call ${callSid} placed: ${values.from ?? '+15550100001'} -> ${values.to ?? '+15550100100'}`);
    let after = 0;
    for (;;) {
      const page = await control(server, auth, 'GET', `/calls/${callSid}/events?after=${after}&wait_ms=10000`);
      for (const event of (page.events ?? []) as ControlEvent[]) {
        after = event.sequence;
        print(describeEvent(event));
        const listening = event.type === 'gather-started' || (event.type === 'record-started' && event.background === false);
        const keys = listening ? groups.shift() : undefined;
        // The call may have moved on (a Gather timed out, the call ended): a late key press is no failure of the command.
        if (keys !== undefined) await control(server, auth, 'POST', `/calls/${callSid}/digits`, { Digits: keys }).catch((error: unknown) => print(`(keys ${keys} not pressed: ${error instanceof Error ? error.message : String(error)})`));
        if (event.type === 'hangup') return event.cause === 'error' ? 1 : 0;
      }
    }
  } catch (error) {
    const reason = error instanceof CommandError ? error.message : `cannot reach ${server} (${error instanceof Error ? error.message : String(error)})`;
    console.error(`telapi-simulator call: ${reason}`);
    return 1;
  }
}
