#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runCallCommand } from './cli-call';
import { parseArgs } from 'node:util';
import { DEFAULT_HOST, DEFAULT_PORT, DEMO_ACCOUNT, DEMO_AUTH_TOKEN } from './constants';
import type { FaultOptions } from './faults';
import { consoleLogger, type LogLevel } from './logger';
import { DEFAULT_PHONE_NUMBER } from './phone-page';
import { TelApiSimulator, type TelApiSimulatorOptions } from './simulator';
import { isAbsoluteHttpUrl } from './spec';

const USAGE = `Usage: telapi-simulator [options]
       telapi-simulator call --url <voice URL> [options]   (see telapi-simulator call --help)

A TelAPI-compatible server for offline demos and tests.

  -p, --port <n>              port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
      --host <address>        address to listen on (default ${DEFAULT_HOST})
      --account-sid <AC…>     AccountSid to accept instead of the demo account (needs --auth-token)
      --auth-token <token>    AuthToken for --account-sid
      --public-url <url>      root of the recording URLs handed out (default: the listening address)
      --sign-callbacks        send X-TelAPI-Signature with every callback
      --ca <file>             trust this CA certificate (PEM) for callbacks over HTTPS
      --insecure              call back over HTTPS without checking certificates
      --callback-delay <ms>   delay between a recording's end and its callback (default 1000)
      --transcription-delay <ms>  delay before the transcription callback (default 2000)
      --time-scale <x>        real time per simulated time, e.g. 0.1 (default 1)
      --no-demo-calls         start without the demo calls
      --phone                 serve the browser phone at /phone (for the offline demo; see README.md)
      --phone-url <url>       the voice URL the phone offers to call (implies --phone)
      --phone-number <n>      the phone's own number, where calls made through the API ring (default ${DEFAULT_PHONE_NUMBER}; implies --phone)
      --latency <ms>          add latency to every API answer
      --rate-429 <0..1>       share of API requests answered 429 (with Retry-After)
      --rate-500 <0..1>       share answered 500
      --rate-503 <0..1>       share answered 503
      --rate-drop <0..1>      share whose connection is dropped without an answer
      --rate-malformed-json <0..1>  share answered with broken JSON
      --rate-html <0..1>      share answered with an HTML error page
      --seed <n>              seed for the fault sequence (default 1)
  -q, --quiet                 only warnings and errors
  -v, --verbose               log every API request
  -h, --help                  show this help
`;

class UsageError extends Error {}

function numberOption(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || !check(number)) throw new UsageError(`--${name}: "${value}" is not a valid value`);
  return number;
}

const isPort = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;
const isNonNegative = (n: number): boolean => n >= 0;
const isShare = (n: number): boolean => n >= 0 && n <= 1;

