import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import {
  CALLBACK_TOKEN_LENGTH,
  DEFAULT_RECORDING_OPTIONS,
  TelApiError,
  TelApiInputError,
  buildRecordForm,
  parseRecordingOptions,
  recordCall,
  withResolvedCallbackUrls,
  shortSid,
  type RecordingOptions,
} from '../../telapi';
import { isUsable, type TelApiAccountNode } from '../shared/account';
import { cachedText } from '../shared/cached-text';
import { recordRules } from '../shared/editor-rules';
import { cloneableForCatch, deliveryOf, filledProperties, readConfiguration, redactedError, settleOnClose, shorten, translateTelApiError, type RequestInFlight } from '../shared/request-node';

interface TelApiRecordDef extends NodeDef {
  account: string;
  action?: string;
  direction?: string;
  timeLimit?: number | string;
  callbackUrl?: string;
  fileFormat?: string;
  trimSilence?: boolean | string;
  transcribe?: boolean | string;
  transcribeQuality?: string;
  transcribeCallback?: string;
}

type RecordMessage = NodeMessageInFlow & {
  callSid?: unknown;
  recording?: unknown;
  statusCode?: number;
};

type Send = (msg: RecordMessage) => void;

/** What this node sets on a message. */
const OUTPUT_KEYS = ['payload', 'statusCode'] as const;

/** One message being handled, with the call it is for (named in the log if the node closes). */
interface InFlight extends RequestInFlight {
  callSid: string | undefined;
}

type Done = (err?: Error) => void;

export = function register(RED: NodeAPI): void {
  const statusText = {
    starting: cachedText(RED._, 'telapi-record.status.starting', 'call'),
    stopping: cachedText(RED._, 'telapi-record.status.stopping', 'call'),
    recording: cachedText(RED._, 'telapi-record.status.recording', 'call'),
    stopped: cachedText(RED._, 'telapi-record.status.stopped', 'call'),
  };

  /** An Error whose text comes from this node's message catalog. */
  function translate(error: unknown): Error {
    const translated = translateTelApiError(error, {
      input: (reason, params) => RED._(`telapi-record.errors.input.${reason}`, params),
      api: (key, params) => RED._(`telapi-record.errors.${key}`, params),
    });
    return translated ?? (error instanceof Error ? error : new Error(String(error)));
  }

  function TelApiRecord(this: Node, config: TelApiRecordDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const account = RED.nodes.getNode(config.account) as TelApiAccountNode | null;
    const inFlight = new Set<InFlight>();
    /** Set on close: outcomes from then on can no longer reach the flow, so they are logged. */
    let closing = false;
    const { options: defaults, error: configError } = readConfiguration<RecordingOptions>(
      account,
      () => parseRecordingOptions(filledProperties(config, Object.keys(DEFAULT_RECORDING_OPTIONS))),
      { ...DEFAULT_RECORDING_OPTIONS },
      (key) => RED._(`telapi-record.errors.${key}`),
      translate,
    );

    const fail = (error: Error): void => {
      node.status({ fill: 'red', shape: 'ring', text: shorten(error.message) });
    };

    if (configError) {
      fail(configError);
    } else if (account) {
      // A callback path the account cannot resolve would fail every message: say so at deploy.
      // Messages are still tried, since msg.recording may override the URL.
      const urlProblem = callbackUrlProblem(defaults, account);
      if (urlProblem) {
        const translated = translate(urlProblem);
        fail(translated);
        node.warn(translated.message);
      }
    }

    async function handle(msg: RecordMessage, send: Send, done: Done, request: InFlight): Promise<void> {
      if (configError) throw configError;
      if (!isUsable(account)) throw new Error(RED._('telapi-record.errors.noAccount'));
      const options = parseRecordingOptions(msg.recording, defaults);
      const form = buildRecordForm({
        callSid: msg.callSid,
        options,
        publicUrl: account.publicUrl,
        tokenFor: (callSid) => account.authenticator.tokenFor(callSid),
        callbackCredentials: account.callbackCredentials,
      });
      const callSid = msg.callSid as string;
      request.callSid = callSid;
      const starting = options.action === 'start';
      node.status({
        fill: 'blue',
        shape: 'dot',
        text: statusText[starting ? 'starting' : 'stopping'](shortSid(callSid)),
      });
      try {
        const result = await recordCall(account.client, callSid, form, request.controller.signal, deliveryOf(request));
        msg.payload = account.redactor.value(result.recording);
        msg.statusCode = result.statusCode;
      } catch (error) {
        if (error instanceof TelApiError && error.status !== undefined) msg.statusCode = error.status;
        throw error;
      }
      if (closing) {
        const sid = (msg.payload as { sid?: unknown }).sid;
        const recording = typeof sid === 'string' ? sid : '?';
        const params = { call: callSid, recording };
        node.warn(starting ? RED._('telapi-record.warn.closed.started', params) : RED._('telapi-record.warn.closed.stopped', params));
      } else {
        node.status({
          fill: 'green',
          shape: 'dot',
          text: statusText[starting ? 'recording' : 'stopped'](shortSid(callSid)),
        });
      }
      send(msg);
      done();
    }

    node.on('input', (msg: RecordMessage, send: Send, done: Done) => {
      const request: InFlight = { controller: new AbortController(), sent: false, callSid: undefined, settled: Promise.resolve() };
      request.settled = handle(msg, send, done, request)
        .catch((error: unknown) => {
          const translated = redactedError(translate(error), account);
          if (closing && request.callSid !== undefined) {
            // The Catch nodes of a flow being stopped may be stopped already: the log is the one
            // place this outcome is sure to be seen.
            const params = { call: request.callSid, error: translated.message };
            node.warn(
              request.sent ? RED._('telapi-record.warn.closed.failed', params)
                : request.refused ? RED._('telapi-record.warn.closed.refused', params)
                  : RED._('telapi-record.warn.closed.notSent', params),
            );
          } else {
            fail(translated);
          }
          cloneableForCatch(msg, OUTPUT_KEYS, RED.util.cloneMessage);
          done(translated);
        })
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      // Each outcome is logged as it settles (the answer names the recording).
      settleOnClose(inFlight, RED.settings as unknown as Record<string, unknown>, () => {
        node.status({});
        done();
      });
    });
  }

  RED.nodes.registerType('telapi-record', TelApiRecord, {
    settings: { telapiRecordRules: { value: recordRules(), exportable: true } },
  });
};

/** The error a start with these options would raise for its callback URLs, without a real call. */
function callbackUrlProblem(options: RecordingOptions, account: TelApiAccountNode): TelApiInputError | undefined {
  try {
    withResolvedCallbackUrls(options, account.publicUrl, 'x'.repeat(CALLBACK_TOKEN_LENGTH), account.callbackCredentials);
    return undefined;
  } catch (error) {
    if (error instanceof TelApiInputError) return error;
    throw error;
  }
}
