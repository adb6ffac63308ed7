import { EventEmitter } from 'node:events';
import type { DialTarget } from './inboundxml';
import type { HangupCause, RecordingEndReason, SimulatedCallStatus } from './model';
import type { CallbackMethod } from './spec';

/** Why the simulator asked a URL: the call's voice URL, a verb's action, a `<Redirect>`, a `<Ping>`. */
export type RequestPurpose = 'voice' | 'action' | 'redirect' | 'ping';

/** What happened on a call, as the caller would tell it; one entry of the call's transcript. */
export type CallEventDetail =
  | { type: 'status'; status: SimulatedCallStatus }
  | {
      type: 'request';
      purpose: RequestPurpose;
      url: string;
      method: CallbackMethod;
      params: Record<string, string>;
      /** The HTTP status answered, when an answer came. */
      statusCode: number | undefined;
      /** Why no answer came (connection refused, timeout). */
      error: string | undefined;
      /** The body answered (the InboundXML), at most 16 KiB of it. */
      answer: string;
      answerTruncated: boolean;
      /** Real milliseconds the flow took to answer. */
      durationMs: number;
    }
  | { type: 'say'; text: string; voice: string; language: string; seconds: number }
  | { type: 'play'; url: string; seconds: number }
  | { type: 'pause'; seconds: number }
  | { type: 'gather-started'; verb: 'Gather' | 'GetSpeech'; numDigits: number; finishOnKey: string; timeout: number; action: string | undefined }
  | { type: 'gather-ended'; digits: string; reason: 'num-digits' | 'finish-key' | 'timeout' }
  | { type: 'digits'; digits: string; heardBy: 'gather' | 'record' | 'nobody' }
  | { type: 'record-started'; recordingSid: string; background: boolean; playBeep: boolean; maxLength: number }
  | { type: 'record-stopped'; recordingSid: string; duration: number; reason: RecordingEndReason }
  | { type: 'dial-started'; dialCallSid: string; targets: DialTarget[] }
  | { type: 'dial-ended'; dialCallSid: string; dialCallStatus: string; dialCallDuration: number }
  | { type: 'message'; verb: 'Sms' | 'Mms'; to: string; from: string; text: string; mediaUrl: string | undefined }
  | { type: 'error'; message: string }
  | { type: 'hangup'; cause: HangupCause; status: SimulatedCallStatus };

export type CallEventType = CallEventDetail['type'];

export type CallEvent = CallEventDetail & {
  /** 1, 2, 3 … within the call, in the order things happened. */
  sequence: number;
  callSid: string;
  at: Date;
};

export type CallEventMatch = ((event: CallEvent) => boolean) | { callSid?: string; type?: CallEventType; afterSequence?: number };

interface TranscriptEvents {
  'call-event': [CallEvent];
}

function toPredicate(match: CallEventMatch): (event: CallEvent) => boolean {
  if (typeof match === 'function') return match;
  return (event) =>
    (match.callSid === undefined || event.callSid === match.callSid) &&
    (match.type === undefined || event.type === match.type) &&
    (match.afterSequence === undefined || event.sequence > match.afterSequence);
}

/** Most events a call keeps; older ones go first (an endless `<Say loop="0">` cannot fill the memory). */
const MAX_EVENTS_PER_CALL = 2000;

/** Every call's transcript, told live to listeners. */
export class CallTranscripts extends EventEmitter<TranscriptEvents> {
  readonly #events = new Map<string, CallEvent[]>();
  readonly #sequences = new Map<string, number>();

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  add(callSid: string, detail: CallEventDetail): CallEvent {
    const sequence = (this.#sequences.get(callSid) ?? 0) + 1;
    this.#sequences.set(callSid, sequence);
    const event: CallEvent = { ...detail, sequence, callSid, at: new Date() };
    const list = this.#events.get(callSid) ?? [];
    list.push(event);
    if (list.length > MAX_EVENTS_PER_CALL) list.shift();
    this.#events.set(callSid, list);
    this.emit('call-event', event);
    return event;
  }

  /** The call's events after `afterSequence`, oldest first. */
  list(callSid: string, afterSequence = 0): CallEvent[] {
    return (this.#events.get(callSid) ?? []).filter((event) => event.sequence > afterSequence);
  }

  /** The first event that matches, past ones included; rejects after `timeoutMs`. */
  waitFor(match: CallEventMatch, timeoutMs: number): Promise<CallEvent> {
    const matches = toPredicate(match);
    for (const events of this.#events.values()) {
      const found = events.find(matches);
      if (found) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const listener = (event: CallEvent): void => {
        if (!matches(event)) return;
        clearTimeout(timer);
        this.off('call-event', listener);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.off('call-event', listener);
        reject(new Error(`No matching call event within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.on('call-event', listener);
    });
  }

  clear(): void {
    this.#events.clear();
    this.#sequences.clear();
  }
}