interface CliConfig {
  port: number;
  host: string;
  options: TelApiSimulatorOptions;
  customToken: boolean;
  help: boolean;
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--ca: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseCli(argv: string[]): CliConfig {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'account-sid': { type: 'string' },
      'auth-token': { type: 'string' },
      'public-url': { type: 'string' },
      'sign-callbacks': { type: 'boolean' },
      ca: { type: 'string' },
      insecure: { type: 'boolean' },
      'callback-delay': { type: 'string' },
      'transcription-delay': { type: 'string' },
      'time-scale': { type: 'string' },
      'no-demo-calls': { type: 'boolean' },
      phone: { type: 'boolean' },
      'phone-url': { type: 'string' },
      'phone-number': { type: 'string' },
      latency: { type: 'string' },
      'rate-429': { type: 'string' },
      'rate-500': { type: 'string' },
      'rate-503': { type: 'string' },
      'rate-drop': { type: 'string' },
      'rate-malformed-json': { type: 'string' },
      'rate-html': { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const accountSid = values['account-sid'];
  const authToken = values['auth-token'];
  if ((accountSid === undefined) !== (authToken === undefined)) throw new UsageError('--account-sid and --auth-token go together');
  const faults: FaultOptions = {};
  const faultFlags = [
    ['latency', 'latencyMs', isNonNegative],
    ['rate-429', 'rate429', isShare],
    ['rate-500', 'rate500', isShare],
    ['rate-503', 'rate503', isShare],
    ['rate-drop', 'rateDrop', isShare],
    ['rate-malformed-json', 'rateMalformedJson', isShare],
    ['rate-html', 'rateHtml', isShare],
    ['seed', 'seed', Number.isFinite],
  ] as const;
  for (const [flag, key, check] of faultFlags) {
    const value = numberOption(flag, values[flag], check);
    if (value !== undefined) faults[key] = value;
  }
  const phoneUrl = values['phone-url'];
  const phoneNumber = values['phone-number'];
  if (phoneUrl !== undefined && !isAbsoluteHttpUrl(phoneUrl)) throw new UsageError(`--phone-url: "${phoneUrl}" is not an http or https URL`);
  const phone = values.phone || phoneUrl !== undefined || phoneNumber !== undefined;
  const level: LogLevel = values.verbose ? 'debug' : values.quiet ? 'warn' : 'info';
  return {
    port: numberOption('port', values.port, isPort) ?? DEFAULT_PORT,
    host: values.host ?? DEFAULT_HOST,
    customToken: authToken !== undefined,
    help: values.help ?? false,
    options: {
      accounts: accountSid !== undefined && authToken !== undefined ? [{ accountSid, authToken }] : [DEMO_ACCOUNT],
      ...(values['public-url'] !== undefined ? { publicUrl: values['public-url'] } : {}),
      signCallbacks: values['sign-callbacks'] ?? false,
      ...(values.ca !== undefined ? { ca: readCa(values.ca) } : {}),
      ...(values.insecure ? { insecure: true } : {}),
      callbackDelayMs: numberOption('callback-delay', values['callback-delay'], isNonNegative) ?? 1000,
      transcriptionDelayMs: numberOption('transcription-delay', values['transcription-delay'], isNonNegative) ?? 2000,
      timeScale: numberOption('time-scale', values['time-scale'], (n) => n > 0) ?? 1,
      ...(values['no-demo-calls'] ? { demoCalls: false as const } : {}),
      ...(phone ? { phone: { ...(phoneUrl !== undefined ? { voiceUrl: phoneUrl } : {}), ...(phoneNumber !== undefined ? { number: phoneNumber } : {}) } } : {}),
      faults,
      logger: consoleLogger(level),
    },
  };
}

function banner(simulator: TelApiSimulator, url: string, customToken: boolean): string {
  const [accountSid] = simulator.accountSids;
  const lines = [
    `TelAPI simulator listening on ${url}`,
    `  API base, TelAPI:  ${url}/v1`,
    `  API base, Zang:    ${url}/v2`,
    `  AccountSid:        ${accountSid ?? ''}`,
    `  AuthToken:         ${customToken ? '(the one given with --auth-token)' : DEMO_AUTH_TOKEN}`,
    `  Callbacks:         ${simulator.signCallbacks ? 'signed (X-TelAPI-Signature)' : 'unsigned, like TelAPI'}; sent ${simulator.callbackDelayMs} ms after a recording ends`,
  ];
  if (simulator.phoneUrl) lines.push(`  Phone:             ${simulator.phoneUrl}  (its number ${simulator.phoneNumber ?? ''} rings there)`);
  const calls = simulator.calls().reverse();
  lines.push(calls.length > 0 ? '  Live calls:' : '  Live calls:        none (create one: POST /v1/Accounts/{AccountSid}/Calls.json)');
  for (const call of calls) {
    lines.push(`    ${call.sid}  ${call.from} -> ${call.to}${call.callerName ? ` (${call.callerName})` : ''}`);
  }
  lines.push('Press Ctrl+C to stop.');
  return lines.join('\n');
}

async function main(): Promise<number> {
  if (process.argv[2] === 'call') return runCallCommand(process.argv.slice(3));
  let config: CliConfig;
  try {
    config = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`telapi-simulator: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (config.help) {
    console.log(USAGE);
    return 0;
  }
  let simulator: TelApiSimulator;
  try {
    simulator = new TelApiSimulator(config.options);
  } catch (error) {
    console.error(`telapi-simulator: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  try {
    const { url } = await simulator.listen(config.port, config.host);
    console.log(banner(simulator, url, config.customToken));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${config.host}:${config.port}`;
    if (code === 'EADDRINUSE') {
      console.error(`telapi-simulator: port ${config.port} on ${config.host} is already in use. Stop the other process or choose another port with --port.`);
    } else if (code === 'EACCES') {
      console.error(`telapi-simulator: not allowed to listen on ${where}. Choose a port above 1023 with --port.`);
    } else {
      console.error(`telapi-simulator: cannot listen on ${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    await simulator.close();
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        resolve(130);
        return;
      }
      stopping = true;
      console.log(`telapi-simulator: ${signal} received, stopping`);
      simulator.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

void main().then((exitCode) => process.exit(exitCode));
